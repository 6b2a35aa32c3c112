namespace TcpHealth.Bpf;

/// <summary>A TCX link; closing its fd detaches the program, in whatever namespace the device now is.</summary>
internal sealed class TcxAttachment(FdHandle link, string interfaceName, int ifindex, HookDirection direction) : IAttachment
{
    public string Interface { get; } = interfaceName;

    public int IfIndex { get; } = ifindex;

    public HookDirection Direction { get; } = direction;

    public AttachMode ActualMode => AttachMode.Tcx;

    public void Dispose() => link.Dispose();
}
