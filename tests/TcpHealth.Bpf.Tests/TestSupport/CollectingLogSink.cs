namespace TcpHealth.Bpf.Tests;

internal sealed class CollectingLogSink : ILogSink
{
    private readonly List<(BpfLogLevel Level, string Message)> messages = [];

    public IReadOnlyList<(BpfLogLevel Level, string Message)> Messages
    {
        get
        {
            lock (messages)
            {
                return [.. messages];
            }
        }
    }

    public void Log(BpfLogLevel level, string message)
    {
        lock (messages)
        {
            messages.Add((level, message));
        }
    }
}
