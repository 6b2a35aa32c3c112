namespace TcpHealth.Bpf.Tests;

public sealed class KernelLoadTests : IDisposable
{
    /// <summary>Reads 4 bytes of packet data without a bounds check: the verifier must refuse it.</summary>
    private const string UncheckedPacketRead = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>

        SEC("tc")
        int unchecked_read(struct __sk_buff *skb)
        {
        	void *data = (void *)(long)skb->data;
        	return *(volatile __u32 *)(data + 100);
        }

        char LICENSE[] SEC("license") = "GPL";
        """;

    private readonly Clang clang = new();

    [Fact]
    public void Real_object_has_maps_of_the_abi_sizes()
    {
        using var obj = BpfObject.Load(Repo.ObjectPath);

        AssertMap(obj.Map(MapNames.FlowSlots), 44, sizeof(uint), Abi.DefaultMaxFlows);
        AssertMap(obj.Map(MapNames.Flows), sizeof(uint), 112, Abi.DefaultMaxFlows);
        AssertMap(obj.Map(MapNames.FlowFreeSlots), 0, sizeof(uint), Abi.DefaultMaxFlows);
        AssertMap(obj.Map(MapNames.FlowNextSlot), sizeof(uint), sizeof(ulong), 1);
        AssertMap(obj.Map(MapNames.NewFlows), 0, 0, Abi.NewFlowsBytes);
        AssertMap(obj.Map(MapNames.RttHists), sizeof(uint), 432, Abi.DefaultMaxRttFlows);
        AssertMap(obj.Map(MapNames.RttFreeSlots), 0, sizeof(uint), Abi.DefaultMaxRttFlows);
        AssertMap(obj.Map(MapNames.RttNextSlot), sizeof(uint), sizeof(ulong), 1);
        AssertMap(obj.Map(MapNames.PendingTs), 8, sizeof(ulong), Abi.DefaultMaxPendingTs);
        AssertMap(obj.Map(MapNames.Counters), sizeof(uint), sizeof(ulong), Abi.CounterCount);
    }

    [Fact]
    public void Real_object_has_the_four_programs()
    {
        using var obj = BpfObject.Load(Repo.ObjectPath);

        foreach (var name in new[] { ProgramNames.Egress, ProgramNames.Ingress, ProgramNames.EgressL3, ProgramNames.IngressL3 })
        {
            var program = obj.Program(name);
            Assert.Equal(name, program.Name);
            Assert.True(program.Fd > 0);
            Assert.NotEqual(0u, program.Id);
        }
    }

    /// <summary>
    /// The verifier walks every path a program can take; a parser that multiplies
    /// paths (an unrolled pointer walk over IPv6 extension headers did) slows start-up
    /// and creeps toward the limit a newer compiler or kernel could cross.
    /// </summary>
    [Fact]
    public void Programs_verify_well_inside_the_kernels_complexity_limit()
    {
        using var obj = BpfObject.Load(Repo.ObjectPath);

        foreach (var name in new[] { ProgramNames.Egress, ProgramNames.Ingress, ProgramNames.EgressL3, ProgramNames.IngressL3 })
        {
            uint processed = obj.Program(name).VerifiedInstructions;
            Assert.InRange(processed, 1u, BpfProgram.VerifierInstructionLimit / 10);
        }
    }

    [Fact]
    public void Max_entries_override_resizes_maps_before_load()
    {
        var sizes = new Dictionary<string, uint> { [MapNames.Flows] = 1000, [MapNames.PendingTs] = 777 };
        using var obj = BpfObject.Load(Repo.ObjectPath, sizes);

        Assert.Equal(1000u, obj.Map(MapNames.Flows).MaxEntries);
        Assert.Equal(777u, obj.Map(MapNames.PendingTs).MaxEntries);
        Assert.Equal(Abi.DefaultMaxRttFlows, obj.Map(MapNames.RttHists).MaxEntries);
    }

    [Fact]
    public void Max_entries_for_an_unknown_map_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => BpfObject.Load(Repo.ObjectPath, new Dictionary<string, uint> { ["nope"] = 1 }));
        Assert.Contains("'nope'", e.Message);
    }

    [Fact]
    public void Missing_object_file_names_the_path_and_errno()
    {
        var path = Path.Combine(clang.Directory, "missing.bpf.o");

        var e = Assert.Throws<BpfLoadException>(() => BpfObject.Load(path));

        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.StartsWith($"bpf_object__open_file({path}) failed: ENOENT (2)", e.Message);
    }

    [Fact]
    public void A_file_that_is_not_a_bpf_object_fails_with_libbpfs_reason()
    {
        var path = clang.Write("garbage.bpf.o", "this is not an ELF file");
        var sink = new CollectingLogSink();

        var e = Assert.Throws<BpfLoadException>(() => BpfObject.Load(path, log: sink));

        Assert.Contains("bpf_object__open_file", e.Message);
        Assert.Contains("libbpf:", e.LibbpfLog);
        Assert.Contains(sink.Messages, m => m.Level == BpfLogLevel.Warning && m.Message.StartsWith("libbpf:", StringComparison.Ordinal));
    }

    [Fact]
    public void Verifier_rejection_carries_the_verifier_log()
    {
        var path = clang.CompileBpf("unchecked", UncheckedPacketRead);
        var sink = new CollectingLogSink();

        var e = Assert.Throws<BpfLoadException>(() => BpfObject.Load(path, log: sink));

        Assert.StartsWith($"bpf_object__load({path}) failed: EACCES (13)", e.Message);
        Assert.Contains("invalid access to packet", e.Message);
        Assert.Contains("unchecked_read", e.Message);
        Assert.Contains(sink.Messages, m => m.Message.Contains("invalid access to packet", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_program_and_map_names_throw()
    {
        using var obj = BpfObject.Load(Repo.ObjectPath);

        Assert.Throws<KeyNotFoundException>(() => obj.Program("nope"));
        Assert.Throws<KeyNotFoundException>(() => obj.Map("nope"));
    }

    [Fact]
    public void Programs_and_maps_are_unusable_after_the_object_is_disposed()
    {
        var obj = BpfObject.Load(Repo.ObjectPath);
        var program = obj.Program(ProgramNames.Egress);
        var map = obj.Map(MapNames.FlowSlots);

        obj.Dispose();

        Assert.Throws<ObjectDisposedException>(() => program.Fd);
        Assert.Throws<ObjectDisposedException>(() => map.ReadAll<FlowKey, uint>());
        Assert.Throws<ObjectDisposedException>(() => obj.Map(MapNames.Flows));
    }

    [Fact]
    public void Stats_count_runs_while_enabled()
    {
        using var obj = BpfObject.Load(Repo.ObjectPath);
        var program = obj.Program(ProgramNames.Egress);
        var frame = new byte[64];

        using (BpfStats.Enable())
        {
            program.TestRun(frame, repeat: 1000);
        }

        var stats = program.Stats();
        Assert.Equal(1000ul, stats.RunCount);
        Assert.True(stats.RunTimeNs > 0);
        Assert.True(stats.AverageNs > 0);
    }

    public void Dispose() => clang.Dispose();

    private static void AssertMap(BpfMap map, uint keySize, uint valueSize, uint maxEntries)
    {
        Assert.Equal(keySize, map.KeySize);
        Assert.Equal(valueSize, map.ValueSize);
        Assert.Equal(maxEntries, map.MaxEntries);
        Assert.True(map.Fd > 0);
    }
}
