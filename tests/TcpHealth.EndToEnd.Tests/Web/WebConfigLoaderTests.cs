using System.Security.Authentication;
using TcpHealth.Agent.Web;

namespace TcpHealth.EndToEnd.Tests.Web;

public class WebConfigLoaderTests
{
    private static WebConfigException LoadFails(WebTestFiles files, string yaml)
    {
        var path = files.Write("web.yml", yaml);
        var e = Assert.Throws<WebConfigException>(() => WebConfigLoader.Load(path));
        Assert.Equal(path, e.Path);
        Assert.StartsWith(e.Line > 0 ? $"{path}:{e.Line}: " : $"{path}: ", e.Message);
        return e;
    }

    [Fact]
    public void FullConfigWithRelativePaths()
    {
        using var files = new WebTestFiles();
        using var _ = files.WriteSelfSignedCertificate();
        var path = files.Write("web.yml", $"""
            # exporter-toolkit format
            tls_server_config:
              cert_file: cert.pem
              key_file: {files.Dir}/key.pem
              min_version: TLS13
            basic_auth_users:
              user: {WebTestFiles.UserPassHash}
              other: '$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i'
            """);

        var config = WebConfigLoader.Load(path);

        Assert.Equal(path, config.SourcePath);
        Assert.NotNull(config.Tls);
        Assert.Equal(Path.Combine(files.Dir, "cert.pem"), config.Tls.CertFile);
        Assert.Equal(Path.Combine(files.Dir, "key.pem"), config.Tls.KeyFile);
        Assert.Equal(SslProtocols.Tls13, config.Tls.MinVersion);
        Assert.Equal(SslProtocols.Tls13, config.Tls.EnabledProtocols);
        Assert.Equal(2, config.BasicAuthUsers.Count);
        Assert.Equal(WebTestFiles.UserPassHash, config.BasicAuthUsers["user"]);
    }

    [Fact]
    public void DefaultsToTls12AndUp()
    {
        using var files = new WebTestFiles();
        using var _ = files.WriteSelfSignedCertificate();
        var config = WebConfigLoader.Load(files.Write("web.yml", "tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n"));
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, config.Tls!.EnabledProtocols);
        Assert.Empty(config.BasicAuthUsers);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing here\n")]
    [InlineData("basic_auth_users:\n")]
    public void EmptyMeansPlainHttpWithoutAuth(string yaml)
    {
        using var files = new WebTestFiles();
        var config = WebConfigLoader.Load(files.Write("web.yml", yaml));
        Assert.Null(config.Tls);
        Assert.Empty(config.BasicAuthUsers);
    }

    [Fact]
    public void UnknownTopLevelKeyHasItsLine()
    {
        using var files = new WebTestFiles();
        var e = LoadFails(files, $"basic_auth_users:\n  user: {WebTestFiles.UserPassHash}\ntls_config:\n  cert_file: x\n");
        Assert.Equal(3, e.Line);
        Assert.Contains("unknown key 'tls_config'", e.Message);
    }

    [Fact]
    public void UnknownTlsKeyHasItsLine()
    {
        using var files = new WebTestFiles();
        var e = LoadFails(files, "tls_server_config:\n  cert_file: cert.pem\n  key_fille: key.pem\n");
        Assert.Equal(3, e.Line);
        Assert.Contains("unknown key 'tls_server_config.key_fille'", e.Message);
    }

    [Fact]
    public void ToolkitOptionsWeDoNotImplementAreNamedAsSuch()
    {
        using var files = new WebTestFiles();
        var e = LoadFails(files, "tls_server_config:\n  cert_file: c\n  key_file: k\n  client_auth_type: RequireAndVerifyClientCert\n");
        Assert.Equal(4, e.Line);
        Assert.Contains("does not support", e.Message);

        e = LoadFails(files, "http_server_config:\n  http2: false\n");
        Assert.Equal(1, e.Line);
        Assert.Contains("'http_server_config' is an exporter-toolkit option that tcphealth does not support", e.Message);
    }

