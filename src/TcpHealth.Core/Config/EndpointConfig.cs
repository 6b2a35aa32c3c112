namespace TcpHealth.Core.Config;

/// <summary>
/// One `endpoints:` entry: a named peer (an external service, or this host in
/// host mode) that owns <see cref="Cidrs"/>.
/// </summary>
/// <param name="Namespace">Label value for its namespace; "unknown" when the config leaves it out.</param>
/// <param name="Zone">Its zone, or null to take the zone of each address from the `zones:` map.</param>
public sealed record EndpointConfig(string Name, string Namespace, string? Zone, IReadOnlyList<IpPrefix> Cidrs);
