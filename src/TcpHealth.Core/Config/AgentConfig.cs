namespace TcpHealth.Core.Config;

/// <summary>
/// The agent's `--config` file, validated. <see cref="Default"/> is what an
/// empty file gives: no zones, endpoints or monitored ranges, so every peer
/// resolves to "unknown", and default metric settings.
/// </summary>
/// <remarks>Built by <see cref="AgentConfigLoader"/>; the lists are read-only snapshots.</remarks>
public sealed record AgentConfig(
    IReadOnlyList<ZoneMapping> Zones,
    IReadOnlyList<EndpointConfig> Endpoints,
    IReadOnlyList<IpPrefix> Monitored,
    MetricsConfig Metrics)
{
    public static AgentConfig Default { get; } = new([], [], [], MetricsConfig.Default);
}
