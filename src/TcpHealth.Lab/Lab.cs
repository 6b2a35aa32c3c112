using System.Globalization;
using System.Net;

namespace TcpHealth.Lab;

/// <summary>
/// The standard two-host lab: namespaces "th&lt;rand&gt;a" and "th&lt;rand&gt;b" joined by a
/// <see cref="DelayLine"/> (TAP or TUN devices, see <see cref="DelayLineOptions.Mode"/>),
/// with IPv4 and IPv6 addresses and optionally an 802.1Q VLAN (TAP only).
/// Dispose removes everything (delay line, TAPs, VLANs, namespaces, processes).
///
/// Naming gotcha: this type is TcpHealth.Lab.Lab. Code in any namespace under TcpHealth.*
/// resolves a bare "Lab" to the namespace; use an alias such as
/// <c>using TestLab = TcpHealth.Lab.Lab;</c> placed inside your namespace declaration.
/// </summary>
public sealed class Lab : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    private Lab(NetworkNamespace a, NetworkNamespace b)
    {
        A = a;
        B = b;
    }

    /// <summary>Namespace of host a (the usual client/sender side; drops happen on a→b).</summary>
    public NetworkNamespace A { get; }

    /// <summary>Namespace of host b (the usual server side).</summary>
    public NetworkNamespace B { get; }

    public DelayLine DelayLine { get; private set; } = null!;

    public string InterfaceA => DelayLine.Options.InterfaceA;
    public string InterfaceB => DelayLine.Options.InterfaceB;

    public static IPAddress AddressA4 { get; } = IPAddress.Parse("10.231.0.1");
    public static IPAddress AddressB4 { get; } = IPAddress.Parse("10.231.0.2");
    public static IPAddress AddressA6 { get; } = IPAddress.Parse("fd00:231::1");
    public static IPAddress AddressB6 { get; } = IPAddress.Parse("fd00:231::2");
    public static IPAddress VlanAddressA4 { get; } = IPAddress.Parse("10.232.0.1");
    public static IPAddress VlanAddressB4 { get; } = IPAddress.Parse("10.232.0.2");

    /// <summary>VLAN id if the lab has a VLAN, else null.</summary>
    public int? VlanId { get; private set; }

    /// <summary>VLAN sub-interface in a ("tha.ID"), or null.</summary>
    public string? VlanInterfaceA => VlanId is { } id ? $"{InterfaceA}.{id}" : null;

    /// <summary>VLAN sub-interface in b ("thb.ID"), or null.</summary>
    public string? VlanInterfaceB => VlanId is { } id ? $"{InterfaceB}.{id}" : null;

    /// <summary>The round trip the delay line adds: 2 × one-way delay.</summary>
    public TimeSpan ExpectedRtt => DelayLine.Options.Delay * 2;

    private static readonly Lazy<bool> VlanProbe = new(ProbeVlanSupport);

    /// <summary>
    /// False when the kernel was built without CONFIG_VLAN_8021Q (e.g. the Firecracker-style
    /// 6.18 kernel this project was first developed on): "type vlan" links cannot be created.
    /// </summary>
    public static bool IsVlanSupported => VlanProbe.Value;

    public static Lab Create(TimeSpan oneWayDelay, int dropEvery = 0, int? vlanId = null) =>
        Create(new DelayLineOptions { Delay = oneWayDelay, DropEvery = dropEvery }, vlanId);

    public static Lab Create(DelayLineOptions options, int? vlanId = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (vlanId is < 1 or > 4094) throw new ArgumentOutOfRangeException(nameof(vlanId));
        if (vlanId is not null && options.Mode == DeviceMode.Tun)
            throw new ArgumentException("VLANs need Ethernet (TAP) devices, not TUN", nameof(vlanId));
        if (vlanId is not null && !IsVlanSupported)
            throw new NotSupportedException("this kernel has no 802.1Q VLAN support (CONFIG_VLAN_8021Q is not set)");

        string stem = NetworkNamespace.RandomName("th");
        NetworkNamespace? a = null, b = null;
        Lab? lab = null;
        try
        {
            a = NetworkNamespace.Create(stem + "a");
            b = NetworkNamespace.Create(stem + "b");
            lab = new Lab(a, b);
            lab.DelayLine = DelayLine.Start(a, b, options);
            lab._owned.Add(lab.DelayLine);

            Address(a, options.InterfaceA, AddressA4, AddressA6);
            Address(b, options.InterfaceB, AddressB4, AddressB6);
            if (vlanId is { } id)
            {
                lab.VlanId = id;
                Vlan(a, options.InterfaceA, id, VlanAddressA4);
                Vlan(b, options.InterfaceB, id, VlanAddressB4);
            }
            return lab;
        }
        catch
        {
            if (lab is not null) lab.Dispose();
            else
            {
                a?.Dispose();
                b?.Dispose();
            }
            throw;
        }
    }

    private static void Address(NetworkNamespace ns, string dev, IPAddress v4, IPAddress v6)
    {
        ns.Exec("ip", "addr", "add", $"{v4}/24", "dev", dev);
        // nodad: the address is usable at once instead of after ~1 s of duplicate detection.
        ns.Exec("ip", "addr", "add", $"{v6}/64", "dev", dev, "nodad");
    }

    private static void Vlan(NetworkNamespace ns, string dev, int id, IPAddress v4)
    {
        string sub = $"{dev}.{id.ToString(CultureInfo.InvariantCulture)}";
        // With txvlan on, the tag travels as skb metadata and TC egress on the parent sees an
        // untagged frame; off makes the 802.1Q header part of the frame bytes, like a real NIC.
        ns.Exec("ethtool", "-K", dev, "txvlan", "off");
        ns.Exec("ip", "link", "add", "link", dev, "name", sub, "type", "vlan", "id", id.ToString(CultureInfo.InvariantCulture));
        ns.Exec("ip", "addr", "add", $"{v4}/24", "dev", sub);
        ns.Exec("ip", "link", "set", "dev", sub, "up");
    }

    private static bool ProbeVlanSupport()
    {
        // Probe in a throwaway namespace so nothing is ever added to the host's own.
        using var ns = NetworkNamespace.Create(NetworkNamespace.RandomName("thprobe"));
        ns.Exec("ip", "link", "add", "thp0", "type", "veth", "peer", "name", "thp1");
        try
        {
            ns.Exec("ip", "link", "add", "link", "thp0", "name", "thp0.2", "type", "vlan", "id", "2");
            return true;
        }
        catch (LabCommandException)
        {
            return false;
        }
    }

    /// <summary>Disposes an extra resource together with the lab (e.g. a server started in it).</summary>
    public T Own<T>(T resource) where T : IDisposable
    {
        lock (_owned) _owned.Add(resource);
        return resource;
    }

    public void Dispose()
    {
        List<Exception> errors = [];
        IDisposable[] owned;
        lock (_owned)
        {
            owned = [.. _owned];
            _owned.Clear();
        }
        // Reverse order: extras first, then the delay line, then the namespaces.
        foreach (var d in owned.Reverse())
        {
            try { d.Dispose(); } catch (Exception e) { errors.Add(e); }
        }
        try { A.Dispose(); } catch (Exception e) { errors.Add(e); }
        try { B.Dispose(); } catch (Exception e) { errors.Add(e); }
        if (errors.Count > 0) throw new AggregateException("lab cleanup failed", errors);
    }
}
