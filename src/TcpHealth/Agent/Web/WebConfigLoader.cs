using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TcpHealth.Agent.Web;

/// <summary>
/// Reads a --web.config.file in the exporter-toolkit format
/// (https://github.com/prometheus/exporter-toolkit/blob/master/docs/web-configuration.md).
/// </summary>
/// <remarks>
/// Stricter than exporter-toolkit on purpose, because a typo in a security file must not
/// silently weaken it: unknown keys are errors, toolkit keys tcphealth does not implement are
/// errors (not ignored), a tls_server_config without cert_file/key_file is an error (the toolkit
/// falls back to plain HTTP), the certificate and key are loaded once here so a bad pair stops
/// the agent at startup, and basic_auth_users values must be bcrypt hashes.
/// Relative cert_file/key_file paths are resolved against the config file's folder, as the toolkit does.
/// </remarks>
public static class WebConfigLoader
{
    // exporter-toolkit keys we know but do not implement: a clearer message than "unknown key".
    private static readonly HashSet<string> UnsupportedTopLevel = new(StringComparer.Ordinal)
    {
        "http_server_config", "rate_limit",
    };

    private static readonly HashSet<string> UnsupportedTls = new(StringComparer.Ordinal)
    {
        "cert", "key", "client_auth_type", "client_ca_file", "client_ca", "client_allowed_sans",
        "cipher_suites", "curve_preferences", "prefer_server_cipher_suites",
    };

