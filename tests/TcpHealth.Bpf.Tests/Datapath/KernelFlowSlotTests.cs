namespace TcpHealth.Bpf.Tests.Datapath;

/// <summary>
/// How the datapath creates flows (see th_new_flow): a slot of `flows` from the
/// bottom or from flow_free_slots, key → slot in flow_slots, and the key handed
/// to user space through new_flows; when that ring is full, the loss is counted
/// and the flow still tracked.
/// </summary>
public sealed class KernelFlowSlotTests
{
    [Fact]
    public void New_flows_take_slots_from_the_bottom_and_announce_their_keys()
    {
        using var dp = new DatapathHarness();
        using var ring = dp.Map(MapNames.NewFlows).ReadRing<NewFlow>();
        var frames = new[] { FrameBuilder.Tcp4(40000, 80), FrameBuilder.Udp4(40001, 53), FrameBuilder.Tcp6(40002, 443) };
        var before = (ulong)System.Diagnostics.Stopwatch.GetTimestamp(); // CLOCK_MONOTONIC ns, the datapath's clock
        foreach (var frame in frames)
        {
            dp.Egress(frame.Payload(10));
            dp.Egress(frame.Payload(20)); // the same flow: no second announcement
        }

        var after = (ulong)System.Diagnostics.Stopwatch.GetTimestamp();
        var announced = ring.Drain().ToArray();
        Assert.Equal([0u, 1u, 2u], announced.Select(a => a.Slot));
        for (int i = 0; i < frames.Length; i++)
        {
            DatapathHarness.AssertKey(announced[i].Key, frames[i], viaEgress: true, 1);
            Assert.Equal((uint)i, dp.SlotOf(announced[i].Key));
            Assert.InRange(announced[i].FirstSeenNs, before, after);
        }

        Assert.Empty(ring.Drain().ToArray());
        Assert.Equal(3UL, NextSlot(dp));
        Assert.All(dp.Flows(), f => Assert.Equal(2U, f.Value.Tx.Packets));
    }

    [Fact]
    public void A_freed_slot_is_taken_once_no_unused_one_is_left_and_announced_again()
    {
        using var dp = new DatapathHarness(new Dictionary<string, uint> { [MapNames.Flows] = 1 });
        using var ring = dp.Map(MapNames.NewFlows).ReadRing<NewFlow>();
        dp.Egress(FrameBuilder.Tcp4(40000, 80).Payload(10));
        var (first, _) = dp.SingleFlow();

        // What user space does: the key deleted, and a collection later the slot zeroed and freed.
        Assert.True(dp.Map(MapNames.FlowSlots).Delete(first));
        dp.Map(MapNames.Flows).Update(0u, default(Flow));
        dp.Map(MapNames.FlowFreeSlots).Push(0u);

        var second = FrameBuilder.Tcp4(40001, 80).Payload(10);
        dp.Egress(second);
        var (key, flow) = dp.SingleFlow();
        DatapathHarness.AssertKey(key, second, viaEgress: true, 1);
        Assert.Equal(1U, flow.Tx.Packets);
        Assert.Equal([(0u, first), (0u, key)], ring.Drain().ToArray().Select(a => (a.Slot, a.Key)));
        Assert.Equal(0UL, dp.Counter(DatapathCounter.FlowsNotTracked));
    }

    [Fact]
    public void A_flow_whose_key_does_not_fit_gives_its_slot_back_as_it_was()
    {
        using var dp = new DatapathHarness(new Dictionary<string, uint> { [MapNames.Flows] = 2, [MapNames.FlowSlots] = 1 });
        dp.Egress(FrameBuilder.Tcp4(40000, 80).Payload(10));
        dp.Egress(FrameBuilder.Tcp4(40001, 80).Payload(10)); // takes slot 1, fails to insert its key
        Assert.Equal(1UL, dp.Counter(DatapathCounter.FlowsNotTracked));
        Assert.Equal(2UL, NextSlot(dp));

        // Room for a key again: the next flow can only get slot 1 back from the free queue.
        Assert.True(dp.Map(MapNames.FlowSlots).Delete(dp.SingleFlow().Key));
        var third = FrameBuilder.Tcp4(40002, 80).Payload(10);
        dp.Egress(third);
        var (key, flow) = dp.SingleFlow();
        DatapathHarness.AssertKey(key, third, viaEgress: true, 1);
        Assert.Equal(1u, dp.SlotOf(key));
        Assert.Equal(1U, flow.Tx.Packets);
        Assert.Equal(1UL, dp.Counter(DatapathCounter.FlowsNotTracked));
    }

    [Fact]
    public void When_the_ring_is_full_the_lost_announcements_are_counted_and_every_flow_is_tracked()
    {
        using var dp = new DatapathHarness();
        using var ring = dp.Map(MapNames.NewFlows).ReadRing<NewFlow>();
        const int Flows = 6000; // the ring holds 256 KiB / (56 + 8) = 4096 records
        for (int i = 0; i < Flows; i++)
        {
            dp.Egress(FrameBuilder.Udp4((ushort)(10000 + i), 53).Payload(1));
        }

        int announced = ring.Drain().Length;
        Assert.InRange(announced, 4000, Flows - 1);
        Assert.Equal((ulong)(Flows - announced), dp.Counter(DatapathCounter.NewFlowsLost));
        Assert.Equal(Flows, dp.Flows().Count);
        Assert.Equal(0UL, dp.Counter(DatapathCounter.FlowsNotTracked));
    }

    [Fact]
    public void A_ring_read_as_records_of_another_size_says_so()
    {
        using var dp = new DatapathHarness();
        using var ring = dp.Map(MapNames.NewFlows).ReadRing<FlowKey>();
        dp.Egress(FrameBuilder.Tcp4().Payload(10));

        var e = Assert.Throws<InvalidDataException>(() => ring.Drain());
        Assert.Equal("ring buffer 'new_flows' holds a 56-byte record; FlowKey is 44 bytes (a BPF object from another version?)", e.Message);
    }

    private static ulong NextSlot(DatapathHarness dp)
    {
        Assert.True(dp.Map(MapNames.FlowNextSlot).TryLookup(0u, out ulong next));
        return next;
    }
}
