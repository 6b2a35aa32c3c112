using TcpHealth.Bpf;

namespace TcpHealth.Bench;

/// <summary>ns per run for one packet kind; null where a program was not run for it.</summary>
public sealed record TestRunRow(string Kind, int Repeat, double? EgressNs, double? IngressNs, double NoopNs, string Note);

/// <summary>
/// Measurement 3: BPF_PROG_TEST_RUN with BPF stats off. DurationNs is the kernel's
/// mean per repetition. With repeat > 1 the same frame runs again and again, so
/// state-dependent paths run only once (a TSval is stored once, an echo matches
/// once); the rows say which path the bulk of the runs took. The RTT match path
/// itself is measured separately with repeat=1, where each run's figure also
/// carries the kernel's timer read.
/// </summary>
public static class TestRunBench
{
    private const int Repeat = 100_000;
    private const int SinglesPerRow = 2_000;
    private const int TcActUnspec = -1;

    public static List<TestRunRow> Run(string oursPath, string noopPath)
    {
        using var ours = BpfObject.Load(oursPath);
        using var control = BpfObject.Load(noopPath);
        var egress = ours.Program(ProgramNames.Egress);
        var ingress = ours.Program(ProgramNames.Ingress);
        var noop = control.Program("noop");
        var counters = ours.Map(MapNames.Counters);

        var rows = new List<TestRunRow>();

        // Steady state of a flow: the first run creates the flow entry; every later
        // run finds it. A fresh port per kind keeps kinds from sharing a flow.
        void Steady(string kind, byte[] frame, string note)
        {
            rows.Add(new TestRunRow(kind, Repeat, Mean(egress, frame), Mean(ingress, frame), Mean(noop, frame), note));
        }

        const string a4 = "10.0.0.1", b4 = "10.0.0.2", a6 = "2001:db8::1", b6 = "2001:db8::2";
        const byte data = Frames.FlagAck | Frames.FlagPsh;

        Steady("IPv4 TCP data + TS", Frames.Tcp(a4, 40001, b4, 80, data, Frames.Timestamps(1000, 500), payload: 1448),
            "egress: 1st run stores the TSval, the rest see the same TSval (the GSO-burst path)");

        // The echo: seed pending_ts with one egress frame, then run the peer's ACK through ingress.
        var samplesBefore = RttSamples(counters);
        Run(egress, Frames.Tcp(a4, 40002, b4, 80, data, Frames.Timestamps(7000, 500), payload: 1448), 1);
        var ack = Frames.Tcp(b4, 80, a4, 40002, Frames.FlagAck, Frames.Timestamps(600, 7000));
        var ackIngress = Mean(ingress, ack);
        var matched = RttSamples(counters) - samplesBefore;
        rows.Add(new TestRunRow("IPv4 pure ACK echoing TSval", Repeat, null, ackIngress, Mean(noop, ack),
            $"seeded; {matched} of {Repeat} runs matched (the match deletes the entry), the rest take the 'TSecr already seen' return"));

        rows.Add(MatchPath(egress, ingress, noop, counters));

        Steady("IPv6 TCP data + TS", Frames.Tcp(a6, 40003, b6, 443, data, Frames.Timestamps(1000, 500), payload: 1428), "");
        Steady("VLAN (802.1Q) IPv4 TCP + TS", Frames.Tcp(a4, 40004, b4, 80, data, Frames.Timestamps(1000, 500), payload: 1448, vlan: 100), "");
        Steady("IPv4 SYN (Linux options)", Frames.Tcp(a4, 40005, b4, 80, Frames.FlagSyn, Frames.SynOptions(1000), ack: 0),
            "MSS,SACK-perm,TS,NOP,WS: full option walk; handshake tracking each run");
        Steady("IPv4 UDP (non-TCP)", Frames.Udp(a4, 40006, b4, 53, 64), "counted and left after the IP header");
        Steady("IPv4 TCP TS + SACK (40 B opts)", Frames.Tcp(a4, 40007, b4, 80, Frames.FlagAck, Frames.SackOptions(1000, 500)),
            "option walk: NOP NOP TS NOP NOP SACK(3 blocks)");
        Steady("IPv4 TCP 30 NOPs + TS (40 B opts)", Frames.Tcp(a4, 40008, b4, 80, Frames.FlagAck, Frames.NopPaddedOptions(1000, 500)),
            "longest option walk: 31 steps");
        return rows;
    }

    /// <summary>
    /// Every ingress run matches: each iteration stores a new TSval through egress
    /// (repeat=1, the insert path) and echoes it through ingress (repeat=1: lookup,
    /// delete, RTT sample and histogram). Medians of many single runs.
    /// </summary>
    private static TestRunRow MatchPath(BpfProgram egress, BpfProgram ingress, BpfProgram noop, BpfMap counters)
    {
        var e = new List<double>();
        var i = new List<double>();
        var n = new List<double>();
        var before = RttSamples(counters);
        for (var k = 0u; k < SinglesPerRow; k++)
        {
            var tsval = 100_000 + k;
            var dataFrame = Frames.Tcp("10.0.1.1", 40100, "10.0.1.2", 80, Frames.FlagAck | Frames.FlagPsh, Frames.Timestamps(tsval, 500),
                payload: 1448, seq: 1000 + (k * 1448));
            var ackFrame = Frames.Tcp("10.0.1.2", 80, "10.0.1.1", 40100, Frames.FlagAck, Frames.Timestamps(500 + k, tsval), ack: 1000 + ((k + 1) * 1448));
            e.Add(Run(egress, dataFrame, 1).DurationNs);
            i.Add(Run(ingress, ackFrame, 1).DurationNs);
            n.Add(Run(noop, ackFrame, 1).DurationNs);
        }

        var matched = RttSamples(counters) - before;
        return new TestRunRow("IPv4 data new TSval -> ACK echo", 1, Stats.Median(e), Stats.Median(i), Stats.Median(n),
            $"repeat=1 x {SinglesPerRow}, medians incl. the timer read: egress stores, ingress matches ({matched}/{SinglesPerRow} matched)");
    }

    /// <summary>Mean ns per run over <see cref="Repeat"/> runs; the median of 3 such calls, to shrug off one disturbed call.</summary>
    private static double Mean(BpfProgram program, byte[] frame) =>
        Stats.Median([.. Enumerable.Range(0, 3).Select(_ => (double)Run(program, frame, Repeat).DurationNs)]);

    private static TestRunResult Run(BpfProgram program, byte[] frame, int repeat)
    {
        var r = program.TestRun(frame, ifindex: 1, gsoSegs: 0, repeat: repeat);
        return r.ReturnValue == TcActUnspec
            ? r
            : throw new InvalidOperationException($"{program.Name} returned {r.ReturnValue}, expected TC_ACT_UNSPEC (-1)");
    }

    private static ulong RttSamples(BpfMap counters) => counters.ReadPerCpuSums((uint)DatapathCounter.RttSamples + 1)[(int)DatapathCounter.RttSamples];
}
