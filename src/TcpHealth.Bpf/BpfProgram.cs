using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

/// <summary>A program of a loaded <see cref="BpfObject"/>; usable only while the object is.</summary>
public sealed class BpfProgram
{
    private readonly BpfObject owner;
    private readonly int fd;

    internal BpfProgram(BpfObject owner, string name, int fd)
    {
        this.owner = owner;
        Name = name;
        this.fd = fd;
    }

    public string Name { get; }

    public int Fd
    {
        get
        {
            ObjectDisposedException.ThrowIf(owner.IsDisposed, owner);
            return fd;
        }
    }

    /// <summary>The kernel's program id (as `bpftool prog` and `tc filter show` print it).</summary>
    public uint Id => GetInfo(Fd, Name).Id;

    /// <summary>
    /// Instructions the verifier processed to accept this program: its
    /// complexity, against the kernel's limit of <see cref="VerifierInstructionLimit"/>.
    /// </summary>
    public uint VerifiedInstructions => GetInfo(Fd, Name).VerifiedInsns;

    /// <summary>BPF_COMPLEXITY_LIMIT_INSNS: beyond this the kernel rejects a program.</summary>
    public const uint VerifierInstructionLimit = 1_000_000;

    public ProgramStats Stats()
    {
        var info = GetInfo(Fd, Name);
        return new ProgramStats(info.RunTimeNs, info.RunCnt);
    }

    /// <summary>
    /// Runs the program once per repetition on <paramref name="frame"/> (the packet
    /// from its first header byte) with a __sk_buff whose ifindex and gso_segs are
    /// set. The kernel rejects frames shorter than its minimum (14 bytes, or 34 for IPv4, 54 for IPv6).
    /// </summary>
    public unsafe TestRunResult TestRun(ReadOnlySpan<byte> frame, uint ifindex = 1, uint gsoSegs = 0, int repeat = 1)
    {
        var ctx = new Interop.SkBuff { IfIndex = ifindex, GsoSegs = gsoSegs };
        fixed (byte* data = frame)
        {
            var opts = new Interop.BpfTestRunOpts
            {
                Sz = (nuint)sizeof(Interop.BpfTestRunOpts),
                DataIn = data,
                DataSizeIn = (uint)frame.Length,
                CtxIn = &ctx,
                CtxSizeIn = (uint)sizeof(Interop.SkBuff),
                Repeat = repeat,
            };
            BpfException.ThrowIfNegative(Interop.BpfProgTestRunOpts(Fd, &opts), "bpf_prog_test_run_opts", Name);
            return new TestRunResult((int)opts.Retval, opts.Duration);
        }
    }

    internal static unsafe Interop.BpfProgInfo GetInfo(int progFd, string subject)
    {
        var info = default(Interop.BpfProgInfo);
        var length = (uint)sizeof(Interop.BpfProgInfo);
        BpfException.ThrowIfNegative(Interop.BpfObjGetInfoByFd(progFd, &info, &length), "bpf_obj_get_info_by_fd", subject);
        return info;
    }

    /// <summary>The name the kernel keeps (at most 15 bytes: "tcphealth_egress_l3" reads "tcphealth_egres").</summary>
    internal static unsafe string KernelName(in Interop.BpfProgInfo info)
    {
        fixed (byte* name = info.Name)
        {
            return Marshal.PtrToStringUTF8((IntPtr)name) ?? string.Empty;
        }
    }
}
