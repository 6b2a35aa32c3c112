using System.Net.Sockets;

namespace TcpHealth.Bpf.Tests.Datapath;

/// <summary>
/// One freshly loaded tcphealth.bpf.o (so every map starts empty) and the two
/// Ethernet programs, run through BPF_PROG_TEST_RUN. Every run asserts the
/// program returned TC_ACT_UNSPEC (-1): the datapath never drops nor redirects.
/// </summary>
internal sealed class DatapathHarness : IDisposable
{
    public const int TcActUnspec = -1;

    private readonly BpfObject _obj;

    /// <param name="maxEntries">Map sizes to override (map name → max_entries), to fill a map on purpose.</param>
    public DatapathHarness(Dictionary<string, uint>? maxEntries = null)
    {
        _obj = BpfObject.Load(ObjectPath, maxEntries);
        EgressProgram = _obj.Program(ProgramNames.Egress);
        IngressProgram = _obj.Program(ProgramNames.Ingress);
    }

    public static string ObjectPath => Path.Combine(AppContext.BaseDirectory, "tcphealth.bpf.o");

    /// <summary>An existing interface whose ifindex is not 1 (the test_run default), so the key's ifindex proves ctx_in was used.</summary>
    public static uint OtherIfIndex { get; } = FindOtherIfIndex();

    public BpfProgram EgressProgram { get; }

    public BpfProgram IngressProgram { get; }

    public void Egress(FrameBuilder frame, uint ifindex = 1, uint gsoSegs = 0) => Run(EgressProgram, frame.Build(), ifindex, gsoSegs);

    public void Ingress(FrameBuilder frame, uint ifindex = 1, uint gsoSegs = 0) => Run(IngressProgram, frame.Build(), ifindex, gsoSegs);

    public static void Run(BpfProgram program, byte[] frame, uint ifindex = 1, uint gsoSegs = 0)
    {
        var result = program.TestRun(frame, ifindex, gsoSegs);
        Assert.Equal(TcActUnspec, result.ReturnValue);
    }

    /// <summary>Every flow: its key (from flow_slots) and its entry in the slot that names (read through the syscall, not the mapping).</summary>
    public List<KeyValuePair<FlowKey, Flow>> Flows() => Flows(_obj);

    /// <summary><see cref="Flows()"/> of any loaded tcphealth.bpf.o.</summary>
    public static List<KeyValuePair<FlowKey, Flow>> Flows(BpfObject obj)
    {
        var flows = obj.Map(MapNames.Flows);
        return obj.Map(MapNames.FlowSlots).ReadAll<FlowKey, uint>().Select(kv =>
        {
            Assert.True(flows.TryLookup(kv.Value, out Flow flow), $"slot {kv.Value} is outside flows");
            return new KeyValuePair<FlowKey, Flow>(kv.Key, flow);
        }).ToList();
    }

    /// <summary>The slot a flow's key names in flow_slots.</summary>
    public uint SlotOf(FlowKey key)
    {
        Assert.True(_obj.Map(MapNames.FlowSlots).TryLookup(key, out uint slot), $"no flow {key}");
        return slot;
    }

    /// <summary>
    /// Every pending timestamp → when it left: each flow's newest (in the flow entry, its
    /// TSval the one last timestamped) and the older ones in pending_ts.
    /// </summary>
    public List<KeyValuePair<TsKey, ulong>> Pending()
    {
        var pending = _obj.Map(MapNames.PendingTs).ReadAll<TsKey, ulong>();
        var flows = Flows();
        var now = (ulong)System.Diagnostics.Stopwatch.GetTimestamp(); // CLOCK_MONOTONIC ns, the datapath's clock, after the read
        foreach (var (key, flow) in flows)
        {
            if (flow.PendingSentNs(now) is { } sent)
            {
                Assert.Equal(flow.Tx.LastTs & Abi.TsTsvalMask, (uint)flow.TsPending & Abi.TsTsvalMask);
                pending.Add(new(new TsKey { Slot = SlotOf(key), TsVal = flow.Tx.LastTs }, sent));
            }
        }

        return pending;
    }

