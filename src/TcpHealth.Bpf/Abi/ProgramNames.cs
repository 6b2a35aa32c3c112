namespace TcpHealth.Bpf;

/// <summary>Program names in tcphealth.bpf.o.</summary>
public static class ProgramNames
{
    public const string Egress = "tcphealth_egress";
    public const string Ingress = "tcphealth_ingress";

    /// <summary>For devices without an Ethernet header (tun, wireguard): see <see cref="InterfaceInfo.HasEthernetHeader"/>.</summary>
    public const string EgressL3 = "tcphealth_egress_l3";
    public const string IngressL3 = "tcphealth_ingress_l3";

    /// <summary>Every program of ours starts with this; the kernel keeps only 15 bytes of a name, so match on the prefix.</summary>
    public const string Prefix = "tcphealth_";

    public static string For(HookDirection direction, bool hasEthernetHeader) => (direction, hasEthernetHeader) switch
    {
        (HookDirection.Ingress, true) => Ingress,
        (HookDirection.Egress, true) => Egress,
        (HookDirection.Ingress, false) => IngressL3,
        _ => EgressL3,
    };
}
