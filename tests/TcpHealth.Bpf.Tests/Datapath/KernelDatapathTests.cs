namespace TcpHealth.Bpf.Tests.Datapath;

/// <summary>
/// The datapath's accounting, through BPF_PROG_TEST_RUN on crafted frames. Each
/// test loads its own object, so every map starts empty. Needs root.
/// </summary>
public sealed class KernelDatapathTests : IDisposable
{
    private readonly DatapathHarness _dp = new();

    public void Dispose() => _dp.Dispose();

    public static TheoryData<string> Encapsulations => ["ipv4", "ipv6", "vlan", "qinq", "vlan-ipv6", "qinq-ipv6"];

    private static FrameBuilder Encapsulated(string name) => name switch
    {
        "ipv4" => FrameBuilder.Tcp4(40001, 8080),
        "ipv6" => FrameBuilder.Tcp6(40001, 8443),
        "vlan" => FrameBuilder.Tcp4(40002, 8080).Vlan(100),
        "qinq" => FrameBuilder.Tcp4(40003, 8080).QinQ(10, 20),
        "vlan-ipv6" => FrameBuilder.Tcp6(40004, 8443).Vlan(100),
        "qinq-ipv6" => FrameBuilder.Tcp6(40005, 8443).QinQ(10, 20),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    [Theory]
    [MemberData(nameof(Encapsulations))]
    public void Egress_then_reverse_ingress_account_one_flow_in_both_directions(string encapsulation)
    {
        var ifindex = DatapathHarness.OtherIfIndex;
        var tx = Encapsulated(encapsulation).Seq(1000).Flags(TcpFlags.Ack | TcpFlags.Psh).Payload(100);

        _dp.Egress(tx, ifindex);

        var (key, flow) = _dp.SingleFlow();
        DatapathHarness.AssertKey(key, tx, viaEgress: true, ifindex);
        Assert.Equal((ulong)tx.IpLengthOnWire, flow.Tx.Bytes);
        Assert.Equal(1UL, flow.Tx.Packets);
        Assert.Equal(1UL, flow.Tx.Segments);
        Assert.Equal(default(DirStats), flow.Rx);
        Assert.Equal(ConnState.Unknown, flow.ConnState);

        var rx = tx.Reply().Seq(50000).AckNo(1100).Flags(TcpFlags.Ack).Payload(0);
        _dp.Ingress(rx, ifindex);

        var (key2, flow2) = _dp.SingleFlow();
        Assert.Equal(key, key2);
        Assert.Equal((ulong)rx.IpLengthOnWire, flow2.Rx.Bytes);
        Assert.Equal(1UL, flow2.Rx.Packets);
        Assert.Equal(1UL, flow2.Rx.Segments);
        Assert.Equal(flow.Tx.Bytes, flow2.Tx.Bytes);
        Assert.Equal(1UL, flow2.Tx.Packets);

        var c = _dp.Counters();
        Assert.Equal(2UL, c[(int)DatapathCounter.Packets]);
        Assert.Equal(2UL, c[(int)DatapathCounter.TcpPackets]);
        Assert.Equal(4UL, c.Aggregate(0UL, (a, v) => a + v)); // nothing but those two
    }

    [Fact]
    public void Same_packet_on_another_ifindex_is_another_flow()
    {
        var tx = FrameBuilder.Tcp4().Payload(10);
        _dp.Egress(tx, 1);
        _dp.Egress(tx, DatapathHarness.OtherIfIndex);

        Assert.NotEqual(1u, DatapathHarness.OtherIfIndex);
        var flows = _dp.Flows();
        Assert.Equal(2, flows.Count);
        Assert.Equal(new[] { 1u, DatapathHarness.OtherIfIndex }, flows.Select(f => f.Key.IfIndex).Order());
    }

    [Fact]
    public void Timestamp_echo_yields_one_rtt_sample_and_consumes_the_pending_entry()
    {
        var tx = FrameBuilder.Tcp4().Seq(1000).Payload(100).Timestamp(tsval: 100, tsecr: 7);
        _dp.Egress(tx);

        var pending = Assert.Single(_dp.Pending());
        Assert.Equal(100u, pending.Key.TsVal);
        Assert.Equal(_dp.SlotOf(DatapathHarness.KeyOf(tx, viaEgress: true, 1)), pending.Key.Slot);
        Assert.NotEqual(0UL, pending.Value);

        Thread.Sleep(1); // a measurable RTT, well above the 1 us histogram floor
        var ack = tx.Reply().Seq(9000).AckNo(1100).Payload(0).Timestamp(tsval: 8, tsecr: 100);
        _dp.Ingress(ack);

        var (key, flow) = _dp.SingleFlow();
        var rtt = _dp.Rtt();
        Assert.Equal(1UL, rtt.Count);
        Assert.Equal(rtt.MinNs, rtt.MaxNs);
        Assert.Equal(rtt.MinNs, rtt.SumNs);
        Assert.True(rtt.MinNs >= 1_000_000, $"rtt {rtt.MinNs} ns after a 1 ms sleep");
        Assert.Equal(1UL, _dp.Counter(DatapathCounter.RttSamples));
        Assert.Empty(_dp.Pending());

        var (histKey, hist) = Assert.Single(_dp.Hists());
        Assert.Equal(key, histKey);
        Assert.True(hist.BaseOctave >= Abi.RttMinOctave);
        Assert.Equal(1L, DatapathHarness.HistSamples(hist));

        // The same echo again (a duplicate ACK) is not a second sample.
        _dp.Ingress(ack.Seq(9000));
        Assert.Equal(1UL, _dp.Rtt().Count);
        Assert.Equal(1UL, _dp.Counter(DatapathCounter.RttSamples));

        // A segment repeating TSval 100 (same clock tick) must not be timestamped again:
        // its echo would measure from the wrong packet.
        _dp.Egress(tx.Seq(1100));
        Assert.Empty(_dp.Pending());
        Assert.Equal(0UL, _dp.Counter(DatapathCounter.TsNotStored));
    }

    [Fact]
    public void Repeated_tsval_keeps_the_first_send_time()
    {
        var tx = FrameBuilder.Tcp6().Seq(1000).Payload(100).Timestamp(tsval: 100, tsecr: 0);
        _dp.Egress(tx);
        var first = Assert.Single(_dp.Pending());

        _dp.Egress(tx.Seq(1100));
        var again = Assert.Single(_dp.Pending());
        Assert.Equal(first.Key.TsVal, again.Key.TsVal);
        Assert.Equal(first.Value, again.Value);

        var flow = _dp.SingleFlow().Flow;
        Assert.Equal(100u, flow.Tx.LastTs);
        Assert.True(flow.Tx.Flags.HasFlag(DirFlags.TsValid));

        // A new TSval is a new pending entry.
        _dp.Egress(tx.Seq(1200).Timestamp(tsval: 101, tsecr: 0));
        Assert.Equal(new[] { 100u, 101u }, _dp.Pending().Select(p => p.Key.TsVal).Order());
    }

    [Fact]
    public void Echo_of_an_unknown_tsval_is_no_sample()
    {
        var tx = FrameBuilder.Tcp4().Payload(10).Timestamp(tsval: 100, tsecr: 0);
        _dp.Egress(tx);
        _dp.Ingress(tx.Reply().Payload(0).Timestamp(tsval: 5, tsecr: 99));

        Assert.Equal(0UL, _dp.Rtt().Count);
        Assert.Equal(0UL, _dp.Counter(DatapathCounter.RttSamples));
        Assert.Single(_dp.Pending());
        Assert.Empty(_dp.Hists());
    }

    [Fact]
    public void Tsval_zero_is_not_timestamped_because_a_zero_tsecr_never_matches()
    {
        _dp.Egress(FrameBuilder.Tcp4().Payload(10).Timestamp(tsval: 0, tsecr: 55));

        Assert.Empty(_dp.Pending());
        Assert.Equal(1UL, _dp.SingleFlow().Flow.Tx.Packets);
    }

    [Fact]
    public void Data_retransmission_counts_once_and_new_data_does_not()
    {
        var tx = FrameBuilder.Tcp4().Flags(TcpFlags.Ack | TcpFlags.Psh);
        _dp.Egress(tx.Seq(1000).Payload(100));
        Assert.Equal(0UL, _dp.SingleFlow().Flow.Tx.RetransSegs);

        _dp.Egress(tx.Seq(1000).Payload(100));
        Assert.Equal(1UL, _dp.SingleFlow().Flow.Tx.RetransSegs);

        _dp.Egress(tx.Seq(1100).Payload(100));
        var flow = _dp.SingleFlow().Flow;
        Assert.Equal(1UL, flow.Tx.RetransSegs);
        Assert.Equal(1200u, flow.Tx.SeqEndMax);
        Assert.Equal(3UL, flow.Tx.Packets);

        // A partial retransmission (ends inside what was sent) counts too.
        _dp.Egress(tx.Seq(1150).Payload(50));
        Assert.Equal(2UL, _dp.SingleFlow().Flow.Tx.RetransSegs);
        Assert.Equal(0UL, _dp.SingleFlow().Flow.Rx.RetransSegs);
    }

    [Fact]
    public void Ingress_retransmission_counts_in_rx()
    {
        var rx = FrameBuilder.Tcp4().Seq(0xFFFF_FFC0).Payload(100); // wraps the sequence space
        _dp.Ingress(rx);
        _dp.Ingress(rx);
        _dp.Ingress(rx.Seq(unchecked(0xFFFF_FFC0u + 100)).Payload(100));

        var flow = _dp.SingleFlow().Flow;
        Assert.Equal(1UL, flow.Rx.RetransSegs);
        Assert.Equal(0UL, flow.Tx.RetransSegs);
        Assert.Equal(unchecked(0xFFFF_FFC0u + 200), flow.Rx.SeqEndMax);
    }

    [Fact]
    public void Syn_retransmission_is_counted()
    {
        var syn = FrameBuilder.Tcp4().Seq(5000).Flags(TcpFlags.Syn);
        _dp.Egress(syn);
        Assert.Equal(0UL, _dp.SingleFlow().Flow.Tx.RetransSegs);
        _dp.Egress(syn);
        Assert.Equal(1UL, _dp.SingleFlow().Flow.Tx.RetransSegs);
    }

    [Fact]
    public void A_new_connection_on_the_same_ports_is_not_judged_by_the_last_ones_sequence_space()
    {
        // The same addresses and ports again before the entry idled out, with initial
        // sequence numbers below where the last connection ended.
        void Connection(uint clientIsn, uint serverIsn)
        {
            var syn = FrameBuilder.Tcp4().Seq(clientIsn).Flags(TcpFlags.Syn);
            _dp.Egress(syn);
            _dp.Ingress(syn.Reply().Seq(serverIsn).AckNo(clientIsn + 1).Flags(TcpFlags.Syn | TcpFlags.Ack));
            _dp.Egress(syn.Seq(clientIsn + 1).AckNo(serverIsn + 1).Flags(TcpFlags.Ack | TcpFlags.Psh).Payload(1000));
            _dp.Ingress(syn.Reply().Seq(serverIsn + 1).AckNo(clientIsn + 1001).Flags(TcpFlags.Ack | TcpFlags.Psh).Payload(500));
        }

        Connection(3_000_000_000, 2_000_000_000);
        var first = _dp.SingleFlow().Flow;
        Assert.Equal(1, first.Connections);
        Connection(2_900_000_000, 1_900_000_000);

        var flow = _dp.SingleFlow().Flow;
        Assert.Equal(0UL, flow.Tx.RetransSegs);
        Assert.Equal(0UL, flow.Rx.RetransSegs);
        Assert.Equal(2, flow.Connections);
        Assert.Equal(ConnState.Established, flow.ConnState);
        Assert.Equal(2_900_001_001u, flow.Tx.SeqEndMax);
        Assert.Equal(4UL, flow.Tx.Packets); // the counters go on across connections
    }

    [Fact]
    public void Pure_acks_are_never_retransmissions()
    {
        var ack = FrameBuilder.Tcp4().Seq(1000).AckNo(1).Flags(TcpFlags.Ack);
        _dp.Egress(FrameBuilder.Tcp4().Seq(900).Payload(100)); // seq_end_max = 1000
        for (int i = 0; i < 3; i++)
        {
            _dp.Egress(ack.AckNo((uint)(1 + i)));
            _dp.Egress(ack.Seq(950)); // even one "below" what was sent
        }

        var flow = _dp.SingleFlow().Flow;
        Assert.Equal(7UL, flow.Tx.Packets);
        Assert.Equal(0UL, flow.Tx.RetransSegs);
    }

    [Fact]
    public void Gso_skb_counts_every_segment_and_its_headers()
    {
        // test_run takes at most ~3.7 KB of linear data: four 700-byte segments.
        var tx = FrameBuilder.Tcp4().Seq(1000).Payload(4 * 700).Timestamp(100, 0); // 20 + 32 header bytes
        _dp.Egress(tx, gsoSegs: 4);

        var flow = _dp.SingleFlow().Flow;
        Assert.Equal(4UL, flow.Tx.Segments);
        Assert.Equal(1UL, flow.Tx.Packets);
        Assert.Equal((ulong)(tx.IpLengthOnWire + 3 * (20 + 32)), flow.Tx.Bytes);

        // Retransmitting the whole super-packet is four retransmitted segments.
        _dp.Egress(tx, gsoSegs: 4);
        Assert.Equal(4UL, _dp.SingleFlow().Flow.Tx.RetransSegs);
    }

    [Fact]
    public void Gso_skb_with_zero_ip_total_length_counts_from_the_skb()
    {
        var tx = FrameBuilder.Tcp6().Payload(2 * 1440).IpLength(0);
        _dp.Egress(tx, gsoSegs: 2);

        var flow = _dp.SingleFlow().Flow;
        Assert.Equal(2UL, flow.Tx.Segments);
        Assert.Equal((ulong)(tx.IpLengthOnWire + (40 + 20)), flow.Tx.Bytes);
    }

    [Fact]
    public void Resets_count_per_direction()
    {
        var rst = FrameBuilder.Tcp4().Flags(TcpFlags.Rst | TcpFlags.Ack);
        _dp.Egress(rst);
        var flow = _dp.SingleFlow().Flow;
        Assert.Equal(1u, flow.Tx.Resets);
        Assert.Equal(0u, flow.Rx.Resets);

        _dp.Ingress(rst.Reply().Flags(TcpFlags.Rst));
        flow = _dp.SingleFlow().Flow;
        Assert.Equal(1u, flow.Tx.Resets);
        Assert.Equal(1u, flow.Rx.Resets);
    }

    [Fact]
    public void Zero_window_counts_transitions_only_and_not_on_rst()
    {
        var rx = FrameBuilder.Tcp4().Flags(TcpFlags.Ack);
        uint ZeroWindows() => _dp.SingleFlow().Flow.Rx.ZeroWindows;

        _dp.Ingress(rx.Window(0));
        Assert.Equal(1u, ZeroWindows());
        _dp.Ingress(rx.Window(0));
        Assert.Equal(1u, ZeroWindows());
        _dp.Ingress(rx.Window(100));
        Assert.Equal(1u, ZeroWindows());
        _dp.Ingress(rx.Window(0));
        Assert.Equal(2u, ZeroWindows());

        _dp.Ingress(rx.Window(100));
        _dp.Ingress(rx.Window(0).Flags(TcpFlags.Rst));
        var flow = _dp.SingleFlow().Flow;
        Assert.Equal(2u, flow.Rx.ZeroWindows);
        Assert.Equal(1u, flow.Rx.Resets);
        Assert.Equal(0u, flow.Tx.ZeroWindows);
    }

    [Fact]
    public void Active_open_syn_then_synack_is_established_with_handshake_rtt()
    {
        var syn = FrameBuilder.Tcp4().Seq(1000).Flags(TcpFlags.Syn);
        _dp.Egress(syn);
        var flow = _dp.SingleFlow().Flow;
        Assert.Equal(ConnState.SynSent, flow.ConnState);
        Assert.Equal(Initiator.Src, flow.Initiator);
        Assert.NotEqual(0UL, flow.HandshakeStartNs);
        Assert.Equal(0UL, flow.HandshakeRttNs);

        _dp.Ingress(syn.Reply().Seq(7000).AckNo(1001).Flags(TcpFlags.Syn | TcpFlags.Ack));
        flow = _dp.SingleFlow().Flow;
        Assert.Equal(ConnState.Established, flow.ConnState);
        Assert.Equal(Initiator.Src, flow.Initiator);
        Assert.True(flow.HandshakeRttNs > 0);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void After_a_syn_retransmission_the_handshake_is_timed_from_the_syn_the_answer_echoes(bool answersTheFirst)
    {
        var syn = FrameBuilder.Tcp4().Seq(1000).Flags(TcpFlags.Syn);
        _dp.Egress(syn.Timestamp(100, 0));
        Thread.Sleep(60);
        _dp.Egress(syn.Timestamp(160, 0)); // the retransmission, 60 ms later
        _dp.Ingress(syn.Reply().Seq(7000).AckNo(1001).Flags(TcpFlags.Syn | TcpFlags.Ack).Timestamp(5000, answersTheFirst ? 100u : 160u));

        var flow = _dp.SingleFlow().Flow;
        Assert.Equal(ConnState.Established, flow.ConnState);
        double ms = flow.HandshakeRttNs / 1e6;
        if (answersTheFirst)
            Assert.True(ms >= 60, $"handshake {ms} ms, the first SYN left 60 ms before the second");
        else
            Assert.True(ms < 60, $"handshake {ms} ms, but the answer echoes the second SYN");
    }

    [Fact]
    public void Passive_open_is_established_by_the_ack_of_our_synack()
    {
        var synIn = FrameBuilder.Tcp6().Seq(7000).Flags(TcpFlags.Syn);
        _dp.Ingress(synIn);
        var (key, flow) = _dp.SingleFlow();
        DatapathHarness.AssertKey(key, synIn, viaEgress: false, 1);
        Assert.Equal(ConnState.SynRcvd, flow.ConnState);
        Assert.Equal(Initiator.Dst, flow.Initiator);

        var synAck = synIn.Reply().Seq(9000).AckNo(7001).Flags(TcpFlags.Syn | TcpFlags.Ack);
        _dp.Egress(synAck);
        flow = _dp.SingleFlow().Flow;
        Assert.Equal(ConnState.SynAckSent, flow.ConnState);
        Assert.Equal(9001u, flow.HsAck);

        // An ACK for something else does not complete the handshake.
        _dp.Ingress(synIn.Seq(7001).AckNo(9002).Flags(TcpFlags.Ack));
        Assert.Equal(ConnState.SynAckSent, _dp.SingleFlow().Flow.ConnState);

        _dp.Ingress(synIn.Seq(7001).AckNo(9001).Flags(TcpFlags.Ack));
        flow = _dp.SingleFlow().Flow;
        Assert.Equal(ConnState.Established, flow.ConnState);
        Assert.Equal(Initiator.Dst, flow.Initiator);
        Assert.True(flow.HandshakeRttNs > 0);
    }

    [Fact]
    public void Syn_answered_by_rst_is_refused()
    {
        var syn = FrameBuilder.Tcp4().Seq(1000).Flags(TcpFlags.Syn);
        _dp.Egress(syn);
        _dp.Ingress(syn.Reply().Seq(0).AckNo(1001).Flags(TcpFlags.Rst | TcpFlags.Ack));

        var flow = _dp.SingleFlow().Flow;
        Assert.Equal(ConnState.Refused, flow.ConnState);
        Assert.Equal(Initiator.Src, flow.Initiator);
        Assert.Equal(0UL, flow.HandshakeRttNs);
        Assert.Equal(1u, flow.Rx.Resets);
    }

    [Fact]
    public void Incoming_syn_answered_by_our_rst_is_refused()
    {
        var syn = FrameBuilder.Tcp4().Seq(1000).Flags(TcpFlags.Syn);
        _dp.Ingress(syn);
        _dp.Egress(syn.Reply().Seq(0).AckNo(1001).Flags(TcpFlags.Rst | TcpFlags.Ack));

        var flow = _dp.SingleFlow().Flow;
        Assert.Equal(ConnState.Refused, flow.ConnState);
        Assert.Equal(Initiator.Dst, flow.Initiator);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Ethernet_padding_is_not_counted(bool viaEgress)
    {
        var ack = FrameBuilder.Tcp4().Flags(TcpFlags.Ack).PadTo(60);
        Assert.Equal(60, ack.Build().Length);
        Assert.Equal(40, ack.IpLengthOnWire);

        if (viaEgress)
        {
            _dp.Egress(ack);
        }
        else
        {
            _dp.Ingress(ack);
        }

        var flow = _dp.SingleFlow().Flow;
        var d = viaEgress ? flow.Tx : flow.Rx;
        Assert.Equal(40UL, d.Bytes);
        Assert.Equal(1UL, d.Packets);
    }

    [Fact]
    public void Return_value_is_tc_act_unspec_for_valid_and_garbage_frames()
    {
        byte[][] frames =
        [
            FrameBuilder.Tcp4().Payload(10).Build(),
            FrameBuilder.Tcp6().Flags(TcpFlags.Syn).Build(),
            new byte[14],
            Enumerable.Repeat((byte)0xFF, 60).ToArray(),
            FrameBuilder.Tcp4().Vlan().Vlan().Vlan().Build(),
            FrameBuilder.Tcp4().DataOffset(15).Build(),
        ];
        foreach (var frame in frames)
        {
            foreach (var prog in new[] { _dp.EgressProgram, _dp.IngressProgram })
            {
                Assert.Equal(DatapathHarness.TcActUnspec, prog.TestRun(frame).ReturnValue);
                Assert.Equal(DatapathHarness.TcActUnspec, prog.TestRun(frame, DatapathHarness.OtherIfIndex, gsoSegs: 3).ReturnValue);
            }
        }

        Assert.Equal((ulong)(frames.Length * 4), _dp.Counter(DatapathCounter.Packets));
    }

    public static TheoryData<string> IcmpFamilies => ["icmp", "icmpv6"];

    /// <summary>An echo request from 10.0.0.1 (2001:db8::1) and the matching reply's type.</summary>
    private static (FrameBuilder Request, byte ReplyType) Echo(string family, ushort id = 0x1234, ushort seq = 7) => family switch
    {
        "icmp" => (FrameBuilder.Icmp4(FrameBuilder.IcmpEchoRequest, id, seq).Payload(56), FrameBuilder.IcmpEchoReply),
        "icmpv6" => (FrameBuilder.Icmp6(FrameBuilder.Icmp6EchoRequest, id, seq).Payload(56), FrameBuilder.Icmp6EchoReply),
        _ => throw new ArgumentOutOfRangeException(nameof(family)),
    };

    [Theory]
    [MemberData(nameof(IcmpFamilies))]
    public void Icmp_echo_request_out_and_reply_in_is_one_flow_and_one_rtt_sample(string family)
    {
        var ifindex = DatapathHarness.OtherIfIndex;
        var (req, replyType) = Echo(family);
        _dp.Egress(req, ifindex);

        var (key, flow) = _dp.SingleFlow();
        DatapathHarness.AssertKey(key, req, viaEgress: true, ifindex, (0x1234, 0x1234));
        Assert.Equal(family == "icmp" ? 1 : 58, key.Proto);
        Assert.Equal((ulong)req.IpLengthOnWire, flow.Tx.Bytes);
        Assert.Equal(1UL, flow.Tx.Packets);
        var pending = Assert.Single(_dp.Pending());
        Assert.Equal(_dp.SlotOf(key), pending.Key.Slot);
        Assert.Equal(7u, pending.Key.TsVal);
        Assert.NotEqual(0UL, pending.Value);

        Thread.Sleep(1);
        var reply = req.Reply().IcmpType(replyType).Payload(56);
        _dp.Ingress(reply, ifindex);

        var (key2, flow2) = _dp.SingleFlow();
        Assert.Equal(key, key2);
        Assert.Equal(0x1234, key2.SrcPort);
        Assert.Equal(0x1234, key2.DstPort);
        Assert.Equal((ulong)reply.IpLengthOnWire, flow2.Rx.Bytes);
        Assert.Equal(1UL, flow2.Rx.Packets);
        Assert.Equal(1UL, flow2.Rx.Segments);
        var rtt = _dp.Rtt();
        Assert.Equal(1UL, rtt.Count);
        Assert.True(rtt.MinNs >= 1_000_000, $"rtt {rtt.MinNs} ns after a 1 ms sleep");
        Assert.Equal(rtt.MinNs, rtt.MaxNs);
        Assert.Equal(rtt.MinNs, rtt.SumNs);
        Assert.Empty(_dp.Pending());
        var (histKey, hist) = Assert.Single(_dp.Hists());
        Assert.Equal(key, histKey);
        Assert.Equal(1L, DatapathHarness.HistSamples(hist));

        var c = _dp.Counters();
        Assert.Equal(2UL, c[(int)DatapathCounter.Packets]);
        Assert.Equal(2UL, c[(int)DatapathCounter.NonTcp]);
        Assert.Equal(1UL, c[(int)DatapathCounter.RttSamples]);
        Assert.Equal(0UL, c[(int)DatapathCounter.TcpPackets]);
        Assert.Equal(5UL, c.Aggregate(0UL, (a, v) => a + v));

        // A duplicate reply finds nothing pending: still one sample.
        _dp.Ingress(reply, ifindex);
        Assert.Equal(1UL, _dp.Rtt().Count);
        Assert.Equal(1UL, _dp.Counter(DatapathCounter.RttSamples));
    }

    [Theory]
    [MemberData(nameof(IcmpFamilies))]
    public void Icmp_echo_reply_with_another_sequence_is_no_sample(string family)
    {
        var (req, replyType) = Echo(family);
        _dp.Egress(req);
        _dp.Ingress(req.Reply().IcmpType(replyType).IcmpSeq(8));

        var flow = _dp.SingleFlow().Flow;
        Assert.Equal(1UL, flow.Rx.Packets);
        Assert.Equal(0UL, _dp.Rtt().Count);
        Assert.Equal(0UL, _dp.Counter(DatapathCounter.RttSamples));
        Assert.Equal(7u, Assert.Single(_dp.Pending()).Key.TsVal);
        Assert.Empty(_dp.Hists());
    }

    [Theory]
    [MemberData(nameof(IcmpFamilies))]
    public void Icmp_echo_reply_with_another_identifier_is_another_flow_and_no_sample(string family)
    {
        var (req, replyType) = Echo(family);
        _dp.Egress(req);
        _dp.Ingress(req.Reply().IcmpType(replyType).IcmpId(0x4321));

        var flows = _dp.Flows();
        Assert.Equal(2, flows.Count);
        Assert.Equal(new ushort[] { 0x1234, 0x4321 }, flows.Select(f => f.Key.SrcPort).Order());
        Assert.All(flows, f => Assert.Equal(f.Key.SrcPort, f.Key.DstPort));
        Assert.Equal(0UL, _dp.Counter(DatapathCounter.RttSamples));
        Assert.Single(_dp.Pending());
    }

    [Theory]
    [MemberData(nameof(IcmpFamilies))]
    public void Icmp_echo_we_answer_is_not_timed(string family)
    {
        // The peer pings us: its request arrives at ingress, our reply leaves at egress.
        var (req, replyType) = Echo(family);
        _dp.Ingress(req);
        Assert.Empty(_dp.Pending());

        Thread.Sleep(1);
        var reply = req.Reply().IcmpType(replyType);
        _dp.Egress(reply);

        var (key, flow) = _dp.SingleFlow();
        DatapathHarness.AssertKey(key, reply, viaEgress: true, 1, (0x1234, 0x1234));
        Assert.Equal(1UL, flow.Rx.Packets);
        Assert.Equal(1UL, flow.Tx.Packets);
        Assert.Equal(0UL, _dp.Rtt().Count);
        Assert.Equal(0UL, _dp.Counter(DatapathCounter.RttSamples));
        Assert.Equal(2UL, _dp.Counter(DatapathCounter.NonTcp));
        Assert.Empty(_dp.Pending());
        Assert.Empty(_dp.Hists());
    }

    [Theory]
    [MemberData(nameof(IcmpFamilies))]
    public void Repeated_echo_request_keeps_the_first_send_time(string family)
    {
        var (req, _) = Echo(family);
        _dp.Egress(req);
        var first = Assert.Single(_dp.Pending());
        _dp.Egress(req);
        var again = Assert.Single(_dp.Pending());
        Assert.Equal(first.Value, again.Value);
        Assert.Equal(0UL, _dp.Counter(DatapathCounter.TsNotStored));

        _dp.Egress(req.IcmpSeq(8));
        Assert.Equal(new[] { 7u, 8u }, _dp.Pending().Select(p => p.Key.TsVal).Order());
        Assert.Equal(3UL, _dp.SingleFlow().Flow.Tx.Packets);
    }

    [Theory]
    [InlineData("ipv4")]
    [InlineData("ipv6")]
    public void Udp_egress_then_reverse_ingress_is_one_flow_in_both_directions(string family)
    {
        var ifindex = DatapathHarness.OtherIfIndex;
        var tx = (family == "ipv4" ? FrameBuilder.Udp4(40000, 53) : FrameBuilder.Udp6(40000, 53)).Payload(30);
        _dp.Egress(tx, ifindex);

        var (key, flow) = _dp.SingleFlow();
        DatapathHarness.AssertKey(key, tx, viaEgress: true, ifindex);
        Assert.Equal(17, key.Proto);
        Assert.Equal((ulong)tx.IpLengthOnWire, flow.Tx.Bytes);
        Assert.Equal(default(DirStats), flow.Rx);

        var rx = tx.Reply().Payload(200);
        _dp.Ingress(rx, ifindex);

        var (key2, flow2) = _dp.SingleFlow();
        Assert.Equal(key, key2);
        Assert.Equal((ulong)tx.IpLengthOnWire, flow2.Tx.Bytes);
        Assert.Equal((ulong)rx.IpLengthOnWire, flow2.Rx.Bytes);
        Assert.Equal(1UL, flow2.Tx.Packets);
        Assert.Equal(1UL, flow2.Rx.Packets);
        Assert.Equal(1UL, flow2.Rx.Segments);
        Assert.Equal(0UL, _dp.Rtt().Count);
        Assert.Equal(ConnState.Unknown, flow2.ConnState);
        Assert.Empty(_dp.Pending());

        var c = _dp.Counters();
        Assert.Equal(2UL, c[(int)DatapathCounter.Packets]);
        Assert.Equal(2UL, c[(int)DatapathCounter.NonTcp]);
        Assert.Equal(4UL, c.Aggregate(0UL, (a, v) => a + v));
    }

    [Fact]
    public void Udp_gso_skb_counts_every_segment_and_its_headers()
    {
        var tx = FrameBuilder.Udp6(40000, 443).Payload(3 * 1000);
        _dp.Egress(tx, gsoSegs: 3);

        var flow = _dp.SingleFlow().Flow;
        Assert.Equal(3UL, flow.Tx.Segments);
        Assert.Equal(1UL, flow.Tx.Packets);
        Assert.Equal((ulong)(tx.IpLengthOnWire + 2 * (40 + 8)), flow.Tx.Bytes);
    }

    [Fact]
    public void Tcp_and_udp_with_the_same_ports_are_two_flows()
    {
        _dp.Egress(FrameBuilder.Tcp4(40000, 53).Payload(10));
        _dp.Egress(FrameBuilder.Udp4(40000, 53).Payload(10));

        var flows = _dp.Flows();
        Assert.Equal(2, flows.Count);
        Assert.Equal(new byte[] { 6, 17 }, flows.Select(f => f.Key.Proto).Order());
        Assert.Equal(1UL, _dp.Counter(DatapathCounter.TcpPackets));
        Assert.Equal(1UL, _dp.Counter(DatapathCounter.NonTcp));
    }
}
