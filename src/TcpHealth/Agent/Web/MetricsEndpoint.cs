using System.Globalization;
using System.IO.Compression;

namespace TcpHealth.Agent.Web;

/// <summary>
/// GET /metrics: one render at a time (a second scraper waits instead of doubling the snapshot
/// work), rendered into a buffer first so a renderer failure becomes a clean 500 instead of a
/// truncated body, then gzip-compressed when the scraper accepts it (Prometheus always does).
/// </summary>
internal sealed class MetricsEndpoint(IMetricsRenderer renderer) : IDisposable
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private int _lastSize = 16 * 1024;

    public async ValueTask<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var body = new PooledBufferWriter(Volatile.Read(ref _lastSize));
        string contentType;
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            contentType = renderer.Render(body, request.Header("Accept"));
        }
        catch (Exception e)
        {
            body.Dispose();
            Console.Error.WriteLine($"tcphealth: error: rendering /metrics failed: {e}");
            return HttpResponse.Text(500, $"An error has occurred while serving metrics:\n\n{e.Message}\n");
        }
        finally
        {
            _oneAtATime.Release();
        }
        Volatile.Write(ref _lastSize, body.WrittenCount);

        (string, string) vary = ("Vary", "Accept-Encoding");
        if (!AcceptsGzip(request.Header("Accept-Encoding")))
            return new HttpResponse(200, contentType, body.WrittenMemory) { Headers = [vary], Owner = body };

        // Compressed whole (a few hundred KB at most), so the response keeps its Content-Length.
        var compressed = new PooledBufferWriter(body.WrittenCount / 4);
        using (body)
        using (var gzip = new GZipStream(compressed.AsStream(), CompressionLevel.Fastest))
            gzip.Write(body.WrittenMemory.Span);
        return new HttpResponse(200, contentType, compressed.WrittenMemory)
        {
            Headers = [("Content-Encoding", "gzip"), vary],
            Owner = compressed,
        };
    }

    /// <summary>True when Accept-Encoding names gzip with a non-zero weight ("gzip;q=0" refuses it, as promhttp honours).</summary>
    internal static bool AcceptsGzip(string? acceptEncoding)
    {
        if (acceptEncoding is null)
            return false;
        foreach (var item in acceptEncoding.Split(','))
        {
            var parts = item.Split(';');
            if (!parts[0].Trim().Equals("gzip", StringComparison.OrdinalIgnoreCase))
                continue;
            foreach (var parameter in parts.Skip(1))
            {
                var p = parameter.Trim();
                if (p.StartsWith("q=", StringComparison.OrdinalIgnoreCase))
                    return double.TryParse(p[2..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var q) && q > 0;
            }
            return true;
        }
        return false;
    }

    public void Dispose() => _oneAtATime.Dispose();
}
