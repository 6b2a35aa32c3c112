using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace TcpHealth.Agent.Web;

/// <summary>
/// HTTP basic auth in front of every path, /healthz and /readyz included: exporter-toolkit protects
/// the whole server, and so do we (a Kubernetes probe can send an Authorization header via httpHeaders).
/// </summary>
internal static class BasicAuthMiddleware
{
    public const string Challenge = "Basic realm=\"tcphealth\"";

    public static Func<HttpContext, RequestDelegate, Task> Create(BasicAuthenticator authenticator) =>
        (context, next) =>
        {
            if (TryGetCredentials(context.Request, out var user, out var password)
                && authenticator.Verify(user, password))
                return next(context);

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = Challenge;
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync("Unauthorized\n");
        };

    private static bool TryGetCredentials(HttpRequest request, out string user, out byte[] password)
    {
        user = "";
        password = [];
        var header = request.Headers[HeaderNames.Authorization].ToString();
        const string scheme = "Basic ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return false;

        byte[] decoded;
        try
        {
            decoded = Convert.FromBase64String(header[scheme.Length..].Trim());
        }
        catch (FormatException)
        {
            return false;
        }
        var colon = Array.IndexOf(decoded, (byte)':');
        if (colon < 0)
            return false;
        // RFC 7617: UTF-8 is what every current client sends. The password stays bytes for crypt().
        try
        {
            user = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(decoded, 0, colon);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        password = decoded[(colon + 1)..];
        return true;
    }
}
