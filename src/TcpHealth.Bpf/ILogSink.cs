namespace TcpHealth.Bpf;

/// <summary>
/// Where this library's messages go (libbpf's output, stale-filter cleanup,
/// TCX fallback). A plain interface so the project needs no logging package;
/// the host adapts it to its logger.
/// </summary>
public interface ILogSink
{
    void Log(BpfLogLevel level, string message);
}
