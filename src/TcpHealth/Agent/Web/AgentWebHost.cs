using System.Net;
using System.Net.Security;
using System.Net.Sockets;

namespace TcpHealth.Agent.Web;

/// <summary>
/// The agent's HTTP(S) server: /metrics, /healthz, /readyz and a landing page, with the
/// exporter-toolkit TLS and basic-auth options. Start once, stop once.
/// </summary>
public sealed class AgentWebHost : IAsyncDisposable
{
    // Probes must see the answer of now, never a cached one.
    private static readonly (string, string) NoStore = ("Cache-Control", "no-store");

    private readonly AgentWebHostOptions _options;
    private readonly byte[] _landing;
    private HttpServer? _server;
    private MetricsEndpoint? _metrics;
    private BasicAuthenticator? _auth;
    private TlsCertificateSource? _certificates;

    public AgentWebHost(AgentWebHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ListenAddresses.Count == 0)
            throw new ArgumentException("at least one listen address is needed", nameof(options));
        _options = options;
        _landing = LandingPage.Render(options.Version);
    }

    /// <summary>Where the server listens once started, with real ports when port 0 was asked for.</summary>
    public IReadOnlyList<Uri> BoundUris { get; private set; } = [];

    /// <summary>The first of <see cref="BoundUris"/>; a wildcard host is replaced by loopback so tests can connect.</summary>
    public Uri BoundUri => BoundUris.Count > 0
        ? BoundUris[0]
        : throw new InvalidOperationException("the web host is not started");

    /// <summary>Binds every listen address and starts serving; a bind failure throws <see cref="IOException"/> naming the address.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
            throw new InvalidOperationException("the web host was already started");
        cancellationToken.ThrowIfCancellationRequested();

        var config = _options.WebConfig;
        if (config.BasicAuthUsers.Count > 0)
        {
            Bcrypt.EnsureAvailable();
            _auth = new BasicAuthenticator(config.BasicAuthUsers);
        }
        SslServerAuthenticationOptions? tls = null;
        if (config.Tls is { } t)
        {
            var certificates = _certificates = new TlsCertificateSource(t);
            tls = new SslServerAuthenticationOptions
            {
                ServerCertificateSelectionCallback = (_, _) => certificates.Current,
                EnabledSslProtocols = t.EnabledProtocols,
                ApplicationProtocols = [SslApplicationProtocol.Http11],
                ClientCertificateRequired = false,
            };
        }

        _metrics = new MetricsEndpoint(_options.Renderer);
        var server = _server = new HttpServer(HandleAsync, tls, HttpServerTimeouts.Default);
        foreach (var address in _options.ListenAddresses)
            Listen(server, address);
        string scheme = tls is null ? "http" : "https";
        BoundUris = server.LocalEndPoints.Select(e => ConnectableUri(scheme, e)).ToList();
        return Task.CompletedTask;
    }

    private static void Listen(HttpServer server, ListenAddress address)
    {
        if (address.IsAnyHost)
        {
            // [::] dual-stack; IPv4 0.0.0.0 when the kernel has no IPv6.
            server.Listen(new IPEndPoint(Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, address.Port));
        }
        else if (address.IsLocalhost)
        {
            server.Listen(new IPEndPoint(IPAddress.Loopback, address.Port));
            // The same port on [::1] (the one the kernel chose, for port 0); a host without IPv6 loopback keeps IPv4 only.
            try
            {
                server.Listen(new IPEndPoint(IPAddress.IPv6Loopback, server.LocalEndPoints.Last().Port));
            }
            catch (IOException e) when (e.InnerException is SocketException { SocketErrorCode: SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported })
            {
            }
        }
        else if (address.Address is { } ip)
            server.Listen(new IPEndPoint(ip, address.Port));
        else
        {
            // Like Go's net.Listen: a hostname binds one of its addresses, IPv4 preferred.
            IPAddress[] ips;
            try
            {
                ips = Dns.GetHostAddresses(address.Host);
            }
            catch (SocketException e)
            {
                throw new IOException($"cannot listen on {address.Host}:{address.Port}: {e.Message}", e);
            }
            var chosen = ips.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                         ?? ips.FirstOrDefault()
                         ?? throw new IOException($"cannot listen on {address.Host}:{address.Port}: the name has no address");
            server.Listen(new IPEndPoint(chosen, address.Port));
        }
    }

    // "[::]" and "0.0.0.0" are not connectable everywhere; loopback of the same family is.
    private static Uri ConnectableUri(string scheme, IPEndPoint e)
    {
        var ip = e.Address.Equals(IPAddress.IPv6Any) ? IPAddress.IPv6Loopback
            : e.Address.Equals(IPAddress.Any) ? IPAddress.Loopback
            : e.Address;
        var host = ip.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ip}]" : ip.ToString();
        return new Uri($"{scheme}://{host}:{e.Port}/");
    }

    // Basic auth guards every path, /healthz and /readyz included: exporter-toolkit protects the whole
    // server, and so do we (a Kubernetes probe can send an Authorization header via httpHeaders).
    private ValueTask<HttpResponse> HandleAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (_auth is not null && !BasicAuth.Allows(_auth, request.Header("Authorization")))
            return ValueTask.FromResult(HttpResponse.Text(401, "Unauthorized\n", ("WWW-Authenticate", BasicAuth.Challenge)));

        switch (request.Path)
        {
            case "/metrics":
                return _metrics!.HandleAsync(request, cancellationToken);
            case "/healthz":
                return ValueTask.FromResult(HttpResponse.Text(200, "ok\n", NoStore));
            case "/readyz":
                if (_options.IsReady())
                    return ValueTask.FromResult(HttpResponse.Text(200, "ready\n", NoStore));
                var reason = _options.NotReadyReason?.Invoke() ?? "not ready";
                return ValueTask.FromResult(HttpResponse.Text(503, reason.TrimEnd() + "\n", NoStore));
            case "/":
                return ValueTask.FromResult(new HttpResponse(200, "text/html; charset=utf-8", _landing));
            default:
                return ValueTask.FromResult(HttpResponse.Text(404, "404 page not found\n"));
        }
    }

    /// <summary>Stops accepting, lets in-flight requests finish within the shutdown timeout, then closes.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_server is { } server)
            await server.StopAsync(_options.ShutdownTimeout).WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
        _metrics?.Dispose();
        _certificates?.Dispose();
    }
}
