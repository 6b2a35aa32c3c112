namespace TcpHealth.Bpf;

/// <summary>A program attached to one hook of one interface; Dispose detaches it.</summary>
public abstract class Attachment(string interfaceName, int ifindex, HookDirection direction) : IDisposable
{
    public string Interface { get; } = interfaceName;

    /// <summary>The ifindex in the namespace the attachment was made from (what flow keys carry).</summary>
    public int IfIndex { get; } = ifindex;

    public HookDirection Direction { get; } = direction;

    public abstract AttachMode ActualMode { get; }

    public abstract void Dispose();
}
