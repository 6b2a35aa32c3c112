namespace TcpHealth.Bpf;

/// <summary>th_flow.initiator (TH_INIT_*): which side sent the first SYN.</summary>
public enum Initiator : byte
{
    Unknown = 0,
    Src = 1,
    Dst = 2,
}
