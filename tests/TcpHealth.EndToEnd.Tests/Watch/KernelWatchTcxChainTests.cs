using TcpHealth.Bpf;

namespace TcpHealth.EndToEnd.Tests;

using TcpHealth.Lab;
using TestLab = global::TcpHealth.Lab.Lab;

/// <summary>
/// Touches the kernel: tcphealth shares a TCX chain with a foreign program
/// that ends the chain with TCX_PASS (as a CNI's may). tcphealth attaches at
/// the head, so it still sees every packet, and the foreign program keeps running.
/// </summary>
public sealed class KernelWatchTcxChainTests
{
    [Fact]
    public void A_foreign_program_that_ends_the_chain_hides_nothing_and_keeps_running()
    {
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(0.5));
        using var foreign = BpfObject.Load(TestObjects.Path("pass_all.bpf.o"));
        var bss = foreign.Map(".bss");
        using var egress = Bpf.NetworkNamespace.RunIn(lab.A.Name, () => Attacher.Attach(foreign.Program("pass_all"), lab.InterfaceA, HookDirection.Egress, AttachMode.Tcx));
        using var ingress = Bpf.NetworkNamespace.RunIn(lab.A.Name, () => Attacher.Attach(foreign.Program("pass_all"), lab.InterfaceA, HookDirection.Ingress, AttachMode.Tcx));

        using var watch = WatchProcess.Start(lab.A, "-i", lab.InterfaceA);
        Assert.True(bss.TryLookup(0u, out ulong seenBefore));
        var r = TcpTraffic.Transfer(lab, TestLab.AddressB4, 5201, 500_000, bytesPerSecond: 4_000_000);
        var f = watch.Stop().SingleTo($"{TestLab.AddressB4}:5201");

        Assert.True(bss.TryLookup(0u, out ulong seenAfter));
        ulong ours = f.U("tx_packets") + f.U("rx_packets");
        Assert.True(seenAfter - seenBefore >= ours, $"the foreign program saw {seenAfter - seenBefore} packets, tcphealth {ours}");
        Assert.InRange(f.U("tx_bytes"), (ulong)r.BytesSent, (ulong)r.BytesSent + f.U("tx_segments") * 120);
        Assert.True(f.U("rtt_samples") > 10);
    }
}
