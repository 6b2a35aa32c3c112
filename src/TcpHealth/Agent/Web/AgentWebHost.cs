using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace TcpHealth.Agent.Web;

/// <summary>
/// The agent's HTTP(S) server: /metrics, /healthz, /readyz and a landing page on Kestrel, with the
/// exporter-toolkit TLS and basic-auth options. Start once, stop once.
/// </summary>
public sealed class AgentWebHost : IAsyncDisposable
{
    private const string TextPlain = "text/plain; charset=utf-8";

    private readonly AgentWebHostOptions _options;
    private WebApplication? _app;
    private MetricsEndpoint? _metrics;
    private TlsCertificateSource? _certificates;
    private bool _stopped;
    private bool _started;

    public AgentWebHost(AgentWebHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ListenAddresses.Count == 0)
            throw new ArgumentException("at least one listen address is needed", nameof(options));
        _options = options;
    }

    /// <summary>Where the server listens once started, with real ports when port 0 was asked for.</summary>
    public IReadOnlyList<Uri> BoundUris { get; private set; } = [];

    /// <summary>The first of <see cref="BoundUris"/>; a wildcard host is replaced by loopback so tests can connect.</summary>
    public Uri BoundUri => BoundUris.Count > 0
        ? BoundUris[0]
        : throw new InvalidOperationException("the web host is not started");

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
            throw new InvalidOperationException("the web host was already started");

        var config = _options.WebConfig;
        BasicAuthenticator? auth = null;
        if (config.BasicAuthUsers.Count > 0)
        {
            Bcrypt.EnsureAvailable();
            auth = new BasicAuthenticator(config.BasicAuthUsers);
        }
        if (config.Tls is { } tls)
            _certificates = new TlsCertificateSource(tls);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
        });
        // The agent is configured by its flags only: no appsettings.json or "Kestrel__Endpoints__*"
        // environment adding endpoints behind the operator's back.
        builder.Configuration.Sources.Clear();

        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // ASPNETCORE_URLS / ASPNETCORE_HTTP_PORTS (set by Microsoft's container images) reach Kestrel through
        // options captured before the sources above are cleared, so it warns "Overriding address(es)" at
        // startup although our addresses win; it also warns when "localhost" has no IPv6. Both are expected
        // here, so Kestrel's own warnings are muted until started (bind failures still throw).
        builder.Logging.AddFilter((category, level) =>
            level >= LogLevel.Warning
            && (level >= LogLevel.Error || Volatile.Read(ref _started) || category != "Microsoft.AspNetCore.Server.Kestrel"));
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.IncludeScopes = false;
        });
        // stdout is for the agent's own output; ASP.NET warnings go to stderr with the rest of the logs.
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSingleton<IHostLifetime, NoopHostLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = _options.ShutdownTimeout);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 64 * 1024; // no endpoint reads a body
            foreach (var address in _options.ListenAddresses)
                Listen(kestrel, address, ConfigureListener);
        });

        var app = builder.Build();
        _metrics = new MetricsEndpoint(_options.Renderer, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("TcpHealth.Agent.Web"));
        if (auth is not null)
            app.Use(BasicAuthMiddleware.Create(auth));
        MapEndpoints(app, _metrics);

        _app = app;
        await app.StartAsync(cancellationToken);
        Volatile.Write(ref _started, true);
        BoundUris = ReadBoundUris(app);
    }

    private void ConfigureListener(ListenOptions listen)
    {
        if (_certificates is null)
        {
            listen.Protocols = HttpProtocols.Http1;
            return;
        }
        // HTTP/2 via ALPN under TLS, as exporter-toolkit's default http2: true.
        listen.Protocols = HttpProtocols.Http1AndHttp2;
        var certificates = _certificates;
        listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificateSelector = (_, _) => certificates.Current,
            SslProtocols = _options.WebConfig.Tls!.EnabledProtocols,
            ClientCertificateMode = ClientCertificateMode.NoCertificate,
        });
    }

    private static void Listen(KestrelServerOptions kestrel, ListenAddress address, Action<ListenOptions> configure)
    {
        if (address.IsAnyHost)
            kestrel.ListenAnyIP(address.Port, configure); // [::] dual-stack, IPv4 0.0.0.0 when IPv6 is off
        else if (address.IsLocalhost)
            kestrel.ListenLocalhost(address.Port, configure);
        else if (address.Address is { } ip)
            kestrel.Listen(ip, address.Port, configure);
        else
        {
            // Like Go's net.Listen: a hostname binds one of its addresses, IPv4 preferred.
            var ips = Dns.GetHostAddresses(address.Host);
            var chosen = ips.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                         ?? ips.FirstOrDefault()
                         ?? throw new SocketException((int)SocketError.HostNotFound);
            kestrel.Listen(chosen, address.Port, configure);
        }
    }

    private void MapEndpoints(WebApplication app, MetricsEndpoint metrics)
    {
        var landing = LandingPage.Render(_options.Version);
        app.MapGet("/metrics", metrics.HandleAsync);
        app.MapGet("/healthz", static context => PlainText(context, StatusCodes.Status200OK, "ok\n"));
        app.MapGet("/readyz", context =>
        {
            if (_options.IsReady())
                return PlainText(context, StatusCodes.Status200OK, "ready\n");
            var reason = _options.NotReadyReason?.Invoke() ?? "not ready";
            return PlainText(context, StatusCodes.Status503ServiceUnavailable, reason.TrimEnd() + "\n");
        });
        app.MapGet("/", context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.ContentLength = landing.Length;
            return context.Response.Body.WriteAsync(landing, context.RequestAborted).AsTask();
        });
    }

    private static Task PlainText(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = TextPlain;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    private static IReadOnlyList<Uri> ReadBoundUris(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return addresses.Select(a =>
        {
            var uri = new Uri(a);
            // "[::]" and "0.0.0.0" are not connectable everywhere; loopback of the same family is.
            var host = uri.Host switch
            {
                "[::]" => "[::1]",
                "0.0.0.0" => "127.0.0.1",
                _ => uri.Host,
            };
            return new UriBuilder(uri) { Host = host }.Uri;
        }).ToList();
    }

    /// <summary>Stops accepting, lets in-flight requests finish within the shutdown timeout, then closes.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        var app = _app;
        if (app is null || _stopped)
            return;
        _stopped = true;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ShutdownTimeout);
        await app.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
        _metrics?.Dispose();
        _certificates?.Dispose();
    }
}
