namespace TcpHealth.Bpf;

/// <summary>libbpf's print levels (enum libbpf_print_level), plus our own messages at the same levels.</summary>
public enum BpfLogLevel
{
    Warning = Interop.LIBBPF_WARN,
    Info = Interop.LIBBPF_INFO,
    Debug = Interop.LIBBPF_DEBUG,
}
