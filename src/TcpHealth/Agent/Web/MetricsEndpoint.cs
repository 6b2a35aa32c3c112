using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace TcpHealth.Agent.Web;

/// <summary>
/// GET /metrics: one render at a time (a second scraper waits instead of doubling the snapshot
/// work), rendered into a buffer first so a renderer failure becomes a clean 500 instead of a
/// truncated body, then sent gzip-compressed when the scraper accepts it (Prometheus always does).
/// </summary>
internal sealed class MetricsEndpoint(IMetricsRenderer renderer, ILogger logger) : IDisposable
{
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private int _lastSize = 16 * 1024;

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        string contentType;
        using var body = new PooledBufferWriter(Volatile.Read(ref _lastSize));

        await _oneAtATime.WaitAsync(context.RequestAborted);
        try
        {
            contentType = renderer.Render(body, request.Headers.Accept.Count == 0 ? null : request.Headers.Accept.ToString());
        }
        catch (Exception e)
        {
            logger.LogError(e, "rendering /metrics failed");
            response.StatusCode = StatusCodes.Status500InternalServerError;
            response.ContentType = "text/plain; charset=utf-8";
            await response.WriteAsync($"An error has occurred while serving metrics:\n\n{e.Message}\n", context.RequestAborted);
            return;
        }
        finally
        {
            _oneAtATime.Release();
        }
        Volatile.Write(ref _lastSize, body.WrittenCount);

        response.ContentType = contentType;
        response.Headers.Vary = HeaderNames.AcceptEncoding;
        if (AcceptsGzip(request))
        {
            response.Headers.ContentEncoding = "gzip";
            await using var gzip = new GZipStream(response.Body, CompressionLevel.Fastest, leaveOpen: true);
            await gzip.WriteAsync(body.WrittenMemory, context.RequestAborted);
        }
        else
        {
            response.ContentLength = body.WrittenCount;
            await response.Body.WriteAsync(body.WrittenMemory, context.RequestAborted);
        }
    }

    private static bool AcceptsGzip(HttpRequest request)
    {
        // Honour "gzip;q=0" (explicit refusal), as promhttp's negotiation does.
        foreach (var value in request.GetTypedHeaders().AcceptEncoding)
            if (value.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase))
                return value.Quality is not 0;
        return false;
    }

    public void Dispose() => _oneAtATime.Dispose();
}
