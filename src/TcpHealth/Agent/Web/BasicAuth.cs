using System.Text;

namespace TcpHealth.Agent.Web;

/// <summary>HTTP basic auth (RFC 7617): reads the Authorization header and asks the authenticator.</summary>
internal static class BasicAuth
{
    public const string Challenge = "Basic realm=\"tcphealth\"";

    public static bool Allows(BasicAuthenticator authenticator, string? authorization) =>
        TryGetCredentials(authorization, out var user, out var password) && authenticator.Verify(user, password);

    private static bool TryGetCredentials(string? header, out string user, out byte[] password)
    {
        user = "";
        password = [];
        const string scheme = "Basic ";
        if (header is null || !header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
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
