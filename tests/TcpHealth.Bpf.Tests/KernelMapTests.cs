using System.Net;

namespace TcpHealth.Bpf.Tests;

public sealed class KernelMapTests : IDisposable
{
    private static readonly IPAddress A = IPAddress.Parse("10.1.0.1");
    private static readonly IPAddress B = IPAddress.Parse("10.1.0.2");

    private readonly BpfObject obj = BpfObject.Load(Repo.ObjectPath);

    // The flow table's hash (key → slot) serves as the map under test.
    private BpfMap Flows => obj.Map(MapNames.FlowSlots);

    [Fact]
    public void ReadAll_returns_every_entry_across_several_batches()
    {
        var written = Enumerable.Range(0, 3000).ToDictionary(Key, i => (uint)i);
        foreach (var (key, flow) in written)
        {
            Flows.Update(key, flow);
        }

        var read = Flows.ReadAll<FlowKey, uint>();

        Assert.Equal(3000, read.Count);
        Assert.All(read, kv => Assert.Equal(written[kv.Key], kv.Value));
        Assert.Equal(3000, read.Select(kv => kv.Key).Distinct().Count());
    }

    [Fact]
    public void ReadAll_grows_its_batch_when_a_bucket_does_not_fit()
    {
        // 200 keys in 256 buckets share buckets; a batch of 1 gets ENOSPC on the first shared one.
        using var small = BpfObject.Load(Repo.ObjectPath, new Dictionary<string, uint> { [MapNames.FlowSlots] = 256 });
        var flows = small.Map(MapNames.FlowSlots);
        for (var i = 0; i < 200; i++)
        {
            flows.Update(Key(i), (uint)i);
        }

        var read = flows.ReadAll<FlowKey, uint>(batchEntries: 1);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => (uint)i), read.Select(kv => kv.Value).Order());
    }

    [Fact]
    public void ReadBatch_returns_every_entry_once_in_batches_into_the_same_buffers()
    {
        FillNumbered(3000);

        FlowKey[] keys = [];
        uint[] values = [];
        var cursor = Flows.BeginRead();
        var seen = new List<uint>();
        int count, batches = 0;
        while ((count = Flows.ReadBatch(cursor, ref keys, ref values)) > 0)
        {
            batches++;
            for (var i = 0; i < count; i++)
            {
                Assert.Equal(Key((int)values[i]), keys[i]);
                seen.Add(values[i]);
            }

            // What was read may be deleted before the next batch (the session expires flows so).
            Flows.Delete(keys[0]);
        }

        Assert.True(cursor.Done);
        Assert.Equal(0, Flows.ReadBatch(cursor, ref keys, ref values));
        Assert.InRange(batches, 3, 4); // 1,024 per call
        Assert.InRange(keys.Length, 1024, 2047); // one batch (and a shared bucket), not 3,000
        Assert.Equal(Enumerable.Range(0, 3000).Select(i => (uint)i), seen.Order());
        Assert.Equal(3000 - batches, Flows.ReadAll<FlowKey, uint>().Count);
    }

    [Fact]
    public void ReadBatch_refuses_a_cursor_of_another_map()
    {
        var cursor = obj.Map(MapNames.PendingTs).BeginRead();
        FlowKey[] keys = [];
        uint[] values = [];
        Assert.Throws<ArgumentException>(() => Flows.ReadBatch(cursor, ref keys, ref values));
    }

    [Fact]
    public void ReadAll_of_an_empty_map_is_empty()
    {
        Assert.Empty(Flows.ReadAll<FlowKey, uint>());
    }

    [Fact]
    public void Lookup_update_and_delete_round_trip()
    {
        var key = Key(1);
        Assert.False(Flows.TryLookup<FlowKey, uint>(key, out _));

        Flows.Update(key, 42u, MapUpdateFlags.NoExist);
        Assert.True(Flows.TryLookup<FlowKey, uint>(key, out var slot));
        Assert.Equal(42u, slot);

        var e = Assert.Throws<BpfException>(() => Flows.Update(key, 7u, MapUpdateFlags.NoExist));
        Assert.Equal(Errno.EEXIST, e.Errno);
        Assert.Equal("bpf_map_update_elem(flow_slots) failed: EEXIST (17)", e.Message);

        Assert.True(Flows.Delete(key));
        Assert.False(Flows.Delete(key));
        Assert.False(Flows.TryLookup<FlowKey, uint>(key, out _));
    }

    [Fact]
    public void DeleteBatch_skips_missing_keys_and_counts_deleted_ones()
    {
        for (var i = 0; i < 10; i += 2)
        {
            Flows.Update(Key(i), 0u);
        }

        Flows.Update(Key(100), 0u);
        var keys = Enumerable.Range(0, 10).Select(Key).ToArray();

        Assert.Equal(5, Flows.DeleteBatch<FlowKey>(keys));

        Assert.Equal([Key(100)], Flows.ReadAll<FlowKey, uint>().Select(kv => kv.Key));
        Assert.Equal(0, Flows.DeleteBatch<FlowKey>(keys));
    }

    [Fact]
    public void TryLookupAndDelete_returns_the_value_as_deleted_and_removes_it()
    {
        Flows.Update(Key(7), 1234u);

        Assert.True(Flows.TryLookupAndDelete(Key(7), out uint deleted));
        Assert.Equal(1234u, deleted);
        Assert.False(Flows.TryLookup<FlowKey, uint>(Key(7), out _));
        Assert.False(Flows.TryLookupAndDelete(Key(7), out uint _));
    }

    [Fact]
    public void Types_of_the_wrong_size_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Flows.ReadAll<TsKey, uint>());
        Assert.Throws<ArgumentException>(() => Flows.Update(Key(1), 0ul));
        Assert.Throws<ArgumentException>(() => Flows.Delete(0u));
    }

    [Fact]
    public void Per_cpu_maps_are_read_only_through_ReadPerCpuSums()
    {
        var counters = obj.Map(MapNames.Counters);

        Assert.Throws<InvalidOperationException>(() => counters.ReadAll<uint, ulong>());
        Assert.Throws<InvalidOperationException>(() => Flows.ReadPerCpuSums(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => counters.ReadPerCpuSums(Abi.CounterCount + 1));
        Assert.Equal(new ulong[Abi.CounterCount], counters.ReadPerCpuSums(Abi.CounterCount));
    }

    [Fact]
    public void A_mapped_array_reads_and_writes_what_the_syscalls_see()
    {
        var hists = obj.Map(MapNames.RttHists);
        var mapped = hists.MapArray<RttHist>();
        Assert.Equal((int)Abi.DefaultMaxRttFlows, mapped.Length);

        mapped[5] = new RttHist { Count = 7, SumNs = 70 };
        Assert.True(hists.TryLookup(5u, out RttHist viaSyscall));
        Assert.Equal((7UL, 70UL), (viaSyscall.Count, viaSyscall.SumNs));

        var last = mapped.Length - 1;
        hists.Update((uint)last, new RttHist { MaxNs = 9 });
        Assert.Equal(9UL, mapped[last].MaxNs);
        Assert.Equal(0UL, mapped[4].Count);

        Assert.Equal(256, mapped.WindowEntries); // 432-byte values: 256 of them fill 27 pages
        Assert.Equal(2, mapped.MappedWindows); // the first, and the last one's

        Assert.Throws<ArgumentOutOfRangeException>(() => mapped[mapped.Length]);
        Assert.Throws<ArgumentOutOfRangeException>(() => mapped[-1]);
        mapped.Dispose();
        Assert.Throws<ObjectDisposedException>(() => mapped[0]);
    }

    [Fact]
    public void A_mapped_array_maps_no_new_window_once_its_object_is_disposed()
    {
        var own = BpfObject.Load(Repo.ObjectPath);
        using var mapped = own.Map(MapNames.RttHists).MapArray<RttHist>();
        mapped[0] = new RttHist { Count = 3 };
        own.Dispose();

        Assert.Equal(3UL, mapped[0].Count); // a window mapped before holds the map
        Assert.Throws<ObjectDisposedException>(() => mapped[mapped.Length - 1]);
    }

    [Fact]
    public void Only_arrays_made_mappable_can_be_mapped()
    {
        Assert.Throws<InvalidOperationException>(() => Flows.MapArray<uint>());
        var e = Assert.Throws<BpfException>(() => obj.Map(MapNames.RttNextSlot).MapArray<ulong>());
        Assert.Contains("mmap(rtt_next_slot)", e.Message);
    }

    [Fact]
    public void Push_fills_a_queue_up_to_its_size_and_no_further()
    {
        using var small = BpfObject.Load(Repo.ObjectPath, new Dictionary<string, uint> { [MapNames.RttFreeSlots] = 2 });
        var queue = small.Map(MapNames.RttFreeSlots);
        queue.Push(3u);
        queue.Push(4u);

        var e = Assert.Throws<BpfException>(() => queue.Push(5u));
        Assert.Equal(7, e.Errno); // E2BIG
        Assert.Throws<InvalidOperationException>(() => Flows.Push(5u));
        Assert.Throws<ArgumentException>(() => queue.Push(5ul));
    }

    [Fact]
    public void Only_ring_buffers_can_be_read_as_rings()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Flows.ReadRing<NewFlow>());
        Assert.Equal("map 'flow_slots' is not a ring buffer", e.Message);
        using var ring = obj.Map(MapNames.NewFlows).ReadRing<NewFlow>();
        Assert.True(ring.Drain().IsEmpty);
    }

    public void Dispose() => obj.Dispose();

    // Keys 0..n-1, each naming slot i.
    private void FillNumbered(int n)
    {
        for (var i = 0; i < n; i++)
        {
            Flows.Update(Key(i), (uint)i);
        }
    }

    private static FlowKey Key(int i) => FlowKey.Create(A, (ushort)(10000 + i), B, 443, ifindex: 7);
}
