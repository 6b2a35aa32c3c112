namespace TcpHealth.Bpf;

/// <summary>errno values this library reacts to, and symbolic names for error messages.</summary>
public static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int E2BIG = 7;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EFAULT = 14;
    public const int EBUSY = 16;
    public const int EEXIST = 17;
    public const int ENODEV = 19;
    public const int EINVAL = 22;
    public const int ENOSPC = 28;
    public const int ENOSYS = 38;
    public const int EOPNOTSUPP = 95;

    /// <summary>Kernel-internal "not supported" that leaks to user space from some BPF paths.</summary>
    public const int ENOTSUPP = 524;

    private static readonly Dictionary<int, string> Names = new()
    {
        [EPERM] = "EPERM", [ENOENT] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [5] = "EIO",
        [6] = "ENXIO", [E2BIG] = "E2BIG", [8] = "ENOEXEC", [EBADF] = "EBADF", [EAGAIN] = "EAGAIN",
        [ENOMEM] = "ENOMEM", [EACCES] = "EACCES", [EFAULT] = "EFAULT", [EBUSY] = "EBUSY",
        [EEXIST] = "EEXIST", [ENODEV] = "ENODEV", [20] = "ENOTDIR", [21] = "EISDIR",
        [EINVAL] = "EINVAL", [24] = "EMFILE", [27] = "EFBIG", [ENOSPC] = "ENOSPC", [34] = "ERANGE",
        [ENOSYS] = "ENOSYS", [61] = "ENODATA", [71] = "EPROTO", [75] = "EOVERFLOW",
        [EOPNOTSUPP] = "EOPNOTSUPP", [ENOTSUPP] = "ENOTSUPP",
        // libbpf's own codes (enum libbpf_errno).
        [4000] = "LIBBPF_ERRNO__LIBELF", [4001] = "LIBBPF_ERRNO__FORMAT", [4002] = "LIBBPF_ERRNO__KVERSION",
        [4003] = "LIBBPF_ERRNO__ENDIAN", [4004] = "LIBBPF_ERRNO__INTERNAL", [4005] = "LIBBPF_ERRNO__RELOC",
        [4006] = "LIBBPF_ERRNO__LOAD", [4007] = "LIBBPF_ERRNO__VERIFY", [4008] = "LIBBPF_ERRNO__PROG2BIG",
        [4009] = "LIBBPF_ERRNO__KVER", [4010] = "LIBBPF_ERRNO__PROGTYPE", [4011] = "LIBBPF_ERRNO__WRNGPID",
        [4012] = "LIBBPF_ERRNO__INVSEQ", [4013] = "LIBBPF_ERRNO__NLPARSE",
    };

    /// <summary>"ENOENT" for 2; "errno 1234" for values without a name here.</summary>
    public static string Name(int errno) => Names.TryGetValue(errno, out var name) ? name : $"errno {errno}";
}