    /// <summary>Each flow that has an RTT slot, with its histogram (read through the syscall, not the mapping).</summary>
    public List<KeyValuePair<FlowKey, RttHist>> Hists()
    {
        var hists = _obj.Map(MapNames.RttHists);
        var found = new List<KeyValuePair<FlowKey, RttHist>>();
        foreach (var (key, flow) in Flows())
        {
            if (flow.RttSlot != 0)
            {
                Assert.True(hists.TryLookup((uint)(flow.RttSlot - 1), out RttHist hist), $"slot {flow.RttSlot} is outside rtt_hists");
                found.Add(new(key, hist));
            }
        }

        return found;
    }

    public BpfMap Map(string name) => _obj.Map(name);

    /// <summary>The RTT record of the only flow that has one; all zero when none has.</summary>
    public RttHist Rtt() => Hists() is [var only] ? only.Value : default;

    /// <summary>The `counters` map summed over CPUs, indexed by <see cref="DatapathCounter"/>.</summary>
    public ulong[] Counters()
    {
        var map = _obj.Map(MapNames.Counters);
        return map.ReadPerCpuSums(map.MaxEntries);
    }

    /// <summary>Samples a histogram holds: below + above + every bucket.</summary>
    public static long HistSamples(RttHist hist)
    {
        long n = (long)hist.Below + hist.Above;
        foreach (var b in hist.AsSpan())
        {
            n += b;
        }

        return n;
    }

    public ulong Counter(DatapathCounter c) => Counters()[(int)c];

    /// <summary>The only flow; fails if there are none or several.</summary>
    public (FlowKey Key, Flow Flow) SingleFlow()
    {
        var all = Flows();
        Assert.Single(all);
        return (all[0].Key, all[0].Value);
    }

    /// <summary>
    /// Asserts the key is <paramref name="frame"/>'s flow seen from the interface:
    /// src = the frame's sender when it went out through egress, its receiver when
    /// it came in through ingress. The proto is the frame's; the ports are the
    /// frame's unless <paramref name="senderPorts"/> gives them (as the sender
    /// would key them: UDP ports, an ICMP echo's identifier twice, 0/0 otherwise).
    /// </summary>
    public static void AssertKey(FlowKey key, FrameBuilder frame, bool viaEgress, uint ifindex, (ushort Src, ushort Dst)? senderPorts = null)
    {
        var expected = KeyOf(frame, viaEgress, ifindex, senderPorts);
        var (src, dst) = viaEgress ? (frame.Source, frame.Destination) : (frame.Destination, frame.Source);
        // ToString first: addresses, ports, ifindex and proto, readable when it fails.
        Assert.Equal(expected.ToString(), key.ToString());
        Assert.Equal(src, key.Source);
        Assert.Equal(dst, key.Destination);
        Assert.Equal(ifindex, key.IfIndex);
        Assert.Equal(src.AddressFamily == AddressFamily.InterNetworkV6 ? FlowFamily.IPv6 : FlowFamily.IPv4, key.Family);
        Assert.Equal(frame.ProtocolNumber, key.Proto);
        // All 44 bytes: ports in host order, proto, padding and the zero tail of IPv4 addresses.
        Assert.Equal(expected, key);
    }

    /// <summary>The key <paramref name="frame"/> maps to when it passes the given hook (ports as in <see cref="AssertKey"/>).</summary>
    public static FlowKey KeyOf(FrameBuilder frame, bool viaEgress, uint ifindex, (ushort Src, ushort Dst)? senderPorts = null)
    {
        var (sport, dport) = senderPorts ?? (frame.SourcePort, frame.DestinationPort);
        var proto = (ProtocolType)frame.ProtocolNumber;
        return viaEgress
            ? FlowKey.Create(frame.Source, sport, frame.Destination, dport, ifindex, proto)
            : FlowKey.Create(frame.Destination, dport, frame.Source, sport, ifindex, proto);
    }

    private static uint FindOtherIfIndex()
    {
        foreach (var dir in Directory.EnumerateDirectories("/sys/class/net").Order())
        {
            if (uint.TryParse(File.ReadAllText(Path.Combine(dir, "ifindex")).Trim(), out var i) && i > 1)
            {
                return i;
            }
        }

        return 1;
    }

    public void Dispose() => _obj.Dispose();
}
