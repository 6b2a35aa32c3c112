using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TcpHealth.Lab;

namespace TcpHealth.EndToEnd.Tests;

/// <summary>
/// A real Prometheus (Debian's package) started inside a lab namespace,
/// scraping given targets every second, with its data in a temp directory
/// that is removed on Dispose. Queried over its HTTP API.
/// </summary>
public sealed class PrometheusServer : IDisposable
{
    private const int Port = 19090;
    private readonly Process _process;
    private readonly string _dir;
    private readonly HttpClient _http;

    private PrometheusServer(Process process, string dir, HttpClient http)
    {
        _process = process;
        _dir = dir;
        _http = http;
    }

    public static PrometheusServer Start(NetworkNamespace ns, params string[] targets)
    {
        var dir = Directory.CreateTempSubdirectory("tcphealth-prom-").FullName;
        var config = $"""
            global:
              scrape_interval: 1s
              scrape_timeout: 900ms
            scrape_configs:
              - job_name: tcphealth
                static_configs:
                  - targets: [{string.Join(", ", targets.Select(t => $"'{t}'"))}]
            """;
        File.WriteAllText(Path.Combine(dir, "prometheus.yml"), config);
        var process = ns.StartProcess("prometheus",
            $"--config.file={Path.Combine(dir, "prometheus.yml")}",
            $"--storage.tsdb.path={Path.Combine(dir, "data")}",
            $"--web.listen-address=127.0.0.1:{Port}",
            "--log.level=warn");
        var server = new PrometheusServer(process, dir, NamespaceHttp.Client(ns));
        try
        {
            server.WaitUntil(() => server.Get("/-/ready").IsSuccessStatusCode, TimeSpan.FromSeconds(30), "Prometheus did not become ready");
        }
        catch
        {
            server.Dispose();
            throw;
        }
        return server;
    }

    private HttpResponseMessage Get(string path)
    {
        try
        {
            return _http.GetAsync($"http://127.0.0.1:{Port}{path}").GetAwaiter().GetResult();
        }
        catch (HttpRequestException)
        {
            return new HttpResponseMessage(System.Net.HttpStatusCode.ServiceUnavailable);
        }
    }

    /// <summary>The value of an instant PromQL query that returns one sample, or null when it returns none.</summary>
    public double? Scalar(string promql)
    {
        var response = Get("/api/v1/query?query=" + Uri.EscapeDataString(promql));
        var body = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        Assert.True(response.IsSuccessStatusCode, $"query {promql} failed: {body}");
        var result = JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("result");
        if (result.GetArrayLength() == 0)
            return null;
        Assert.True(result.GetArrayLength() == 1, $"query {promql} returned {result.GetArrayLength()} series: {body}");
        var text = result[0].GetProperty("value")[1].GetString()!;
        return double.Parse(text, CultureInfo.InvariantCulture);
    }

    /// <summary>Polls a query until <paramref name="done"/> holds for its value (scrapes are asynchronous).</summary>
    public double? WaitFor(string promql, Func<double?, bool> done, TimeSpan timeout)
    {
        double? last = null;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            last = Scalar(promql);
            if (done(last))
                return last;
            Thread.Sleep(500);
        }
        return last;
    }

    private void WaitUntil(Func<bool> condition, TimeSpan timeout, string message)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (_process.HasExited || sw.Elapsed > timeout)
                throw new InvalidOperationException(message);
            Thread.Sleep(200);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
        _http.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
