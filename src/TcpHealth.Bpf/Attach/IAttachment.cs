namespace TcpHealth.Bpf;

/// <summary>A program attached to one hook of one interface; Dispose detaches it.</summary>
public interface IAttachment : IDisposable
{
    string Interface { get; }

    /// <summary>The ifindex in the namespace the attachment was made from (what flow keys carry).</summary>
    int IfIndex { get; }

    HookDirection Direction { get; }

    AttachMode ActualMode { get; }
}
