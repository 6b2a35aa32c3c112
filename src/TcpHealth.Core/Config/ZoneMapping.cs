namespace TcpHealth.Core.Config;

/// <summary>One `zones:` entry: every address in <paramref name="Cidr"/> is in availability zone <paramref name="Zone"/>.</summary>
public sealed record ZoneMapping(IpPrefix Cidr, string Zone);
