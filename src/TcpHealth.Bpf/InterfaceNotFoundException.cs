namespace TcpHealth.Bpf;

/// <summary>No device of that name exists in the calling thread's network namespace.</summary>
public sealed class InterfaceNotFoundException : BpfException
{
    internal InterfaceNotFoundException(string interfaceName)
        : base(Bpf.Errno.ENODEV, $"interface '{interfaceName}' does not exist in this network namespace (see `ip link`)")
    {
        InterfaceName = interfaceName;
    }

    public string InterfaceName { get; }
}
