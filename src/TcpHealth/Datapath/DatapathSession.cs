using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TcpHealth.Bpf;
using TcpHealth.Core;
using TcpHealth.Core.Flows;

namespace TcpHealth.Datapath;

/// <summary>
/// The loaded BPF object attached to a set of interfaces: the one place the
/// application touches the kernel. <see cref="Collect"/> learns the keys of new
/// flows from the new_flows ring buffer, reads every flow and its RTT histogram in
/// place (both tables are mapped), turns the records into snapshots and removes
/// expired state.
/// </summary>
public sealed class DatapathSession : IDisposable
{
    private readonly DatapathOptions _options;
    private readonly BpfObject _object;
    private readonly ILogSink _log;
    private readonly List<Attachment> _attachments = [];
    private readonly Dictionary<uint, string> _interfaceNames = [];
    private readonly BpfMap _flowSlots, _pendingTimestamps, _counters;
    private readonly SlotArray<Flow> _flows;
    private readonly SlotArray<RttHist> _rttHists;
    private readonly RingBufferReader<NewFlow> _newFlows;
    private readonly FlowHistory _history = new();
    private readonly Func<uint, string> _interfaceName;
    private ulong _newFlowsLost;

    // Reused by every collection instead of fresh arrays every few seconds (grown
    // to the largest read so far): a copy of each flow's RTT histogram for the
    // snapshots of Collect(), which keeps them, and the batches of flow_slots and
    // pending_ts. A sink keeps no snapshot, so its flows share one record for the
    // samples taken from theirs.
    private RttHist[] _histValues = [];
    private int _histCount;
    private readonly RttHist[] _histForSink = new RttHist[1];
    // Whether this session's collections take the RTT samples out of the kernel's
    // records (a sink) or leave them (Collect()); null before the first.
    private bool? _takesSamples;
    private FlowKey[] _slotKeys = [];
    private uint[] _slotValues = [];
    private TsKey[] _tsKeys = [];
    private ulong[] _tsValues = [];
    private readonly FlowLists _lists = new();
    private readonly List<TsKey> _staleTimestamps = [];

    private DatapathSession(DatapathOptions options, BpfObject obj, ILogSink log)
    {
        _options = options;
        _object = obj;
        _log = log;
        _flowSlots = obj.Map(MapNames.FlowSlots);
        _pendingTimestamps = obj.Map(MapNames.PendingTs);
        _newFlows = obj.Map(MapNames.NewFlows).ReadRing<NewFlow>();
        try
        {
            _flows = new SlotArray<Flow>(obj, MapNames.Flows, MapNames.FlowFreeSlots);
            _rttHists = new SlotArray<RttHist>(obj, MapNames.RttHists, MapNames.RttFreeSlots);
        }
        catch
        {
            _newFlows.Dispose();
            _flows?.Dispose();
            throw;
        }
        _counters = obj.Map(MapNames.Counters);
        _interfaceName = index => _interfaceNames.TryGetValue(index, out var name) ? name : $"if{index}";
    }

    /// <summary>Loads the programs and attaches them to both hooks of every listed interface, or throws <see cref="DatapathSetupException"/>.</summary>
    public static DatapathSession Open(DatapathOptions options, ILogSink log)
    {
        if (!File.Exists(options.ObjectPath))
            throw new DatapathSetupException($"BPF object {options.ObjectPath} not found: build with `make build` or reinstall");

        // A missing interface is the commonest mistake: say so before loading anything.
        try
        {
            foreach (var name in options.Interfaces)
                InterfaceInfo.IndexOf(name);
        }
        catch (InterfaceNotFoundException e)
        {
            throw new DatapathSetupException(e.Message, e);
        }

        BpfObject obj;
        try
        {
            obj = BpfObject.Load(options.ObjectPath, new Dictionary<string, uint>
            {
                [MapNames.FlowSlots] = options.MaxFlows,
                [MapNames.Flows] = options.MaxFlows,
                [MapNames.FlowFreeSlots] = options.MaxFlows,
                [MapNames.RttHists] = options.MaxRttFlows,
                [MapNames.RttFreeSlots] = options.MaxRttFlows,
                [MapNames.PendingTs] = options.MaxPendingTimestamps,
            }, log);
        }
        catch (BpfException e)
        {
            throw new DatapathSetupException(Explain(e, "loading the BPF programs"), e);
        }

        DatapathSession session;
        try
        {
            session = new DatapathSession(options, obj, log);
        }
        catch (BpfException e)
        {
            obj.Dispose();
            throw new DatapathSetupException(Explain(e, "mapping the flow tables"), e);
        }

        try
        {
            foreach (var name in options.Interfaces.Distinct())
                session.Attach(name);
        }
        catch (DatapathSetupException)
        {
            session.Dispose();
            throw;
        }
        return session;
    }

