using System.Diagnostics;
using System.Globalization;

namespace TcpHealth.Bench.Agent;

/// <summary>
/// One `tcphealth agent` under test, started in namespace A on vethA exactly as
/// a node would run it, serving on that namespace's loopback. `ip netns exec`
/// (and `env`) exec the agent in place, so the child's PID is the agent's own
/// and /proc/PID describes the agent alone.
/// </summary>
public sealed class AgentProcess : IDisposable
{
    public const int Port = 10419;
    public static readonly TimeSpan CollectionInterval = TimeSpan.FromSeconds(5);

    // Above the 100k flows of the largest case, so the flow table never fills (checked in the report).
    private const uint MaxFlows = 131072;

    private readonly Process _process;
    private readonly AgentBinary _binary;
    private readonly List<string> _stderr;
    private readonly HttpClient _http;

    private AgentProcess(Process process, AgentBinary binary, List<string> stderr, HttpClient http)
    {
        _process = process;
        _binary = binary;
        _stderr = stderr;
        _http = http;
    }

    /// <summary>Process start to the first 200 from /readyz (attached and one collection done).</summary>
    public TimeSpan TimeToReady { get; private set; }

    public static AgentProcess Start(AgentBinary binary, Testbed bed, IReadOnlyList<string> environment)
    {
        var argv = Shell.InNamespace(bed.NamespaceA,
        [
            "env", .. environment, binary.Path, "agent", "-i", Testbed.DeviceA,
            "--web.listen-address", $"127.0.0.1:{Port}",
            "--max-flows", MaxFlows.ToString(CultureInfo.InvariantCulture),
            "--collection-interval", $"{CollectionInterval.TotalSeconds:0}s",
        ]);
        var stderr = new List<string>();
        var sw = Stopwatch.StartNew();
        var p = Shell.StartBackground(
            line =>
            {
                lock (stderr)
                {
                    stderr.Add(line);
                }
            },
            argv);
        var agent = new AgentProcess(p, binary, stderr, NamespaceHttp.Client(bed.NamespaceA, TimeSpan.FromSeconds(10)));
        try
        {
            agent.WaitReady(sw);
            return agent;
        }
        catch
        {
            agent.Dispose();
            throw;
        }
    }

    public string Metrics()
    {
        try
        {
            return _http.GetStringAsync($"http://127.0.0.1:{Port}/metrics").GetAwaiter().GetResult();
        }
        catch (HttpRequestException) when (_process.HasExited)
        {
            // Say why (e.g. an OutOfMemoryException under a --agent-env heap limit), not just "connection refused".
            throw new InvalidOperationException($"{_binary.Path} exited with {_process.ExitCode} during the run: {Stderr()}");
        }
    }

    public ProcessSample Sample() => ProcessSample.Read(_process.Id);

    /// <summary>SIGTERM, as a DaemonSet rollout would, and a clean exit.</summary>
    public void Stop()
    {
        if (_process.HasExited)
        {
            return;
        }

        Shell.Run("kill", "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture));
        if (!_process.WaitForExit(10_000))
        {
            throw new InvalidOperationException($"{_binary.Path} did not exit within 10 s of SIGTERM: {Stderr()}");
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone (e.g. reaped by Shell.CleanUp on a signal).
        }

        _http.Dispose();
    }

    private void WaitReady(Stopwatch sinceStart)
    {
        while (sinceStart.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
            {
                _process.WaitForExit();
                throw new InvalidOperationException($"{_binary.Path} exited with {_process.ExitCode}: {Stderr()}");
            }

            try
            {
                using var response = _http.GetAsync($"http://127.0.0.1:{Port}/readyz").GetAwaiter().GetResult();
                if (response.IsSuccessStatusCode)
                {
                    TimeToReady = sinceStart.Elapsed;
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            // Fine-grained: the poll period bounds the start-up time's resolution.
            Thread.Sleep(5);
        }

        throw new InvalidOperationException($"{_binary.Path} was not ready within 30 s: {Stderr()}");
    }

    private string Stderr()
    {
        lock (_stderr)
        {
            return string.Join(" | ", _stderr);
        }
    }
}
