using TcpHealth.Core.Config;
using TcpHealth.Core.Flows;
using TcpHealth.Core.Identity;
using TcpHealth.Core.Metrics;

namespace TcpHealth.Agent;

/// <summary>
/// What the collection loop produces and a scrape reads, behind one lock:
/// the flow metrics, the last datapath snapshot and the agent's own numbers.
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
    public DatapathSnapshot? Last { get; private set; }
    public TimeSpan LastCollectionDuration { get; private set; }
    public int InterfacesAttached { get; set; }
    public ulong CollectionErrors { get; set; }

    /// <summary>Attached and at least one collection done.</summary>
    public bool Ready => Last is not null;

    public void Record(DatapathSnapshot snapshot, TimeSpan took, DateTimeOffset now)
    {
        Metrics.Observe(snapshot, now);
        Last = snapshot;
        LastCollectionDuration = took;
    }

    /// <summary>
    /// New zones, endpoints and monitored CIDRs apply from the next collection;
    /// series and counters stay. Bucket bounds, budget and TTL shape the
    /// series themselves and change only with a restart.
    /// </summary>
    public bool Reload(AgentConfig config)
    {
        _resolver = new IdentityResolver(config);
        bool sameShape = config.Metrics.RttBuckets.SequenceEqual(Config.Metrics.RttBuckets) &&
                         config.Metrics.SeriesBudget == Config.Metrics.SeriesBudget &&
                         config.Metrics.SeriesTtl == Config.Metrics.SeriesTtl;
        Config = config with { Metrics = Config.Metrics };
        return sameShape;
    }

    private static EndpointLabels Labels(PeerIdentity p) => new(p.Namespace, p.Workload, p.Zone);

}
