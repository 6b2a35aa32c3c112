using TcpHealth.Bpf;

namespace TcpHealth.EndToEnd.Tests;

using TcpHealth.Lab;
using TestLab = global::TcpHealth.Lab.Lab;

/// <summary>
/// Touches the kernel: real TCP whose frames carry an in-band 802.1Q tag at
/// the hooks tcphealth watches. This kernel has no VLAN devices, so a test
/// BPF program (bpf/test/vlan_tagger.bpf.c) tags the traffic of both sides,
/// ahead of tcphealth in the TCX chain (both prepend; the tagger comes later).
/// </summary>
public sealed class KernelWatchVlanTests
{
    [Fact]
    public void Vlan_tagged_tcp_is_counted()
    {
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(1));
        using var watch = WatchProcess.Start(lab.A, "-i", lab.InterfaceA);
        using var tagger = BpfObject.Load(TestObjects.Path("vlan_tagger.bpf.o"));
        var push = tagger.Program("push_priority_tags");
        using var tagA = Bpf.NetworkNamespace.RunIn(lab.A.Name, () => Attacher.Attach(push, lab.InterfaceA, HookDirection.Egress, AttachMode.Tcx));
        using var tagB = Bpf.NetworkNamespace.RunIn(lab.B.Name, () => Attacher.Attach(push, lab.InterfaceB, HookDirection.Egress, AttachMode.Tcx));

        var r = TcpTraffic.Transfer(lab, TestLab.AddressB4, 5201, 1_000_000, bytesPerSecond: 4_000_000);
        var f = watch.Stop().SingleTo($"{TestLab.AddressB4}:5201");

        Assert.Equal(r.BytesSent, r.ServerBytesReceived);
        ulong payload = (ulong)r.BytesSent;
        Assert.InRange(f.U("tx_bytes"), payload, payload + f.U("tx_segments") * 120);
        Assert.True(f.U("rx_packets") > 100, $"only {f.U("rx_packets")} tagged packets counted at ingress");
        Assert.True(f.U("rtt_samples") > 0);
        double truthMs = r.Client.MinRttMicros / 1000.0;
        Assert.InRange(f.Ms("rtt_min_ms")!.Value, truthMs - Math.Max(0.03 * truthMs, 0.15), truthMs + Math.Max(0.03 * truthMs, 0.15));
    }
}