    /// <summary>Interfaces both hooks are attached to.</summary>
    public IReadOnlyCollection<string> Interfaces => _interfaceNames.Values;

    /// <summary>
    /// Attaches both programs to one more interface (the agent's
    /// --interface-pattern finds new ones while running).
    /// </summary>
    public void Attach(string name)
    {
        try
        {
            uint index = (uint)InterfaceInfo.IndexOf(name);
            bool l2 = InterfaceInfo.HasEthernetHeader(name);
            var egress = Attacher.Attach(_object.Program(l2 ? ProgramNames.Egress : ProgramNames.EgressL3), name, HookDirection.Egress, _options.AttachMode, _log);
            try
            {
                _attachments.Add(Attacher.Attach(_object.Program(l2 ? ProgramNames.Ingress : ProgramNames.IngressL3), name, HookDirection.Ingress, _options.AttachMode, _log));
            }
            catch
            {
                egress.Dispose();
                throw;
            }
            _attachments.Add(egress);
            _interfaceNames[index] = name;
        }
        catch (BpfException e)
        {
            throw new DatapathSetupException(e is InterfaceNotFoundException ? e.Message : Explain(e, $"attaching to {name}"), e);
        }
    }

    /// <summary>
    /// Attached names that now belong to another interface: deleted and created again
    /// (a pod's veth under a fixed name) since they were attached, so the hooks went
    /// with the old one. Detach and attach them again.
    /// </summary>
    public IReadOnlyList<string> Recreated()
    {
        var recreated = new List<string>();
        foreach (var (index, name) in _interfaceNames)
        {
            try
            {
                if ((uint)InterfaceInfo.IndexOf(name) != index)
                    recreated.Add(name);
            }
            catch (InterfaceNotFoundException)
            {
                // Gone for good: the caller detaches what it no longer finds.
            }
        }
        return recreated;
    }

    /// <summary>Detaches from an interface (or forgets one that disappeared).</summary>
    public void Detach(string name)
    {
        foreach (var a in _attachments.Where(a => a.Interface == name).ToList())
        {
            a.Dispose();
            _attachments.Remove(a);
        }
        foreach (var index in _interfaceNames.Where(kv => kv.Value == name).Select(kv => kv.Key).ToList())
            _interfaceNames.Remove(index);
    }

    /// <summary>"eth0 (tcx), tun0 (tc)" for the user.</summary>
    public string Describe() =>
        string.Join(", ", _attachments.Where(a => a.Direction == HookDirection.Egress).Select(a => $"{a.Interface} ({a.ActualMode.ToString().ToLowerInvariant()})"));

    /// <summary>Reads every map once: the flows as lists (see <see cref="DatapathSnapshot"/>), RTT histograms as the flows' totals.</summary>
    public DatapathSnapshot Collect()
    {
        // Reused (see DatapathSnapshot): 10k flows would otherwise be 2 MB of garbage
        // every collection, which the GC lets pile up as resident memory between its runs.
        _lists.Flows.Clear();
        _lists.ExpiredFlows.Clear();
        var status = Collect(_lists, takeSamples: false);
        return new DatapathSnapshot(status.Timestamp, _lists.Flows, status.Counters, status.FlowCapacity) { Expired = _lists.ExpiredFlows };
    }

    /// <summary>
    /// Reads every map once and hands each flow to <paramref name="sink"/> as it is read,
    /// keeping none, with the RTT samples that are new since the last read taken out of
    /// the kernel's records (see <see cref="IFlowSink"/>). A session collects either this
    /// way or with <see cref="Collect()"/>, whose lists would miss the samples taken.
    /// </summary>
    public DatapathStatus Collect(IFlowSink sink) => Collect(sink, takeSamples: true);

