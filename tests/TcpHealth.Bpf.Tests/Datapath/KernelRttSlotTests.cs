namespace TcpHealth.Bpf.Tests.Datapath;

/// <summary>
/// How the datapath gives flows their RTT histogram slots (see th_rtt_hist):
/// never used slots from the bottom, then those user space freed, and none
/// (counted) when neither is left.
/// </summary>
public sealed class KernelRttSlotTests
{
    [Fact]
    public void A_flows_first_sample_takes_the_lowest_unused_slot_and_keeps_it()
    {
        using var dp = new DatapathHarness();
        Sample(dp, 40000, tsval: 100);
        Sample(dp, 40001, tsval: 100);
        Sample(dp, 40000, tsval: 101);

        var slots = dp.Flows().ToDictionary(kv => kv.Key.SrcPort, kv => kv.Value.RttSlot);
        Assert.Equal(1UL, slots[40000]);
        Assert.Equal(2UL, slots[40001]);
        Assert.Equal(2UL, NextSlot(dp));
        var counts = dp.Hists().ToDictionary(kv => kv.Key.SrcPort, kv => kv.Value.Count);
        Assert.Equal(2UL, counts[40000]);
        Assert.Equal(1UL, counts[40001]);
    }

    [Fact]
    public void A_freed_slot_is_taken_once_no_unused_one_is_left()
    {
        using var dp = new DatapathHarness(new Dictionary<string, uint> { [MapNames.RttHists] = 1 });
        Sample(dp, 40000, tsval: 100);
        var (first, flow) = dp.SingleFlow();
        Assert.Equal(1UL, flow.RttSlot);

        // What user space does a collection after removing the flow.
        Assert.True(dp.Map(MapNames.FlowSlots).Delete(first));
        using (var hists = dp.Map(MapNames.RttHists).MapArray<RttHist>())
        {
            Assert.Equal(1UL, hists[0].Count);
            hists[0] = default;
        }

        dp.Map(MapNames.RttFreeSlots).Push(0u);

        Sample(dp, 40001, tsval: 100);
        var (key, rtt) = Assert.Single(dp.Hists());
        Assert.Equal(40001, key.SrcPort);
        Assert.Equal(1UL, rtt.Count);
        Assert.Equal(0UL, dp.Counter(DatapathCounter.RttHistNotTracked));
    }

    [Fact]
    public void A_full_table_does_not_count_its_next_slot_on()
    {
        using var dp = new DatapathHarness(new Dictionary<string, uint> { [MapNames.RttHists] = 1 });
        for (ushort port = 40000; port < 40010; port++)
        {
            Sample(dp, port, tsval: 100);
        }

        Assert.Equal(9UL, dp.Counter(DatapathCounter.RttHistNotTracked));
        Assert.Equal(1UL, NextSlot(dp));
        Assert.Equal(40000, Assert.Single(dp.Hists()).Key.SrcPort);
    }

    // One timestamp out through egress and its echo back: one RTT sample.
    private static void Sample(DatapathHarness dp, ushort port, uint tsval)
    {
        var tx = FrameBuilder.Tcp4(port, 80).Seq(tsval * 100).Payload(10).Timestamp(tsval: tsval, tsecr: 0);
        dp.Egress(tx);
        dp.Ingress(tx.Reply().Payload(0).Timestamp(tsval: 5, tsecr: tsval));
    }

    private static ulong NextSlot(DatapathHarness dp)
    {
        Assert.True(dp.Map(MapNames.RttNextSlot).TryLookup(0u, out ulong next));
        return next;
    }
}
