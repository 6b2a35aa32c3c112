using System.Buffers;

namespace TcpHealth.Agent.Web;

/// <summary>Produces one /metrics response body. The web host calls it for one scrape at a time.</summary>
public interface IMetricsRenderer
{
    /// <summary>
    /// Writes the exposition to <paramref name="output"/> and returns its Content-Type, e.g.
    /// "text/plain; version=0.0.4; charset=utf-8" or an OpenMetrics type when <paramref name="accept"/>
    /// asks for it. Throwing turns the scrape into a 500 with the message, like promhttp.
    /// </summary>
    /// <param name="output">Buffered: nothing reaches the client until Render returns.</param>
    /// <param name="accept">The request's Accept header, null when absent.</param>
    string Render(IBufferWriter<byte> output, string? accept);
}
