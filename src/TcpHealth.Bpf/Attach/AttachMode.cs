namespace TcpHealth.Bpf;

public enum AttachMode
{
    /// <summary>TCX where the kernel has it (6.6+), else legacy TC.</summary>
    Auto,

    /// <summary>A TCX link (bpf_link_create): detaches when disposed or when the process exits.</summary>
    Tcx,

    /// <summary>A cls_bpf filter on the clsact qdisc: outlives the process unless disposed.</summary>
    Tc,
}
