using System.Diagnostics;
using System.Text.Json;
using TcpHealth.Lab;

namespace TcpHealth.EndToEnd.Tests;

/// <summary>
/// The real `tcphealth watch --json` binary running inside a lab namespace.
/// <see cref="Stop"/> sends SIGINT, as a user's Ctrl-C would, and returns
/// the last record the CLI printed for every flow.
/// </summary>
public sealed class WatchProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly TaskCompletionSource _attached = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private WatchProcess(Process process) => _process = process;

    public IReadOnlyList<string> Stderr { get { lock (_stderr) return _stderr.ToList(); } }

    /// <summary>
    /// The build users run: bin/tcphealth as `make build` publishes it (self-contained,
    /// trimmed, ReadyToRun), so the tests also prove that trimming left nothing out.
    /// `make test` builds first; after `dotnet test` alone it may be an older build.
    /// </summary>
    public static string BinaryPath
    {
        get
        {
            var published = Path.Combine(TestObjects.RepoRoot, "bin", "tcphealth");
            var target = new FileInfo(published).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? published;
            if (!File.Exists(target))
                throw new InvalidOperationException($"{published} is missing: run `make build` (`make test` does)");
            return published;
        }
    }

    /// <summary>
    /// A prefix that gives tcphealth default SIGINT and SIGHUP: a test run started in
    /// the background (`nohup make test &`) passes them on ignored, and .NET then
    /// never delivers them, so the tests of both would fail for the runner's reasons.
    /// </summary>
    public static readonly string[] DefaultSignals = ["env", "--default-signal=INT,HUP"];

    public static WatchProcess Start(NetworkNamespace ns, params string[] watchArgs)
    {
        var psi = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in (string[])["netns", "exec", ns.Name, .. DefaultSignals, BinaryPath, "watch", "--json", "--interval", "0.5", .. watchArgs])
            psi.ArgumentList.Add(a);
        var p = new Process { StartInfo = psi };
        var w = new WatchProcess(p);
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (w._stdout) w._stdout.Add(e.Data); };
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            lock (w._stderr) w._stderr.Add(e.Data);
            if (e.Data.Contains("watching", StringComparison.Ordinal))
                w._attached.TrySetResult();
        };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!w._attached.Task.Wait(TimeSpan.FromSeconds(20)))
        {
            w.Dispose();
            throw new InvalidOperationException("tcphealth watch did not attach: " + string.Join(" | ", w.Stderr));
        }
        return w;
    }

    /// <summary>SIGINT, wait for a clean exit, and return the final record of each flow.</summary>
    public IReadOnlyList<JsonElement> Stop()
    {
        Assert.Equal(0, TestObjects.Signal(_process.Id, 2 /* SIGINT */));
        Assert.True(_process.WaitForExit(15_000), "tcphealth watch did not exit within 15 s of SIGINT");
        _process.WaitForExit(); // drains the output readers
        Assert.True(_process.ExitCode == 0, $"exit code {_process.ExitCode}: {string.Join(" | ", Stderr)}");
        return LastRecordPerFlow();
    }

    public IReadOnlyList<JsonElement> LastRecordPerFlow()
    {
        var last = new Dictionary<string, JsonElement>();
        lock (_stdout)
        {
            foreach (var line in _stdout)
            {
                var e = JsonDocument.Parse(line).RootElement;
                last[$"{e.GetProperty("iface").GetString()} {e.GetProperty("proto").GetString()} {e.GetProperty("src").GetString()} {e.GetProperty("dst").GetString()}"] = e;
            }
        }
        return last.Values.ToList();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }
        _process.Dispose();
    }
}
