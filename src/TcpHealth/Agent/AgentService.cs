using System.Net.NetworkInformation;
using System.Runtime.InteropServices;
using TcpHealth.Agent.Web;
using TcpHealth.Bpf;
using TcpHealth.Core.Config;
using TcpHealth.Datapath;

namespace TcpHealth.Agent;

/// <summary>
/// The agent's life: read config, load and attach, serve, collect every
/// interval, reload on SIGHUP, and detach everything on SIGTERM/SIGINT.
/// </summary>
public static class AgentService
{
    public static async Task<int> RunAsync(AgentSettings s, CancellationToken invocationToken)
    {
        AgentConfig config;
        WebConfig web;
        try
        {
            config = s.ConfigPath is null ? AgentConfig.Default : AgentConfigLoader.Load(s.ConfigPath);
            web = s.WebConfigPath is null ? WebConfig.Empty : WebConfigLoader.Load(s.WebConfigPath);
        }
        catch (Exception e) when (e is ConfigException or WebConfigException)
        {
            return Fail(e.Message);
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(invocationToken);
        int reloadRequested = 0;
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        SignalDisposition.Restore(SignalDisposition.SIGHUP);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, c => { c.Cancel = true; Interlocked.Exchange(ref reloadRequested, 1); });

        var log = new StderrLog();
        DatapathSession session;
        try
        {
            session = DatapathSession.Open(new DatapathOptions
            {
                Interfaces = [.. s.Interfaces.Union(MatchingInterfaces(s))],
                AttachMode = s.AttachMode,
                MaxFlows = s.MaxFlows,
            }, log);
        }
        catch (DatapathSetupException e)
        {
            return Fail(e.Message);
        }

        using (session)
        {
            var state = new AgentState(config) { InterfacesAttached = session.Interfaces.Count };
            var host = new AgentWebHost(new AgentWebHostOptions
            {
                ListenAddresses = s.ListenAddresses,
                WebConfig = web,
                Renderer = new MetricsRenderer(state),
                IsReady = () => state.Ready,
                NotReadyReason = () => "the first collection has not finished yet",
            });
            try
            {
                await host.StartAsync(stop.Token);
            }
            catch (IOException e)
            {
                await host.DisposeAsync();
                return Fail($"cannot listen on {string.Join(", ", s.ListenAddresses)}: {e.Message}");
            }

            Console.Error.WriteLine($"tcphealth: agent serving {string.Join(", ", host.BoundUris)}; attached to {session.Describe()}");
            try
            {
                using var timer = new PeriodicTimer(s.CollectionInterval);
                var heap = new HeapTrimmer();
                do
                {
                    if (Interlocked.Exchange(ref reloadRequested, 0) == 1)
                        Reload(s, state);
                    Collect(s, session, state);
                    heap.AfterCollection(DateTimeOffset.UtcNow);
                }
                while (await timer.WaitForNextTickAsync(stop.Token));
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                await host.StopAsync();
                await host.DisposeAsync();
            }
        }
        Console.Error.WriteLine("tcphealth: agent stopped, everything detached");
        return ExitCodes.Ok;
    }

    private static void Collect(AgentSettings s, DatapathSession session, AgentState state)
    {
        try
        {
            if (s.InterfacePattern is not null)
                SyncInterfaces(s, session);
            lock (state.Lock)
            {
                // Timed inside, without the wait for a scrape to release the lock.
                state.Collect(session.Collect, DateTimeOffset.UtcNow);
                state.InterfacesAttached = session.Interfaces.Count;
            }
        }
        catch (Exception e) when (e is Bpf.BpfException or DatapathSetupException)
        {
            // One failed read is reported and counted; the next interval tries again.
            lock (state.Lock)
                state.CollectionErrors++;
            Console.Error.WriteLine($"tcphealth: collection failed: {e.Message}");
        }
    }

    // New interfaces (a pod's veth) are attached as they appear, also under a name that
    // was attached before; vanished ones forgotten.
    private static void SyncInterfaces(AgentSettings s, DatapathSession session)
    {
        var wanted = s.Interfaces.Union(MatchingInterfaces(s)).ToHashSet();
        foreach (var gone in session.Interfaces.Where(i => !wanted.Contains(i)).Concat(session.Recreated()).ToList())
            session.Detach(gone);
        foreach (var name in wanted.Where(i => !session.Interfaces.Contains(i)))
        {
            try
            {
                session.Attach(name);
                Console.Error.WriteLine($"tcphealth: attached to {name}");
            }
            catch (DatapathSetupException e)
            {
                Console.Error.WriteLine($"tcphealth: cannot attach to {name}: {e.Message}");
            }
        }
    }

    private static IEnumerable<string> MatchingInterfaces(AgentSettings s) =>
        s.InterfacePattern is null
            ? []
            : NetworkInterface.GetAllNetworkInterfaces().Select(i => i.Name).Where(n => s.InterfacePattern.IsMatch(n));

    private static void Reload(AgentSettings s, AgentState state)
    {
        if (s.ConfigPath is null)
            return;
        try
        {
            var config = AgentConfigLoader.Load(s.ConfigPath);
            bool sameShape;
            lock (state.Lock)
                sameShape = state.Reload(config);
            Console.Error.WriteLine($"tcphealth: reloaded {s.ConfigPath}" +
                (sameShape ? "" : "; metrics settings (buckets, budget, TTL) take effect after a restart"));
        }
        catch (ConfigException e)
        {
            Console.Error.WriteLine($"tcphealth: reload failed, keeping the previous config: {e.Message}");
        }
    }

    private static int Fail(string message)
    {
        Console.Error.WriteLine($"tcphealth: error: {message}");
        return ExitCodes.Usage;
    }
}
