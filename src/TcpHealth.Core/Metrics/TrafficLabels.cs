namespace TcpHealth.Core.Metrics;

/// <summary>
/// The labels of every traffic metric: who sent (src) to whom (dst). No IPs
/// or ports, so the set stays bounded by workloads, not by connections.
/// </summary>
public readonly record struct TrafficLabels(
    string SrcNamespace, string SrcWorkload, string SrcZone,
    string DstNamespace, string DstWorkload, string DstZone)
{
    public const string Unknown = "unknown";

    /// <summary>Where label sets beyond the series budget are folded.</summary>
    public const string OverflowValue = "overflow";

    public static readonly IReadOnlyList<string> Names =
        ["src_namespace", "src_workload", "src_zone", "dst_namespace", "dst_workload", "dst_zone"];

    public static readonly TrafficLabels Overflow =
        new(OverflowValue, OverflowValue, OverflowValue, OverflowValue, OverflowValue, OverflowValue);

    /// <summary>Both zones known and different: traffic clouds bill as cross-zone.</summary>
    public bool IsCrossZone => SrcZone != Unknown && DstZone != Unknown && SrcZone != OverflowValue && SrcZone != DstZone;

    public TrafficLabels Reversed => new(DstNamespace, DstWorkload, DstZone, SrcNamespace, SrcWorkload, SrcZone);

    public string[] Values => [SrcNamespace, SrcWorkload, SrcZone, DstNamespace, DstWorkload, DstZone];
}
