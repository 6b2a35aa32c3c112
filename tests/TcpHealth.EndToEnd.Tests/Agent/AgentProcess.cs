using System.Diagnostics;
using TcpHealth.Lab;

namespace TcpHealth.EndToEnd.Tests;

/// <summary>
/// The real `tcphealth agent` running inside a lab namespace, listening on
/// that namespace's loopback. Start returns once /readyz says ready;
/// Stop sends SIGTERM, as Kubernetes would, and checks a clean, quick exit.
/// </summary>
public sealed class AgentProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _stderr = [];

    private readonly string _scheme;

    private AgentProcess(Process process, int port, HttpClient http, string scheme)
    {
        _process = process;
        Port = port;
        Http = http;
        _scheme = scheme;
    }

    public int Port { get; }

    /// <summary>The agent's pid (`ip netns exec` execs it in place).</summary>
    public int Pid => _process.Id;
    public HttpClient Http { get; }
    public string BaseUrl => $"{_scheme}://127.0.0.1:{Port}";
    public IReadOnlyList<string> Stderr { get { lock (_stderr) return _stderr.ToList(); } }

    /// <summary>
    /// SIGHUP ignored, as `nohup` hands it on: the agent must still reload on it.
    /// SIGINT gets its default back for the reason in <see cref="WatchProcess.DefaultSignals"/>.
    /// </summary>
    private static readonly string[] AsUnderNohup = ["env", "--default-signal=INT", "--ignore-signal=HUP"];

    public static AgentProcess Start(NetworkNamespace ns, int port, params string[] agentArgs) =>
        Start(ns, port, NamespaceHttp.Client(ns), "http", agentArgs);

    /// <summary>
    /// An agent whose web config (in <paramref name="agentArgs"/>) asks for TLS or
    /// credentials: <paramref name="http"/> must trust its certificate and carry them,
    /// /readyz included.
    /// </summary>
    public static AgentProcess Start(NetworkNamespace ns, int port, HttpClient http, string scheme, params string[] agentArgs)
    {
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in (string[])["netns", "exec", ns.Name, .. AsUnderNohup, WatchProcess.BinaryPath, "agent",
                     "--web.listen-address", $"127.0.0.1:{port}", "--collection-interval", "1s", .. agentArgs])
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        var agent = new AgentProcess(p, port, http, scheme);
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (agent._stderr) agent._stderr.Add(e.Data); };
        p.OutputDataReceived += (_, _) => { };
        p.BeginErrorReadLine();
        p.BeginOutputReadLine();

        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (p.HasExited)
                break;
            try
            {
                if (agent.Http.GetAsync(agent.BaseUrl + "/readyz").GetAwaiter().GetResult().IsSuccessStatusCode)
                    return agent;
            }
            catch (HttpRequestException)
            {
            }
            Thread.Sleep(200);
        }
        agent.Dispose();
        throw new InvalidOperationException("tcphealth agent did not become ready: " + string.Join(" | ", agent.Stderr));
    }

    public int Signal(int signal) => TestObjects.Signal(_process.Id, signal);

    /// <summary>SIGTERM and a clean exit within a few seconds.</summary>
    public void Stop()
    {
        Assert.Equal(0, TestObjects.Signal(_process.Id, 15 /* SIGTERM */));
        Assert.True(_process.WaitForExit(5_000), "tcphealth agent did not exit within 5 s of SIGTERM");
        _process.WaitForExit();
        Assert.True(_process.ExitCode == 0, $"exit code {_process.ExitCode}: {string.Join(" | ", Stderr)}");
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
        Http.Dispose();
    }
}
