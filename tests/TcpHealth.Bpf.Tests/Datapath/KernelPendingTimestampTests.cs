namespace TcpHealth.Bpf.Tests.Datapath;

/// <summary>
/// A flow's newest pending timestamp lives in its own entry (th_flow.ts_pending):
/// an echo that comes back before the next TSval needs no pending_ts entry, and
/// each new TSval moves a still unechoed one there with its TSval and send time whole.
/// </summary>
public sealed class KernelPendingTimestampTests : IDisposable
{
    private readonly DatapathHarness _dp = new();

    private List<KeyValuePair<TsKey, ulong>> PendingTsMap => _dp.Map(MapNames.PendingTs).ReadAll<TsKey, ulong>();

    [Fact]
    public void An_echo_before_the_next_tsval_is_matched_from_the_flow_entry_alone()
    {
        var tx = FrameBuilder.Tcp4().Seq(1000).Payload(100).Timestamp(tsval: 100, tsecr: 0);
        _dp.Egress(tx);
        Assert.NotEqual(0UL, _dp.SingleFlow().Flow.TsPending);
        Assert.Equal(100u, Assert.Single(_dp.Pending()).Key.TsVal);
        Assert.Empty(PendingTsMap);

        Thread.Sleep(1);
        _dp.Ingress(tx.Reply().Payload(0).Timestamp(tsval: 5, tsecr: 100));

        Assert.Equal(0UL, _dp.SingleFlow().Flow.TsPending);
        var rtt = _dp.Rtt();
        Assert.Equal(1UL, rtt.Count);
        Assert.InRange(rtt.MinNs, 1_000_000UL, 2_000_000_000UL);
        Assert.Empty(PendingTsMap);
    }

    [Fact]
    public void A_new_tsval_moves_the_unechoed_one_to_pending_ts_with_its_send_time()
    {
        var tx = FrameBuilder.Tcp4().Seq(1000).Payload(100).Timestamp(tsval: 100, tsecr: 0);
        _dp.Egress(tx);
        ulong sent100 = Assert.Single(_dp.Pending()).Value;
        Thread.Sleep(3);
        _dp.Egress(tx.Seq(1100).Timestamp(tsval: 101, tsecr: 0));

        var moved = Assert.Single(PendingTsMap);
        Assert.Equal(100u, moved.Key.TsVal);
        Assert.Equal(sent100, moved.Value);
        Assert.Equal(101u, _dp.SingleFlow().Flow.Tx.LastTs);

        // The older echo from pending_ts (3 ms or more), the newer from the flow entry.
        var reply = tx.Reply().Payload(0);
        _dp.Ingress(reply.Timestamp(tsval: 5, tsecr: 100));
        Assert.True(_dp.Rtt().MinNs >= 3_000_000, $"{_dp.Rtt().MinNs} ns");
        _dp.Ingress(reply.Timestamp(tsval: 6, tsecr: 101));
        Assert.Equal(2UL, _dp.Rtt().Count);
        Assert.Empty(_dp.Pending());
    }

    [Fact]
    public void A_moved_tsval_keeps_its_high_bits_across_a_24_bit_boundary()
    {
        var tx = FrameBuilder.Tcp4().Seq(1000).Payload(100).Timestamp(tsval: 0x12FF_FFFF, tsecr: 0);
        _dp.Egress(tx);
        _dp.Egress(tx.Seq(1100).Timestamp(tsval: 0x1300_0001, tsecr: 0));

        Assert.Equal(0x12FF_FFFFu, Assert.Single(PendingTsMap).Key.TsVal);
        _dp.Ingress(tx.Reply().Payload(0).Timestamp(tsval: 5, tsecr: 0x12FF_FFFF));
        Assert.Equal(1UL, _dp.Rtt().Count);
    }

    [Fact]
    public void An_echo_sharing_only_the_low_24_bits_of_the_pending_tsval_is_no_sample()
    {
        var tx = FrameBuilder.Tcp4().Seq(1000).Payload(100).Timestamp(tsval: 0x0100_0064, tsecr: 0);
        _dp.Egress(tx);
        _dp.Ingress(tx.Reply().Payload(0).Timestamp(tsval: 5, tsecr: 0x0200_0064));

        Assert.Equal(0UL, _dp.Rtt().Count);
        Assert.Equal(0x0100_0064u, Assert.Single(_dp.Pending()).Key.TsVal);
    }

    [Fact]
    public void A_tsval_older_than_the_one_it_replaces_drops_that_one_instead_of_misfiling_it()
    {
        // Two CPUs sending one flow's packets can put a later TSval out first.
        var tx = FrameBuilder.Tcp4().Seq(1000).Payload(100).Timestamp(tsval: 200, tsecr: 0);
        _dp.Egress(tx);
        _dp.Egress(tx.Seq(1100).Timestamp(tsval: 150, tsecr: 0));

        Assert.Empty(PendingTsMap);
        Assert.Equal(150u, Assert.Single(_dp.Pending()).Key.TsVal);
        _dp.Ingress(tx.Reply().Payload(0).Timestamp(tsval: 5, tsecr: 200));
        Assert.Equal(0UL, _dp.Rtt().Count);
        Assert.Equal(0UL, _dp.Counter(DatapathCounter.TsNotStored));
    }

    public void Dispose() => _dp.Dispose();
}
