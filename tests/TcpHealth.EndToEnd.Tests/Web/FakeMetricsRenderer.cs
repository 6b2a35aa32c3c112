using System.Buffers;
using System.Text;
using TcpHealth.Agent.Web;

namespace TcpHealth.EndToEnd.Tests.Web;

/// <summary>Writes a fixed exposition, records the Accept header, and tracks how many renders overlap.</summary>
public sealed class FakeMetricsRenderer : IMetricsRenderer
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";
    public string Body { get; set; } = "# TYPE tcphealth_up gauge\ntcphealth_up 1\n";
    public TimeSpan Delay { get; set; }
    public Exception? Throw { get; set; }
    public string? LastAccept { get; private set; }
    public int MaxConcurrent => _max;
    public int Calls => _calls;

    private int _inside, _max, _calls;

    public string Render(IBufferWriter<byte> output, string? accept)
    {
        var now = Interlocked.Increment(ref _inside);
        Interlocked.Increment(ref _calls);
        int seen;
        while ((seen = _max) < now && Interlocked.CompareExchange(ref _max, now, seen) != seen) { }
        try
        {
            LastAccept = accept;
            if (Delay > TimeSpan.Zero)
                Thread.Sleep(Delay);
            if (Throw is not null)
                throw Throw;
            // Write in pieces to exercise buffer growth.
            var bytes = Encoding.UTF8.GetBytes(Body);
            for (var i = 0; i < bytes.Length; i += 1000)
            {
                var n = Math.Min(1000, bytes.Length - i);
                bytes.AsSpan(i, n).CopyTo(output.GetSpan(n));
                output.Advance(n);
            }
            return ContentType;
        }
        finally
        {
            Interlocked.Decrement(ref _inside);
        }
    }
}
