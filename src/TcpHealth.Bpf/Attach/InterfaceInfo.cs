using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

/// <summary>Facts about a network device, in the calling thread's network namespace.</summary>
public static class InterfaceInfo
{
    private const ushort ArphrdEther = 1;
    private const ushort ArphrdLoopback = 772;

    /// <summary>The device's ifindex; throws <see cref="InterfaceNotFoundException"/> if it does not exist.</summary>
    public static int IndexOf(string interfaceName)
    {
        var index = Interop.IfNameToIndex(interfaceName);
        if (index != 0)
        {
            return (int)index;
        }

        var errno = Marshal.GetLastPInvokeError();
        throw errno == Errno.ENODEV
            ? new InterfaceNotFoundException(interfaceName)
            : new BpfException($"if_nametoindex({interfaceName})", errno);
    }

    /// <summary>
    /// Whether packets at the device's TC hooks start with an Ethernet header: true
    /// for ARPHRD_ETHER (veth, physical NICs, bridges, VLANs) and loopback (which
    /// carries a zeroed one); false for tun, wireguard and the like, which need the
    /// *_l3 programs. Asked through SIOCGIFHWADDR rather than /sys/class/net/IF/type
    /// because sysfs shows the namespace it was mounted in, not the calling thread's.
    /// </summary>
    public static unsafe bool HasEthernetHeader(string interfaceName)
    {
        var name = System.Text.Encoding.UTF8.GetBytes(interfaceName);
        if (name.Length >= 16)
        {
            throw new InterfaceNotFoundException(interfaceName);
        }

        var request = default(Interop.IfReq);
        name.CopyTo(new Span<byte>(request.Name, 16));
        var fd = Interop.Socket(Interop.AF_INET, Interop.SOCK_DGRAM | Interop.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            throw BpfException.FromLastError("socket(AF_INET)");
        }

        using var socket = new FdHandle(fd);
        if (Interop.Ioctl(socket, Interop.SIOCGIFHWADDR, &request) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw errno == Errno.ENODEV
                ? new InterfaceNotFoundException(interfaceName)
                : new BpfException($"ioctl(SIOCGIFHWADDR, {interfaceName})", errno);
        }

        return request.HwAddrFamily is ArphrdEther or ArphrdLoopback;
    }
}
