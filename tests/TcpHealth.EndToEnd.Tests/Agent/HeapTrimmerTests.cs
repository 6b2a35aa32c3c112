using TcpHealth.Agent;

namespace TcpHealth.EndToEnd.Tests;

/// <summary>
/// When the agent gives the GC's spare memory back: the rule against a heap the
/// test describes, then the real GC of this test process.
/// </summary>
public sealed class HeapTrimmerTests
{
    private const long MiB = 1 << 20;
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    private sealed class FakeHeap
    {
        public HeapMemory Now;
        public int Compactions;

        public HeapTrimmer Trimmer() => new(() => Now, () =>
        {
            Compactions++;
            Now = new HeapMemory(Now.LiveBytes, Now.LiveBytes);
        });
    }

    [Fact]
    public void Spare_memory_of_four_MiB_and_an_eighth_of_the_live_heap_is_given_back()
    {
        var heap = new FakeHeap { Now = new HeapMemory(18 * MiB, 8 * MiB) };
        var trimmer = heap.Trimmer();

        Assert.True(trimmer.AfterCollection(Start));
        Assert.Equal(1, heap.Compactions);
    }

    [Theory]
    [InlineData(4, 1)] // an eighth of 1 MiB is less than the 4 MiB floor
    [InlineData(90, 80)] // 10 MiB spare, less than an eighth of 80 MiB
    public void Spare_memory_below_either_bound_is_left(int committedMiB, int liveMiB)
    {
        var heap = new FakeHeap { Now = new HeapMemory(committedMiB * MiB, liveMiB * MiB) };

        Assert.False(heap.Trimmer().AfterCollection(Start));
        Assert.Equal(0, heap.Compactions);
    }

    [Fact]
    public void Compacts_at_most_once_a_minute_even_when_the_spare_memory_comes_straight_back()
    {
        var heap = new FakeHeap();
        var trimmer = heap.Trimmer();
        var results = new List<bool>();
        for (int interval = 0; interval <= 12; interval++)
        {
            heap.Now = new HeapMemory(100 * MiB, 10 * MiB);
            results.Add(trimmer.AfterCollection(Start + TimeSpan.FromSeconds(5 * interval)));
        }

        // Every 5 s: the first interval and the one a minute later.
        Assert.Equal([0, 12], results.Select((trimmed, i) => (trimmed, i)).Where(r => r.trimmed).Select(r => r.i));
        Assert.Equal(2, heap.Compactions);
    }

    [Fact]
    public void The_real_compaction_decommits_what_a_sweep_left_behind()
    {
        // Objects promoted to gen2 and then dropped: a sweeping gen2 collection frees
        // them in place, so the GC still holds their memory, spare.
        var kept = new object[200_000];
        for (int i = 0; i < kept.Length; i++)
            kept[i] = new byte[200];
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        for (int i = 0; i < kept.Length; i++)
        {
            if (i % 100 != 0)
                kept[i] = null!;
        }
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: false);
        var before = HeapMemory.Read();

        bool trimmed = new HeapTrimmer().AfterCollection(Start);
        var after = HeapMemory.Read();

        GC.KeepAlive(kept);
        Assert.True(before.SpareBytes > 20 * MiB, $"the sweep left {before.SpareBytes / MiB} MiB spare");
        Assert.True(trimmed);
        Assert.True(after.SpareBytes < before.SpareBytes / 4, $"spare {before.SpareBytes / MiB} MiB before, {after.SpareBytes / MiB} MiB after");
    }
}
