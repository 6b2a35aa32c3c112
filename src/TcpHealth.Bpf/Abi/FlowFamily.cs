namespace TcpHealth.Bpf;

/// <summary>th_flow_key.family (TH_FAMILY_*).</summary>
public enum FlowFamily : byte
{
    IPv4 = 4,
    IPv6 = 6,
}