    [MethodImpl(HotPath.JitCompiled)]
    private DatapathStatus Collect(IFlowSink sink, bool takeSamples)
    {
        if (_takesSamples is bool before && before != takeSamples)
            throw new InvalidOperationException(
                "this session already collected the other way: into lists (RTT histograms as totals) or into a sink (RTT samples taken out of the kernel's records as they are read); open one session per kind");
        _takesSamples = takeSamples;
        ulong now = MonotonicNowNs();
        var counters = new DatapathCounters(_counters.ReadPerCpuSums((uint)Abi.CounterCount));
        _flows.BeginCollection();
        _rttHists.BeginCollection();
        _histCount = 0;

        LearnNewFlows(counters[DatapathCounter.NewFlowsLost], now);
        int flows = 0;
        for (int slot = 0; slot < _history.SlotLimit; slot++)
        {
            if (!_history.Knows(slot))
                continue;
            var flow = _flows[slot];
            if (Observe(slot, flow, now, sink, takeSamples))
                flows++;
        }

        ExpirePendingTimestamps(now);
        return new DatapathStatus(DateTimeOffset.UtcNow, counters, flows, (int)_options.MaxFlows);
    }

    // The keys of the flows created since the last collection, from the ring buffer;
    // when it overflowed (lost counts up), from flow_slots whole, which has them all
    // but not when they were created: those are taken as new now.
    private void LearnNewFlows(ulong lost, ulong now)
    {
        foreach (ref readonly var created in _newFlows.Drain())
            Learn(created.Slot, created.Key, created.FirstSeenNs);

        if (lost == _newFlowsLost)
            return;
        _log.Log(BpfLogLevel.Warning, $"{lost - _newFlowsLost} new flows did not fit the {MapNames.NewFlows} ring buffer: reading {MapNames.FlowSlots} whole for their keys");
        var cursor = _flowSlots.BeginRead();
        int count;
        while ((count = _flowSlots.ReadBatch(cursor, ref _slotKeys, ref _slotValues)) > 0)
        {
            for (int i = 0; i < count; i++)
                Learn(_slotValues[i], _slotKeys[i], now);
        }
        // Only once read whole: a read that failed is tried again at the next collection.
        _newFlowsLost = lost;
    }

    private void Learn(uint slot, in FlowKey key, ulong firstSeenNs)
    {
        if (slot >= (uint)_flows.Length)
            return;
        // The same flow announced twice (the ring, then flow_slots) is known already. Another
        // key in a known slot would mean this process lost track of the kernel: the kernel wins.
        if (_history.Knows((int)slot) && !_history.Key((int)slot).Equals(key))
        {
            _log.Log(BpfLogLevel.Warning, $"slot {slot} of {MapNames.Flows} holds {key}, not {_history.Key((int)slot)} as this process thought: following the new flow");
            _history.Forget((int)slot);
        }
        _history.Add((int)slot, key, firstSeenNs, _interfaceName);
    }

    // One flow of a read: a snapshot (true), or its last one and removal when it idled out.
    [MethodImpl(HotPath.JitCompiled)]
    private bool Observe(int slot, in Flow flow, ulong now, IFlowSink sink, bool takeSamples)
    {
        ref readonly var key = ref _history.Key(slot);
        int h = ReadRtt(flow.RttSlot, takeSamples, out var hists);
        var reading = _history.Observe(slot, flow, now);
        if (reading.Idle <= _options.FlowIdleTimeout)
        {
            sink.Flow(FlowSnapshotBuilder.Build(key, flow, hists, h, now, reading, _options.HandshakeTimeout));
            return true;
        }

        // An idle flow is removed, and handed out once more with what it held once no new
        // packet can find it: one that arrived since the read is not lost. Its key goes only
        // if it still names this slot (the datapath never replaces a key's slot, so nothing
        // changes in between), and the slots are released before anything that may fail.
        var removedKey = key;
        if (_flowSlots.TryLookup(removedKey, out uint named) && named == slot)
            _flowSlots.Delete(removedKey);
        var last = _flows[slot];
        reading = _history.Observe(slot, last, now);
        _history.Forget(slot);
        _flows.Release(slot);
        if (RttIndex(last.RttSlot) is int lastRtt)
            _rttHists.Release(lastRtt);
        h = ReadRtt(last.RttSlot, takeSamples, out hists);
        sink.Expired(FlowSnapshotBuilder.Build(removedKey, last, hists, h, now, reading, _options.HandshakeTimeout));
        return false;
    }

