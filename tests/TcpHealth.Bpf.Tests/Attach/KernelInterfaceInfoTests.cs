namespace TcpHealth.Bpf.Tests;

public sealed class KernelInterfaceInfoTests : IDisposable
{
    private readonly TestNetwork network = new();

    [Fact]
    public void Ethernet_and_loopback_have_an_ethernet_header_tun_does_not()
    {
        Shell.Run("ip", "-n", network.Local, "tuntap", "add", "dev", "tun0", "mode", "tun");

        var (veth, lo, tun) = NetworkNamespace.RunIn(network.Local, () =>
            (InterfaceInfo.HasEthernetHeader(TestNetwork.Device), InterfaceInfo.HasEthernetHeader("lo"), InterfaceInfo.HasEthernetHeader("tun0")));

        Assert.True(veth);
        Assert.True(lo);
        Assert.False(tun);
        Assert.Equal(ProgramNames.IngressL3, ProgramNames.For(HookDirection.Ingress, tun));
        Assert.Equal(ProgramNames.Egress, ProgramNames.For(HookDirection.Egress, veth));
    }

    [Fact]
    public void Lookups_happen_in_the_namespace_of_the_calling_thread()
    {
        var inside = NetworkNamespace.RunIn(network.Local, () => InterfaceInfo.IndexOf(TestNetwork.Device));

        Assert.True(inside > 1);
        Assert.Throws<InterfaceNotFoundException>(() => InterfaceInfo.IndexOf(TestNetwork.Device));
        Assert.Throws<InterfaceNotFoundException>(() => InterfaceInfo.HasEthernetHeader(TestNetwork.Device));
        Assert.Throws<InterfaceNotFoundException>(() => InterfaceInfo.HasEthernetHeader("a-name-longer-than-15"));
    }

    [Fact]
    public void Unknown_namespace_throws_with_errno()
    {
        var e = Assert.Throws<BpfException>(() => NetworkNamespace.RunIn("th-test-does-not-exist", () => 0));

        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Contains("/var/run/netns/th-test-does-not-exist", e.Message);
        Assert.Throws<ArgumentException>(() => NetworkNamespace.RunIn("../x", () => 0));
    }

    [Fact]
    public void Exceptions_from_the_action_reach_the_caller()
    {
        Assert.Throws<TimeZoneNotFoundException>(() => NetworkNamespace.RunIn<int>(network.Local, () => throw new TimeZoneNotFoundException()));
    }

    public void Dispose() => network.Dispose();
}
