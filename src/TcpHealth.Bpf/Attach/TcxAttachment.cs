namespace TcpHealth.Bpf;

/// <summary>A TCX link; closing its fd detaches the program, in whatever namespace the device now is.</summary>
public sealed class TcxAttachment : Attachment
{
    private readonly FdHandle _link;

    internal TcxAttachment(FdHandle link, string interfaceName, int ifindex, HookDirection direction)
        : base(interfaceName, ifindex, direction)
    {
        _link = link;
    }

    public override AttachMode ActualMode => AttachMode.Tcx;

    /// <summary>
    /// Puts <paramref name="program"/> on the link in place of the one there, in one step: every
    /// packet meets one or the other (the benchmark alternates programs within one transfer).
    /// </summary>
    public unsafe void Replace(BpfProgram program) =>
        BpfException.ThrowIfNegative(Interop.BpfLinkUpdate(_link.Fd, program.Fd, null), "bpf_link_update", $"{Direction} of {Interface}");

    public override void Dispose() => _link.Dispose();
}