    // A flow's RTT record for its snapshot, as hists[index] (-1: none yet). For a sink, the
    // samples taken from the kernel's record into the one record its flows share; for
    // Collect()'s lists, a copy of the record that stays as it is until the next collection
    // (a resize leaves earlier snapshots' views on the old array, unchanged).
    private int ReadRtt(ulong rttSlot, bool takeSamples, out RttHist[] hists)
    {
        hists = _histForSink;
        if (RttIndex(rttSlot) is not int rttIndex)
            return -1;
        if (takeSamples)
        {
            RttSampleDrain.Take(ref _rttHists.Shared(rttIndex), ref hists[0]);
            return 0;
        }
        if (_histCount == _histValues.Length)
            Array.Resize(ref _histValues, Math.Max(64, _histCount * 2));
        hists = _histValues;
        hists[_histCount] = _rttHists[rttIndex];
        return _histCount++;
    }

    // The rtt_hists index a flow's rtt_slot names (1 + index; 0: none yet).
    private int? RttIndex(ulong rttSlot) => rttSlot != 0 && rttSlot <= (ulong)_rttHists.Length ? (int)(rttSlot - 1) : null;

    // A TSval that was never echoed (a delayed ACK echoes only some) would
    // otherwise hold its entry forever; and the entries of a flow just removed
    // must not meet the next flow in its slot.
    private void ExpirePendingTimestamps(ulong now)
    {
        ulong timeoutNs = (ulong)_options.TimestampTimeout.Ticks * 100;
        _staleTimestamps.Clear();
        var cursor = _pendingTimestamps.BeginRead();
        int count;
        while ((count = _pendingTimestamps.ReadBatch(cursor, ref _tsKeys, ref _tsValues)) > 0)
        {
            for (int i = 0; i < count; i++)
            {
                ulong sentNs = _tsValues[i];
                if ((now > sentNs && now - sentNs > timeoutNs) || _flows.WasReleased((int)_tsKeys[i].Slot))
                    _staleTimestamps.Add(_tsKeys[i]);
            }
        }
        if (_staleTimestamps.Count > 0)
            _pendingTimestamps.DeleteBatch<TsKey>(CollectionsMarshal.AsSpan(_staleTimestamps));
    }

    /// <summary>Entries in pending_ts now, read whole (the tests' check that expired state leaves with its flow).</summary>
    internal int PendingTimestampCount()
    {
        int total = 0, count;
        var cursor = _pendingTimestamps.BeginRead();
        while ((count = _pendingTimestamps.ReadBatch(cursor, ref _tsKeys, ref _tsValues)) > 0)
            total += count;
        return total;
    }

    /// <summary>CLOCK_MONOTONIC in ns: the clock of bpf_ktime_get_ns (Stopwatch uses it on Linux).</summary>
    private static ulong MonotonicNowNs()
    {
        long ticks = Stopwatch.GetTimestamp();
        return Stopwatch.Frequency == 1_000_000_000 ? (ulong)ticks : (ulong)(ticks * (1e9 / Stopwatch.Frequency));
    }

    private static string Explain(BpfException e, string what) => e.Errno switch
    {
        1 or 13 => $"{what} needs root or the capabilities CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON ({e.Message}); run with sudo",
        38 => $"{what} failed: this kernel has no BPF support ({e.Message})",
        _ => $"{what} failed: {e.Message}",
    };

    // Collect()'s sink: the session's two reused lists.
    private sealed class FlowLists : IFlowSink
    {
        public List<FlowSnapshot> Flows { get; } = [];
        public List<FlowSnapshot> ExpiredFlows { get; } = [];

        public void Flow(in FlowSnapshot flow) => Flows.Add(flow);

        public void Expired(in FlowSnapshot flow) => ExpiredFlows.Add(flow);
    }

    public void Dispose()
    {
        foreach (var a in _attachments)
            a.Dispose();
        _newFlows.Dispose();
        _flows.Dispose();
        _rttHists.Dispose();
        _object.Dispose();
    }
}
