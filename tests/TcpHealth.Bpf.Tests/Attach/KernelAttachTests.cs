using System.Net;

namespace TcpHealth.Bpf.Tests;

/// <summary>Attaches the real programs to veth0 inside a fresh namespace pair and sends real TCP through them.</summary>
public sealed class KernelAttachTests : IDisposable
{
    private const string OurHandle = "handle 0x7c4";
    private const string OurPrio = "1191";

    /// <summary>A program of another tool (its name does not start with tcphealth_).</summary>
    private const string ForeignProgram = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>

        SEC("tc")
        int foreign_prog(struct __sk_buff *skb)
        {
        	return -1;
        }

        char LICENSE[] SEC("license") = "GPL";
        """;

    private readonly TestNetwork network = new();
    private readonly BpfObject obj = BpfObject.Load(Repo.ObjectPath);

    [Theory]
    [InlineData(AttachMode.Tcx)]
    [InlineData(AttachMode.Tc)]
    public void Both_hooks_see_a_refused_connection(AttachMode mode)
    {
        var attachments = AttachBoth(mode);
        try
        {
            Assert.All(attachments, a => Assert.Equal(mode, a.ActualMode));
            Assert.All(attachments, a => Assert.Equal(TestNetwork.Device, a.Interface));
            Assert.Equal([HookDirection.Ingress, HookDirection.Egress], attachments.Select(a => a.Direction));

            network.ConnectToClosedPort(9);

            var flow = Assert.Single(Datapath.DatapathHarness.Flows(obj), kv => kv.Key.DstPort == 9);
            Assert.Equal(IPAddress.Parse(TestNetwork.LocalAddress), flow.Key.Source);
            Assert.Equal(IPAddress.Parse(TestNetwork.PeerAddress), flow.Key.Destination);
            Assert.Equal((uint)attachments[0].IfIndex, flow.Key.IfIndex);
            Assert.Equal(ConnState.Refused, flow.Value.ConnState);
            Assert.Equal(1ul, flow.Value.Tx.Packets);
            Assert.Equal(1ul, flow.Value.Rx.Resets);
        }
        finally
        {
            Dispose(attachments);
        }
    }

    [Fact]
    public void Tcx_links_show_in_bpftool_until_disposed()
    {
        var attachments = AttachBoth(AttachMode.Tcx);
        var ids = new[] { obj.Program(ProgramNames.Ingress).Id, obj.Program(ProgramNames.Egress).Id };
        try
        {
            var links = Shell.Run("bpftool", "link", "show");
            Assert.All(ids, id => Assert.Matches($@"\bprog {id}\b", links));
        }
        finally
        {
            Dispose(attachments);
        }

        var after = Shell.Run("bpftool", "link", "show");
        Assert.All(ids, id => Assert.DoesNotMatch($@"\bprog {id}\b", after));
        Assert.Empty(network.TcFilters(HookDirection.Ingress));
    }

    [Fact]
    public void A_tcx_link_takes_another_program_in_place_of_its_own()
    {
        using var other = BpfObject.Load(Repo.ObjectPath);
        using var attachment = (TcxAttachment)InNamespace(() =>
            Attacher.Attach(obj.Program(ProgramNames.Ingress), TestNetwork.Device, HookDirection.Ingress, AttachMode.Tcx));

        network.ConnectToClosedPort(9);
        attachment.Replace(other.Program(ProgramNames.Ingress));
        network.ConnectToClosedPort(10);

        // Each connection's RST met the program on the link at the time, and only that one.
        Assert.Equal([9], Datapath.DatapathHarness.Flows(obj).Select(kv => (int)kv.Key.DstPort));
        Assert.Equal([10], Datapath.DatapathHarness.Flows(other).Select(kv => (int)kv.Key.DstPort));
    }

    [Fact]
    public void Auto_picks_tcx_on_this_kernel()
    {
        using var attachment = InNamespace(() => Attacher.Attach(obj.Program(ProgramNames.Ingress), TestNetwork.Device, HookDirection.Ingress));

        Assert.Equal(AttachMode.Tcx, attachment.ActualMode);
    }

    [Fact]
    public void Tc_filters_use_our_handle_and_priority_and_dispose_removes_them()
    {
        var attachments = AttachBoth(AttachMode.Tc);
        try
        {
            foreach (var direction in new[] { HookDirection.Ingress, HookDirection.Egress })
            {
                var filters = network.TcFilters(direction);
                Assert.Contains(OurHandle, filters);
                Assert.Contains($"pref {OurPrio} bpf", filters);
                var name = direction == HookDirection.Ingress ? ProgramNames.Ingress : ProgramNames.Egress;
                Assert.Contains($"id {obj.Program(name).Id} ", filters);
            }
        }
        finally
        {
            Dispose(attachments);
        }

        Assert.DoesNotContain(OurHandle, network.TcFilters(HookDirection.Ingress));
        Assert.DoesNotContain(OurHandle, network.TcFilters(HookDirection.Egress));
    }

    [Fact]
    public void Dispose_from_another_namespace_still_detaches_where_it_attached()
    {
        var attachment = InNamespace(() => Attacher.Attach(obj.Program(ProgramNames.Ingress), TestNetwork.Device, HookDirection.Ingress, AttachMode.Tc));
        Assert.Contains(OurHandle, network.TcFilters(HookDirection.Ingress));

        attachment.Dispose(); // on the test thread, in the host namespace

        Assert.DoesNotContain(OurHandle, network.TcFilters(HookDirection.Ingress));
    }

    [Fact]
    public void Missing_interface_throws_InterfaceNotFoundException()
    {
        var e = Assert.Throws<InterfaceNotFoundException>(() => InNamespace(() =>
            Attacher.Attach(obj.Program(ProgramNames.Ingress), "eth9", HookDirection.Ingress)));

        Assert.Equal("eth9", e.InterfaceName);
        Assert.Equal("interface 'eth9' does not exist in this network namespace (see `ip link`)", e.Message);

        // veth0 exists only inside the namespace, not on the host.
        Assert.Throws<InterfaceNotFoundException>(() => Attacher.Attach(obj.Program(ProgramNames.Ingress), TestNetwork.Device, HookDirection.Ingress));
    }

    [Fact]
    public void A_stale_filter_of_ours_is_replaced_on_the_next_attach()
    {
        uint staleId;
        using (var previousRun = BpfObject.Load(Repo.ObjectPath))
        {
            var program = previousRun.Program(ProgramNames.Ingress);
            staleId = program.Id;

            // A killed run: the filter stays, nobody disposes the attachment.
            InNamespace(() => Attacher.Attach(program, TestNetwork.Device, HookDirection.Ingress, AttachMode.Tc));
        }

        Assert.Contains($"id {staleId} ", network.TcFilters(HookDirection.Ingress));
        var sink = new CollectingLogSink();

        using (InNamespace(() => Attacher.Attach(obj.Program(ProgramNames.Ingress), TestNetwork.Device, HookDirection.Ingress, AttachMode.Tc, sink)))
        {
            var filters = network.TcFilters(HookDirection.Ingress);
            Assert.DoesNotContain($"id {staleId} ", filters);
            Assert.Contains($"id {obj.Program(ProgramNames.Ingress).Id} ", filters);
            Assert.Single(filters.Split('\n'), line => line.Contains(OurHandle, StringComparison.Ordinal));
            var message = Assert.Single(sink.Messages);
            Assert.Equal(BpfLogLevel.Warning, message.Level);
            Assert.StartsWith($"removed stale filter 'tcphealth_ingre' (id {staleId})", message.Message);
        }
    }

    [Fact]
    public void A_foreign_filter_on_another_priority_is_left_alone()
    {
        network.Tc("qdisc", "add", "dev", TestNetwork.Device, "clsact");
        network.Tc("filter", "add", "dev", TestNetwork.Device, "ingress", "prio", "1", "u32", "match", "u32", "0", "0");

        InNamespace(() => Attacher.Attach(obj.Program(ProgramNames.Ingress), TestNetwork.Device, HookDirection.Ingress, AttachMode.Tc)).Dispose();

        var filters = network.TcFilters(HookDirection.Ingress);
        Assert.Contains("pref 1 u32", filters);
        Assert.DoesNotContain(OurHandle, filters);
    }

    [Fact]
    public void A_foreign_u32_filter_at_our_priority_makes_attach_fail_and_stays()
    {
        network.Tc("qdisc", "add", "dev", TestNetwork.Device, "clsact");
        network.Tc("filter", "add", "dev", TestNetwork.Device, "ingress", "protocol", "all", "prio", OurPrio, "u32", "match", "u32", "0", "0");

        var e = Assert.Throws<BpfException>(() => InNamespace(() =>
            Attacher.Attach(obj.Program(ProgramNames.Ingress), TestNetwork.Device, HookDirection.Ingress, AttachMode.Tc)));

        Assert.Equal(Errno.EEXIST, e.Errno);
        Assert.Contains("a filter of another tool", e.Message);
        Assert.Contains($"pref {OurPrio} u32", network.TcFilters(HookDirection.Ingress));
    }

    [Fact]
    public void A_foreign_bpf_program_at_our_handle_and_priority_makes_attach_fail_and_stays()
    {
        using var clang = new Clang();
        var foreign = clang.CompileBpf("foreign", ForeignProgram);
        network.Tc("qdisc", "add", "dev", TestNetwork.Device, "clsact");
        network.Tc("filter", "add", "dev", TestNetwork.Device, "ingress", "prio", OurPrio, "handle", "0x7c4", "bpf", "da", "obj", foreign, "sec", "tc");

        var e = Assert.Throws<BpfException>(() => InNamespace(() =>
            Attacher.Attach(obj.Program(ProgramNames.Ingress), TestNetwork.Device, HookDirection.Ingress, AttachMode.Tc)));

        Assert.Equal(Errno.EEXIST, e.Errno);
        Assert.Contains("program 'foreign_prog'", e.Message);
        Assert.Contains("foreign_prog", network.TcFilters(HookDirection.Ingress));
    }

    public void Dispose()
    {
        obj.Dispose();
        network.Dispose();
    }

    private static void Dispose(IEnumerable<Attachment> attachments)
    {
        foreach (var attachment in attachments)
        {
            attachment.Dispose();
        }
    }

    private T InNamespace<T>(Func<T> action) => NetworkNamespace.RunIn(network.Local, action);

    private List<Attachment> AttachBoth(AttachMode mode) => InNamespace(() => new List<Attachment>
    {
        Attacher.Attach(obj.Program(ProgramNames.Ingress), TestNetwork.Device, HookDirection.Ingress, mode),
        Attacher.Attach(obj.Program(ProgramNames.Egress), TestNetwork.Device, HookDirection.Egress, mode),
    });
}
