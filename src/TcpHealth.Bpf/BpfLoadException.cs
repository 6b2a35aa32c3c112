namespace TcpHealth.Bpf;

/// <summary>Opening or loading a BPF object failed; the message carries libbpf's output, including the verifier log.</summary>
public sealed class BpfLoadException : BpfException
{
    internal BpfLoadException(string call, int errno, string libbpfLog)
        : base(errno, Compose(call, errno, libbpfLog))
    {
        LibbpfLog = libbpfLog;
    }

    /// <summary>What libbpf printed (warnings and info) during the failed call.</summary>
    public string LibbpfLog { get; }

    private static string Compose(string call, int errno, string log) =>
        log.Length == 0 ? FormatMessage(call, errno) : $"{FormatMessage(call, errno)}\n{log}";
}
