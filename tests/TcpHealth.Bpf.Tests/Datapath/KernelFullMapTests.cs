namespace TcpHealth.Bpf.Tests.Datapath;

/// <summary>
/// Each map filled on purpose (sized to one entry): what does not fit is counted,
/// and what was already kept stays exact. Nothing is evicted.
/// </summary>
public sealed class KernelFullMapTests
{
    private static DatapathHarness WithOne(string map) => new(new Dictionary<string, uint> { [map] = 1 });

    [Theory]
    [InlineData(MapNames.Flows)] // no slot left
    [InlineData(MapNames.FlowSlots)] // a slot, but no room for its key
    public void A_second_flow_does_not_fit_a_full_flow_table_and_is_counted(string map)
    {
        using var dp = WithOne(map);
        var first = FrameBuilder.Tcp4(40000, 80).Payload(10);
        dp.Egress(first);
        dp.Egress(FrameBuilder.Tcp4(40001, 80).Payload(10));
        dp.Egress(first.Seq(1010));

        var (key, flow) = dp.SingleFlow();
        Assert.Equal(40000, key.SrcPort);
        Assert.Equal(2UL, flow.Tx.Packets);
        Assert.Equal(1UL, dp.Counter(DatapathCounter.FlowsNotTracked));
        Assert.Equal(2UL, dp.Counter(DatapathCounter.TcpPackets));
    }

    [Fact]
    public void A_timestamp_that_does_not_fit_is_counted_and_the_stored_one_still_matches()
    {
        // The newest pending TSval lives in the flow entry; each new one moves the one
        // before into pending_ts: 100 fits there, 101 does not.
        using var dp = WithOne(MapNames.PendingTs);
        var tx = FrameBuilder.Tcp4().Seq(1000).Payload(10).Timestamp(tsval: 100, tsecr: 0);
        dp.Egress(tx);
        dp.Egress(tx.Seq(1010).Timestamp(tsval: 101, tsecr: 0));
        Assert.Equal(0UL, dp.Counter(DatapathCounter.TsNotStored));
        dp.Egress(tx.Seq(1020).Timestamp(tsval: 102, tsecr: 0));
        Assert.Equal(1UL, dp.Counter(DatapathCounter.TsNotStored));
        Assert.Equal(new[] { 100u, 102u }, dp.Pending().Select(p => p.Key.TsVal).Order());

        dp.Ingress(tx.Reply().Payload(0).Timestamp(tsval: 5, tsecr: 100));
        Assert.Equal(1UL, dp.Rtt().Count);
        Assert.Equal(1UL, dp.Counter(DatapathCounter.RttSamples));
    }

    [Fact]
    public void An_rtt_sample_of_a_second_flow_that_does_not_fit_is_counted_as_lost()
    {
        using var dp = WithOne(MapNames.RttHists);
        foreach (ushort port in new ushort[] { 40000, 40001 })
        {
            var tx = FrameBuilder.Tcp4(port, 80).Payload(10).Timestamp(tsval: 100, tsecr: 0);
            dp.Egress(tx);
            dp.Ingress(tx.Reply().Payload(0).Timestamp(tsval: 5, tsecr: 100));
        }

        var (key, rtt) = Assert.Single(dp.Hists());
        Assert.Equal(40000, key.SrcPort);
        Assert.Equal(1UL, rtt.Count);
        Assert.Equal(2UL, dp.Counter(DatapathCounter.RttSamples));
        Assert.Equal(1UL, dp.Counter(DatapathCounter.RttHistNotTracked));
        Assert.Equal(2, dp.Flows().Count);
    }
}
