using TcpHealth.Bpf;

namespace TcpHealth;

/// <summary>Library messages (libbpf warnings, TCX fallback, stale-filter cleanup) to stderr; debug output is dropped.</summary>
public sealed class StderrLog : ILogSink
{
    public void Log(BpfLogLevel level, string message)
    {
        if (level != BpfLogLevel.Debug)
            Console.Error.WriteLine($"tcphealth: {level.ToString().ToLowerInvariant()}: {message.TrimEnd()}");
    }
}
