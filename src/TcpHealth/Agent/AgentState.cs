using System.Diagnostics;
using TcpHealth.Core.Config;
using TcpHealth.Core.Flows;
using TcpHealth.Core.Identity;
using TcpHealth.Core.Metrics;

namespace TcpHealth.Agent;

/// <summary>
/// What the collection loop produces and a scrape reads, behind one lock:
/// the flow metrics, what the last collection read (not its flows: they are
/// garbage once the metrics took their deltas) and the agent's own numbers.
/// </summary>
public sealed class AgentState
{
    private volatile IdentityResolver _resolver;

    public AgentState(AgentConfig config)
    {
        _resolver = new IdentityResolver(config);
        Config = config;
        Metrics = new FlowMetrics(
            a => Labels(_resolver.Resolve(a)),
            a => _resolver.IsMonitored(a),
            config.Metrics.RttBuckets,
            config.Metrics.SeriesBudget,
            config.Metrics.SeriesTtl);
    }

    public object Lock { get; } = new();
    public FlowMetrics Metrics { get; }
    public AgentConfig Config { get; private set; }

    /// <summary>The datapath's counters at the last collection; null before the first.</summary>
    public DatapathCounters? Counters { get; private set; }

    /// <summary>Flows in the kernel table at the last collection.</summary>
    public int FlowCount { get; private set; }
    public int FlowCapacity { get; private set; }

    /// <summary>The whole last collection: reading the kernel maps and updating the metrics as it goes.</summary>
    public TimeSpan LastCollectionDuration { get; private set; }
    public int InterfacesAttached { get; set; }
    public ulong CollectionErrors { get; set; }

    /// <summary>Attached and at least one collection done.</summary>
    public bool Ready => Counters is not null;

    /// <summary>
    /// One collection: <paramref name="collect"/> reads the datapath and hands each flow
    /// straight to the metrics (the caller holds <see cref="Lock"/>, so a scrape waits for it).
    /// </summary>
    public void Collect(Func<IFlowSink, DatapathStatus> collect, DateTimeOffset now)
    {
        long start = Stopwatch.GetTimestamp();
        Metrics.BeginCollection(now);
        var status = collect(Metrics);
        Metrics.EndCollection(status.Flows);
        Counters = status.Counters;
        FlowCount = status.Flows;
        FlowCapacity = status.FlowCapacity;
        LastCollectionDuration = Stopwatch.GetElapsedTime(start);
    }

    /// <summary>A collection already read into a snapshot's lists.</summary>
    public void Record(DatapathSnapshot snapshot, DateTimeOffset now) => Collect(snapshot.SendTo, now);

    /// <summary>
    /// New zones, endpoints and monitored CIDRs apply from the next collection;
    /// series and counters stay. Bucket bounds, budget and TTL shape the
    /// series themselves and change only with a restart.
    /// </summary>
    public bool Reload(AgentConfig config)
    {
        _resolver = new IdentityResolver(config);
        Metrics.IdentitiesChanged();
        bool sameShape = config.Metrics.RttBuckets.SequenceEqual(Config.Metrics.RttBuckets) &&
                         config.Metrics.SeriesBudget == Config.Metrics.SeriesBudget &&
                         config.Metrics.SeriesTtl == Config.Metrics.SeriesTtl;
        Config = config with { Metrics = Config.Metrics };
        return sameShape;
    }

    private static EndpointLabels Labels(PeerIdentity p) => new(p.Namespace, p.Workload, p.Zone);
}