    [Fact]
    public void MissingCertFileIsNamedWithItsLine()
    {
        using var files = new WebTestFiles();
        var e = LoadFails(files, "tls_server_config:\n  cert_file: nowhere.pem\n  key_file: key.pem\n");
        Assert.Equal(2, e.Line);
        Assert.Contains($"cert_file '{Path.Combine(files.Dir, "nowhere.pem")}' does not exist", e.Message);
    }

    [Fact]
    public void MissingKeyFileIsNamedWithItsLine()
    {
        using var files = new WebTestFiles();
        using var _ = files.WriteSelfSignedCertificate();
        var e = LoadFails(files, "tls_server_config:\n  cert_file: cert.pem\n  key_file: gone.pem\n");
        Assert.Equal(3, e.Line);
        Assert.Contains("key_file", e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void KeyThatDoesNotMatchTheCertificateFailsAtLoad()
    {
        using var files = new WebTestFiles();
        using var a = files.WriteSelfSignedCertificate("cert.pem", "key.pem");
        using var b = files.WriteSelfSignedCertificate("other-cert.pem", "other-key.pem");
        var e = LoadFails(files, "tls_server_config:\n  cert_file: cert.pem\n  key_file: other-key.pem\n");
        Assert.Equal(2, e.Line);
        Assert.Contains("cannot load the certificate", e.Message);
    }

    [Fact]
    public void TlsBlockNeedsBothFiles()
    {
        using var files = new WebTestFiles();
        var e = LoadFails(files, "\ntls_server_config:\n  key_file: key.pem\n");
        Assert.Equal(2, e.Line);
        Assert.Contains("missing cert_file", e.Message);
        e = LoadFails(files, "tls_server_config:\n");
        Assert.Contains("needs cert_file and key_file", e.Message);
    }

    [Theory]
    [InlineData("TLS11", "not supported")]
    [InlineData("tls13", "not a TLS version")]
    public void BadTlsVersion(string version, string expected)
    {
        using var files = new WebTestFiles();
        var e = LoadFails(files, $"tls_server_config:\n  cert_file: c\n  key_file: k\n  min_version: {version}\n");
        Assert.Equal(4, e.Line);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void PlaintextPasswordIsRejectedWithItsLine()
    {
        using var files = new WebTestFiles();
        var e = LoadFails(files, $"basic_auth_users:\n  user: {WebTestFiles.UserPassHash}\n  admin: hunter2\n");
        Assert.Equal(3, e.Line);
        Assert.Contains("basic_auth_users.admin: not a bcrypt hash", e.Message);
    }

    [Fact]
    public void UserNameWithColonIsRejected()
    {
        using var files = new WebTestFiles();
        var e = LoadFails(files, $"basic_auth_users:\n  'a:b': {WebTestFiles.UserPassHash}\n");
        Assert.Equal(2, e.Line);
        Assert.Contains("contains ':'", e.Message);
    }

    [Fact]
    public void DuplicateKeyIsAnError()
    {
        using var files = new WebTestFiles();
        var e = LoadFails(files, $"basic_auth_users:\n  user: {WebTestFiles.UserPassHash}\n  user: {WebTestFiles.UserPassHash}\n");
        Assert.Equal(3, e.Line);
        Assert.Contains("Duplicate key", e.Message);
    }

    [Fact]
    public void YamlSyntaxErrorHasItsLine()
    {
        using var files = new WebTestFiles();
        var e = LoadFails(files, "basic_auth_users:\n  user: x\n bad: [\n");
        Assert.True(e.Line >= 3, e.Message);
        Assert.Contains("invalid YAML", e.Message);
    }

    [Fact]
    public void NotAMapping()
    {
        using var files = new WebTestFiles();
        var e = LoadFails(files, "- just\n- a list\n");
        Assert.Equal(1, e.Line);
        Assert.Contains("must be a mapping", e.Message);
    }

    [Fact]
    public void UnreadableFile()
    {
        using var files = new WebTestFiles();
        var path = Path.Combine(files.Dir, "absent.yml");
        var e = Assert.Throws<WebConfigException>(() => WebConfigLoader.Load(path));
        Assert.Equal(0, e.Line);
        Assert.StartsWith($"{path}: cannot read web config file", e.Message);
    }
}
