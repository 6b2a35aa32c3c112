using System.Text.RegularExpressions;
using TcpHealth.Agent.Web;
using TcpHealth.Bpf;

namespace TcpHealth.Agent;

/// <summary>Everything `tcphealth agent` was told on its command line, validated.</summary>
public sealed record AgentSettings(
    IReadOnlyList<string> Interfaces,
    Regex? InterfacePattern,
    string? ConfigPath,
    IReadOnlyList<ListenAddress> ListenAddresses,
    string? WebConfigPath,
    TimeSpan CollectionInterval,
    AttachMode AttachMode,
    uint MaxFlows)
{
    /// <summary>
    /// 9100-9999 of Prometheus' default port allocations is used up; new
    /// exporters take ports above 10000. 10419 was not listed when chosen.
    /// </summary>
    public const int DefaultPort = 10419;
}