    public static WebConfig Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WebConfigException(path, 0, $"cannot read web config file: {e.Message}", e);
        }
        return Parse(text, path);
    }

    /// <summary>Parses YAML text; <paramref name="path"/> names it in errors and anchors relative cert paths.</summary>
    public static WebConfig Parse(string yaml, string path)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            // YamlDotNet's own message repeats "(Line: x, Col: y ...)"; the inner one is the useful part.
            var reason = (e.InnerException as YamlException)?.Message ?? e.Message;
            throw new WebConfigException(path, (int)e.Start.Line, $"invalid YAML: {StripMark(reason)}", e);
        }

        // An empty file means defaults, like exporter-toolkit.
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
            return WebConfig.Empty with { SourcePath = path };
        if (stream.Documents.Count > 1)
            throw new WebConfigException(path, Line(stream.Documents[1].RootNode), "only one YAML document is allowed");

        var root = AsMapping(stream.Documents[0].RootNode, path, "the web config");
        TlsServerConfig? tls = null;
        var users = new Dictionary<string, string>(StringComparer.Ordinal);
        var baseDir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".";

        foreach (var (keyNode, value) in root.Children)
        {
            var key = KeyName(keyNode, path);
            switch (key)
            {
                case "tls_server_config":
                    tls = ParseTls(value, path, baseDir, Line(keyNode));
                    break;
                case "basic_auth_users":
                    ParseUsers(value, path, users);
                    break;
                default:
                    throw new WebConfigException(path, Line(keyNode), UnsupportedTopLevel.Contains(key)
                        ? $"'{key}' is an exporter-toolkit option that tcphealth does not support"
                        : $"unknown key '{key}' (expected tls_server_config or basic_auth_users)");
            }
        }

        return new WebConfig { Tls = tls, BasicAuthUsers = users, SourcePath = path };
    }

    private static TlsServerConfig? ParseTls(YamlNode node, string path, string baseDir, int blockLine)
    {
        if (node is YamlScalarNode { Value: null or "" })
            throw new WebConfigException(path, blockLine, "tls_server_config is empty; it needs cert_file and key_file");
        var map = AsMapping(node, path, "tls_server_config");
        string? cert = null, key = null;
        int certLine = blockLine, keyLine = blockLine;
        var min = SslProtocols.Tls12;
        var max = SslProtocols.Tls13;

        foreach (var (keyNode, value) in map.Children)
        {
            var name = KeyName(keyNode, path);
            switch (name)
            {
                case "cert_file":
                    cert = Scalar(value, path, name);
                    certLine = Line(value);
                    break;
                case "key_file":
                    key = Scalar(value, path, name);
                    keyLine = Line(value);
                    break;
                case "min_version":
                    min = TlsVersion(value, path, name);
                    break;
                case "max_version":
                    max = TlsVersion(value, path, name);
                    break;
                default:
                    throw new WebConfigException(path, Line(keyNode), UnsupportedTls.Contains(name)
                        ? $"tls_server_config.{name} is an exporter-toolkit option that tcphealth does not support"
                        : $"unknown key 'tls_server_config.{name}' (expected cert_file, key_file, min_version, max_version)");
            }
        }

        if (cert is null)
            throw new WebConfigException(path, blockLine, "tls_server_config: missing cert_file");
        if (key is null)
            throw new WebConfigException(path, blockLine, "tls_server_config: missing key_file");
        if (min > max)
            throw new WebConfigException(path, blockLine, "tls_server_config: min_version is above max_version");

        cert = System.IO.Path.GetFullPath(cert, baseDir);
        key = System.IO.Path.GetFullPath(key, baseDir);
        if (!File.Exists(cert))
            throw new WebConfigException(path, certLine, $"cert_file '{cert}' does not exist");
        if (!File.Exists(key))
            throw new WebConfigException(path, keyLine, $"key_file '{key}' does not exist");

        // Load once now: a wrong or mismatched pair should stop startup, not fail every handshake.
        try
        {
            using var _ = X509Certificate2.CreateFromPemFile(cert, key);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new WebConfigException(path, certLine,
                $"cannot load the certificate '{cert}' with key '{key}': {e.Message}", e);
        }

        return new TlsServerConfig(cert, key, min, max);
    }

    private static void ParseUsers(YamlNode node, string path, Dictionary<string, string> users)
    {
        if (node is YamlScalarNode { Value: null or "" })
            return; // "basic_auth_users:" with nothing under it: no authentication, as in the toolkit.
        var map = AsMapping(node, path, "basic_auth_users");
        foreach (var (keyNode, value) in map.Children)
        {
            var user = KeyName(keyNode, path);
            if (user.Length == 0 || user.Contains(':'))
                throw new WebConfigException(path, Line(keyNode),
                    $"basic_auth_users: user name '{user}' is empty or contains ':' (impossible in HTTP basic auth)");
            var hash = Scalar(value, path, $"basic_auth_users.{user}");
            if (!Bcrypt.LooksLikeHash(hash))
                throw new WebConfigException(path, Line(value),
                    $"basic_auth_users.{user}: not a bcrypt hash ($2a$/$2b$/$2y$, 60 characters); "
                    + "make one with: htpasswd -nBC 10 \"\" | tr -d ':\\n'");
            users[user] = hash;
        }
    }

    private static SslProtocols TlsVersion(YamlNode node, string path, string name) =>
        Scalar(node, path, $"tls_server_config.{name}") switch
        {
            "TLS12" => SslProtocols.Tls12,
            "TLS13" => SslProtocols.Tls13,
            "TLS10" or "TLS11" => throw new WebConfigException(path, Line(node),
                $"tls_server_config.{name}: TLS 1.0 and 1.1 are not supported; use TLS12 or TLS13"),
            var other => throw new WebConfigException(path, Line(node),
                $"tls_server_config.{name}: '{other}' is not a TLS version; use TLS12 or TLS13"),
        };

    private static YamlMappingNode AsMapping(YamlNode node, string path, string what) =>
        node as YamlMappingNode
        ?? throw new WebConfigException(path, Line(node), $"{what} must be a mapping of keys to values");

    private static string KeyName(YamlNode node, string path) =>
        node is YamlScalarNode { Value: { } v }
            ? v
            : throw new WebConfigException(path, Line(node), "keys must be plain strings");

    private static string Scalar(YamlNode node, string path, string what) =>
        node is YamlScalarNode { Value: { Length: > 0 } v }
            ? v
            : throw new WebConfigException(path, Line(node), $"{what} must be a non-empty string");

    private static int Line(YamlNode node) => (int)node.Start.Line;

    private static string StripMark(string message)
    {
        // "(Line: 3, Col: 1, Idx: 20) - (Line: ...): Duplicate key" → "Duplicate key"
        var i = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith("(Line:", StringComparison.Ordinal) && i >= 0 ? message[(i + 3)..] : message;
    }
}
