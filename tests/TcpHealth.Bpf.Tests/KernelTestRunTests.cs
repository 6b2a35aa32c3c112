using System.Net;

namespace TcpHealth.Bpf.Tests;

public sealed class KernelTestRunTests : IDisposable
{
    private const int TcActUnspec = -1;
    private static readonly IPAddress Local = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress Remote = IPAddress.Parse("198.51.100.7");

    private readonly BpfObject obj = BpfObject.Load(Repo.ObjectPath);

    [Fact]
    public void Egress_syn_passes_and_creates_one_tx_flow()
    {
        var result = obj.Program(ProgramNames.Egress).TestRun(Frames.EthernetIpv4Tcp(Local, 40000, Remote, 80, Frames.Syn));

        Assert.Equal(TcActUnspec, result.ReturnValue);
        var (key, flow) = Assert.Single(Datapath.DatapathHarness.Flows(obj));
        Assert.Equal(Local, key.Source);
        Assert.Equal(Remote, key.Destination);
        Assert.Equal((40000, 80), (key.SrcPort, key.DstPort));
        Assert.Equal(FlowFamily.IPv4, key.Family);
        Assert.Equal(6, key.Proto);
        Assert.Equal(1u, key.IfIndex);
        Assert.Equal(1ul, flow.Tx.Packets);
        Assert.Equal(1ul, flow.Tx.Segments);
        Assert.Equal(40ul, flow.Tx.Bytes);
        Assert.Equal(0ul, flow.Rx.Packets);
        Assert.Equal(ConnState.SynSent, flow.ConnState);
        Assert.Equal(Initiator.Src, flow.Initiator);
    }

    [Fact]
    public void Ingress_orients_the_key_from_the_interface_and_uses_ctx_ifindex_and_gso_segs()
    {
        // ctx ifindex must name a device in the caller's namespace: run where veth0 exists.
        using var network = new TestNetwork();
        var (ifindex, result) = NetworkNamespace.RunIn(network.Local, () =>
        {
            var index = (uint)InterfaceInfo.IndexOf(TestNetwork.Device);
            return (index, obj.Program(ProgramNames.Ingress).TestRun(Frames.EthernetIpv4Tcp(Remote, 80, Local, 40000, Frames.Ack), index, gsoSegs: 3));
        });

        Assert.Equal(TcActUnspec, result.ReturnValue);
        Assert.NotEqual(1u, ifindex);
        var (key, flow) = Assert.Single(Datapath.DatapathHarness.Flows(obj));
        Assert.Equal(FlowKey.Create(Local, 40000, Remote, 80, ifindex), key);
        Assert.Equal(1ul, flow.Rx.Packets);
        Assert.Equal(3ul, flow.Rx.Segments);
        Assert.Equal(0ul, flow.Tx.Packets);
    }

    [Fact]
    public void Counters_are_summed_over_cpus()
    {
        var egress = obj.Program(ProgramNames.Egress);
        egress.TestRun(Frames.EthernetIpv4Tcp(Local, 40000, Remote, 80, Frames.Syn), repeat: 5);
        egress.TestRun(new byte[20]); // too short for anything but Ethernet: not IP

        var counters = obj.Map(MapNames.Counters).ReadPerCpuSums(Abi.CounterCount);

        Assert.Equal(6ul, counters[(int)DatapathCounter.Packets]);
        Assert.Equal(5ul, counters[(int)DatapathCounter.TcpPackets]);
        Assert.Equal(1ul, counters[(int)DatapathCounter.NonIp]);
    }

    [Fact]
    public void A_frame_the_kernel_refuses_throws_with_errno()
    {
        var e = Assert.Throws<BpfException>(() => obj.Program(ProgramNames.Egress).TestRun(new byte[10]));

        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Equal("bpf_prog_test_run_opts(tcphealth_egress) failed: EINVAL (22)", e.Message);
    }

    public void Dispose() => obj.Dispose();
}
