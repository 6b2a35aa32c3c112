namespace TcpHealth.Bpf.Tests.Datapath;

/// <summary>How a corpus frame's TCP timestamp option must be treated.</summary>
public enum TsUse
{
    /// <summary>No timestamp option; options (if any) are well-formed.</summary>
    None,

    /// <summary>A well-formed timestamp: TX timestamps TSval, RX looks TSecr up.</summary>
    Used,

    /// <summary>Malformed options: the packet is counted, ErrTcpOpts is 1, no timestamp is used.</summary>
    Ignored,
}

/// <summary>
/// One hostile or unusual frame and what the datapath must make of it: either
/// rejected with exactly one <see cref="Rejected"/> count and no flow, or
/// accounted to exactly one flow with the frame's protocol, ports and IP length.
/// Non-TCP frames give <see cref="Ports"/> as their sender would key them (UDP
/// ports, an ICMP echo's identifier in both, 0/0 for anything else); an ICMP
/// echo request gives <see cref="EchoRequestSeq"/>, the pending entry it must
/// leave when it goes out through egress. <see cref="GsoSegs"/> is passed as
/// the skb's gso_segs.
/// </summary>
public sealed record CorpusCase(
    FrameBuilder Frame,
    DatapathCounter? Rejected = null,
    TsUse Ts = TsUse.None,
    uint TsVal = 0,
    uint TsEcr = 0,
    uint Resets = 0,
    uint ZeroWindows = 0,
    int? Bytes = null,
    (ushort Src, ushort Dst)? Ports = null,
    ushort? EchoRequestSeq = null,
    uint GsoSegs = 0);

/// <summary>
/// A corpus of malformed and edge-case frames, each through both programs on a
/// fresh object: the return value is always TC_ACT_UNSPEC, a rejected frame
/// leaves no flow and increments exactly its reason counter, an accepted one is
/// counted exactly once with the right key, and malformed options never feed the
/// RTT machinery.
/// </summary>
public sealed class HostileFrameTests
{
    private const ushort Tpid8021Ad = FrameBuilder.Dot1Ad;

    private static readonly byte[] Arp =
    [
        0, 1, 8, 0, 6, 4, 0, 1, // Ethernet/IPv4 request
        2, 0, 0, 0, 0, 1, 10, 0, 0, 1,
        0, 0, 0, 0, 0, 0, 10, 0, 0, 2,
    ];

    private static readonly byte[] Udp = [0x9C, 0x40, 0x00, 0x35, 0x00, 0x0C, 0x00, 0x00, 1, 2, 3, 4];
    private static readonly byte[] Icmp = [8, 0, 0, 0, 0, 1, 0, 1];
    private static readonly byte[] Esp = [0, 0, 1, 0, 0, 0, 0, 1, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF, 0x11, 0x22];

    private static CorpusCase Reject(FrameBuilder f, DatapathCounter why) => new(f, Rejected: why);

    private static CorpusCase Accept(FrameBuilder f) => new(f);

    /// <summary>An accepted non-TCP packet keyed with these ports (sender's view).</summary>
    private static CorpusCase NonTcp(FrameBuilder f, ushort sport = 0, ushort dport = 0) => new(f, Ports: (sport, dport));

    /// <summary>An accepted ICMP/ICMPv6 echo request: identifier in both ports, timed under its sequence at egress.</summary>
    private static CorpusCase EchoRequest(FrameBuilder f, ushort id, ushort seq) => new(f, Ports: (id, id), EchoRequestSeq: seq);

    /// <summary>An accepted ICMP/ICMPv6 echo reply: identifier in both ports, never pending.</summary>
    private static CorpusCase EchoReply(FrameBuilder f, ushort id) => new(f, Ports: (id, id));

    private static readonly byte[] Gre = [0, 0, 0x08, 0x00, 0x45, 0, 0, 20]; // GRE v0 carrying IPv4 (inner header cut)

    private static CorpusCase OptsIgnored(FrameBuilder f) => new(f, Ts: TsUse.Ignored);

    private static CorpusCase TsUsed(FrameBuilder f, uint tsval, uint tsecr) => new(f, Ts: TsUse.Used, TsVal: tsval, TsEcr: tsecr);

    private static byte[] Nops(int n) => Enumerable.Repeat((byte)1, n).ToArray();

    /// <summary>A valid TS option (kind 8, len 10, TSval 100, TSecr 7) with no NOPs: never the fast path.</summary>
    private static byte[] Ts100 => FrameBuilder.TsOption(100, 7);

    public static readonly IReadOnlyDictionary<string, CorpusCase> Cases = new Dictionary<string, CorpusCase>
    {
        // ---- L2 ----
        ["eth-14B-8021q-no-tag"] = Reject(FrameBuilder.Tcp4().Vlan().TruncateTo(14), DatapathCounter.ErrL2),
        ["eth-vlan-tag-cut-off"] = Reject(FrameBuilder.Tcp4().Vlan().TruncateTo(16), DatapathCounter.ErrL2),
        ["eth-qinq-inner-tag-cut-off"] = Reject(FrameBuilder.Tcp4().QinQ().TruncateTo(20), DatapathCounter.ErrL2),
        ["eth-three-vlan-tags"] = Reject(FrameBuilder.Tcp4().Vlan(1, Tpid8021Ad).Vlan(2).Vlan(3), DatapathCounter.ErrL2),
        ["eth-three-8021q-tags-ipv6"] = Reject(FrameBuilder.Tcp6().Vlan(1).Vlan(2).Vlan(3), DatapathCounter.ErrL2),
        ["eth-qinq-valid"] = Accept(FrameBuilder.Tcp4(41000, 25).QinQ().Payload(10)),
        ["eth-two-8021ad-tags-valid"] = Accept(FrameBuilder.Tcp6(41001, 25).Vlan(1, Tpid8021Ad).Vlan(2, Tpid8021Ad).Payload(10)),
        ["eth-arp"] = Reject(FrameBuilder.Ethernet(FrameBuilder.EtherArp, Arp), DatapathCounter.NonIp),
        ["eth-vlan-arp"] = Reject(FrameBuilder.Ethernet(FrameBuilder.EtherArp, Arp).Vlan(), DatapathCounter.NonIp),
        ["eth-lldp"] = Reject(FrameBuilder.Ethernet(0x88CC, new byte[46]), DatapathCounter.NonIp),
        ["eth-14B-arp-ethertype"] = Reject(FrameBuilder.Ethernet(FrameBuilder.EtherArp, []), DatapathCounter.NonIp),

        // ---- IPv4 ----
        ["ipv4-ihl-0"] = Reject(FrameBuilder.Tcp4().Ihl(0), DatapathCounter.ErrIp),
        ["ipv4-ihl-4"] = Reject(FrameBuilder.Tcp4().Ihl(4), DatapathCounter.ErrIp),
        ["ipv4-ihl-15-past-frame-end"] = Reject(FrameBuilder.Tcp4().Ihl(15), DatapathCounter.ErrIp),
        ["ipv4-version-6"] = Reject(FrameBuilder.Tcp4().IpVersion(6), DatapathCounter.ErrIp),
        ["ipv4-ethertype-carrying-ipv6"] = Reject(FrameBuilder.Tcp6().EtherType(FrameBuilder.EtherIpv4), DatapathCounter.ErrIp),
        ["ipv4-tot-len-below-header"] = Reject(FrameBuilder.Tcp4().IpLength(19), DatapathCounter.ErrIp),
        ["ipv4-tot-len-covers-ip-not-tcp"] = Reject(FrameBuilder.Tcp4().IpLength(30), DatapathCounter.ErrIp),
        ["ipv4-tot-len-past-frame-end"] = Reject(FrameBuilder.Tcp4().Payload(10).IpLength(1500), DatapathCounter.ErrIp),
        ["ipv4-tcp-header-in-eth-padding"] = Reject(FrameBuilder.Tcp4().DataOffset(8).IpLength(40).PadTo(80), DatapathCounter.ErrIp),
        ["ipv4-header-only-34B"] = Reject(FrameBuilder.Tcp4().TruncateTo(34), DatapathCounter.ErrTcp),
        ["ipv4-options-valid"] = Accept(FrameBuilder.Tcp4(12345, 443).IpOptions(0x94, 0x04, 0, 0, 1, 1, 1, 0).Payload(10)),
        ["ipv4-options-40B-valid"] = TsUsed(FrameBuilder.Tcp4(12346, 443).IpOptions(Nops(40)).Timestamp(100, 7), 100, 7),
        ["ipv4-non-first-fragment"] = Reject(FrameBuilder.Tcp4().Fragment(185, moreFragments: false).Payload(20), DatapathCounter.Fragments),
        ["ipv4-middle-fragment"] = Reject(FrameBuilder.Tcp4().Fragment(1, moreFragments: true).Payload(20), DatapathCounter.Fragments),
        ["ipv4-first-fragment-mf"] = Accept(FrameBuilder.Tcp4(12347, 80).Fragment(0, moreFragments: true).Payload(100)),
        ["ipv4-df-set"] = Accept(FrameBuilder.Tcp4(12348, 80).DontFragment().Payload(100)),
        ["ipv4-tot-len-0-counts-skb"] = Accept(FrameBuilder.Tcp4(12349, 80).Payload(10).IpLength(0)),
        ["ipv4-eth-padding"] = Accept(FrameBuilder.Tcp4(12350, 80).PadTo(60)),
        // Non-TCP: accounted to flows (UDP by ports, ICMP echoes by identifier, anything else with ports 0).
        ["ipv4-udp"] = NonTcp(FrameBuilder.Tcp4().L4Raw(17, Udp), 40000, 53),
        ["ipv4-icmp"] = EchoRequest(FrameBuilder.Tcp4().L4Raw(1, Icmp), id: 1, seq: 1),
        ["ipv4-udp-non-first-fragment"] = Reject(FrameBuilder.Tcp4().L4Raw(17, Udp).Fragment(10, false), DatapathCounter.Fragments),
        ["ipv4-icmp-non-first-fragment"] = Reject(FrameBuilder.Icmp4().Payload(100).Fragment(10, false), DatapathCounter.Fragments),
        ["ipv4-udp-first-fragment-mf"] = NonTcp(FrameBuilder.Udp4(5353, 5353).Payload(100).Fragment(0, moreFragments: true), 5353, 5353),
        ["ipv4-udp-cut-at-4"] = Reject(FrameBuilder.Udp4().Payload(20).TruncateTo(14 + 20 + 4), DatapathCounter.ErrL4),
        ["ipv4-udp-cut-at-7"] = Reject(FrameBuilder.Udp4().TruncateTo(14 + 20 + 7), DatapathCounter.ErrL4),
        ["ipv4-udp-header-only"] = NonTcp(FrameBuilder.Udp4(40000, 9), 40000, 9),
        ["ipv4-udp-tot-len-covers-ip-not-udp"] = Reject(FrameBuilder.Udp4().Payload(10).IpLength(20 + 4), DatapathCounter.ErrIp),
        ["ipv4-udp-eth-padding"] = NonTcp(FrameBuilder.Udp4(40000, 53).Payload(2).PadTo(60), 40000, 53),
        ["ipv4-udp-gso-3"] = new(FrameBuilder.Udp4(40000, 4433).Payload(3 * 500), Ports: (40000, 4433), GsoSegs: 3,
            Bytes: 20 + 8 + 3 * 500 + 2 * (20 + 8)),
        ["ipv4-icmp-cut-at-4"] = Reject(FrameBuilder.Icmp4().Payload(56).TruncateTo(14 + 20 + 4), DatapathCounter.ErrL4),
        ["ipv4-icmp-echo-request"] = EchoRequest(FrameBuilder.Icmp4(FrameBuilder.IcmpEchoRequest, 0x1234, 7).Payload(56), 0x1234, 7),
        ["ipv4-icmp-echo-reply"] = EchoReply(FrameBuilder.Icmp4(FrameBuilder.IcmpEchoReply, 0x1234, 7).Payload(56), 0x1234),
        ["ipv4-icmp-dest-unreachable"] = NonTcp(FrameBuilder.Icmp4(3, 0x1234, 7).IcmpCode(3).Payload(28)),
        ["ipv4-icmp-type-128-not-echo"] = NonTcp(FrameBuilder.Icmp4(FrameBuilder.Icmp6EchoRequest, 0x1234, 7)),
        ["ipv4-icmp-type-129-not-echo"] = NonTcp(FrameBuilder.Icmp4(FrameBuilder.Icmp6EchoReply, 0x1234, 7)),
        ["ipv4-gre"] = NonTcp(FrameBuilder.Tcp4().L4Raw(47, Gre)),
        ["ipv4-esp"] = NonTcp(FrameBuilder.Tcp4().L4Raw(50, Esp)),
        ["ipv4-esp-shorter-than-8"] = NonTcp(FrameBuilder.Tcp4().L4Raw(50, [0, 0, 1, 0])),
        ["ipv4-proto-255-no-payload"] = NonTcp(FrameBuilder.Tcp4().L4Raw(255, [])),

        // ---- IPv6 ----
        ["ipv6-54B-no-l4"] = Reject(FrameBuilder.Tcp6().TruncateTo(54), DatapathCounter.ErrTcp),
        ["ipv6-tcp-cut-at-10"] = Reject(FrameBuilder.Tcp6().TruncateTo(64), DatapathCounter.ErrTcp),
        ["ipv6-version-4"] = Reject(FrameBuilder.Tcp6().IpVersion(4), DatapathCounter.ErrIp),
        ["ipv6-ethertype-carrying-ipv4"] = Reject(FrameBuilder.Tcp4().EtherType(FrameBuilder.EtherIpv6), DatapathCounter.ErrIp),
        ["ipv6-payload-len-past-frame-end"] = Reject(FrameBuilder.Tcp6().IpLength(1000), DatapathCounter.ErrIp),
        ["ipv6-hbh-dstopts-routing-valid"] = Accept(FrameBuilder.Tcp6(33333, 22).Ext(Ipv6Ext.HopByHop(), Ipv6Ext.DestOpts(1), Ipv6Ext.Routing()).Payload(10)),
        ["ipv6-six-ext-valid"] = TsUsed(FrameBuilder.Tcp6(33334, 22).Ext(
            Ipv6Ext.HopByHop(), Ipv6Ext.DestOpts(), Ipv6Ext.Routing(), Ipv6Ext.Fragment(0, false), Ipv6Ext.Ah(), Ipv6Ext.DestOpts())
            .Timestamp(100, 7), 100, 7),
        ["ipv6-seven-ext"] = Reject(FrameBuilder.Tcp6().Ext(
            Ipv6Ext.HopByHop(), Ipv6Ext.DestOpts(), Ipv6Ext.Routing(), Ipv6Ext.Fragment(0, false), Ipv6Ext.Ah(), Ipv6Ext.DestOpts(), Ipv6Ext.DestOpts()),
            DatapathCounter.ErrIpv6Ext),
        ["ipv6-seven-dstopts"] = Reject(FrameBuilder.Tcp6().Ext(Enumerable.Range(0, 7).Select(_ => Ipv6Ext.DestOpts()).ToArray()), DatapathCounter.ErrIpv6Ext),
        ["ipv6-first-fragment"] = Accept(FrameBuilder.Tcp6(33335, 22).Ext(Ipv6Ext.Fragment(0, more: true)).Payload(100)),
        ["ipv6-non-first-fragment"] = Reject(FrameBuilder.Tcp6().Ext(Ipv6Ext.Fragment(100, more: false)).Payload(20), DatapathCounter.Fragments),
        ["ipv6-hbh-then-non-first-fragment"] = Reject(FrameBuilder.Tcp6().Ext(Ipv6Ext.HopByHop(), Ipv6Ext.Fragment(8, more: true)).Payload(20), DatapathCounter.Fragments),
        ["ipv6-dstopts-len-past-end"] = Reject(FrameBuilder.Tcp6().Ext(Ipv6Ext.Lying(Ipv6Ext.DestOptsType, lenField: 10, actualBytes: 8)), DatapathCounter.ErrIpv6Ext),
        ["ipv6-ah-len-past-end"] = Reject(FrameBuilder.Tcp6().Ext(Ipv6Ext.Lying(Ipv6Ext.AhType, lenField: 30, actualBytes: 8)), DatapathCounter.ErrIpv6Ext),
        ["ipv6-ext-cut-after-1-byte"] = Reject(FrameBuilder.Tcp6().Ext(Ipv6Ext.HopByHop()).TruncateTo(55), DatapathCounter.ErrIpv6Ext),
        ["ipv6-fragment-header-cut"] = Reject(FrameBuilder.Tcp6().Ext(Ipv6Ext.Fragment(0, false)).TruncateTo(58), DatapathCounter.ErrIpv6Ext),
        ["ipv6-payload-len-below-ext-chain"] = Reject(FrameBuilder.Tcp6().Ext(Ipv6Ext.HopByHop(1)).IpLength(8), DatapathCounter.ErrIpv6Ext),
        ["ipv6-payload-len-covers-chain-not-tcp"] = Reject(FrameBuilder.Tcp6().Ext(Ipv6Ext.HopByHop()).IpLength(8 + 10), DatapathCounter.ErrIp),
        ["ipv6-esp"] = NonTcp(FrameBuilder.Tcp6().L4Raw(50, Esp)),
        ["ipv6-dstopts-then-esp"] = NonTcp(FrameBuilder.Tcp6().Ext(Ipv6Ext.DestOpts()).L4Raw(50, Esp)),
        ["ipv6-no-next-header"] = NonTcp(FrameBuilder.Tcp6().L4Raw(59, [])),
        ["ipv6-udp"] = NonTcp(FrameBuilder.Tcp6().L4Raw(17, Udp), 40000, 53),
        // ICMPv4 type 8 bytes under next header 58: not an echo in ICMPv6.
        ["ipv6-icmpv6"] = NonTcp(FrameBuilder.Tcp6().L4Raw(58, Icmp)),
        ["ipv6-gre"] = NonTcp(FrameBuilder.Tcp6().L4Raw(47, Gre)),
        ["ipv6-udp-cut-at-4"] = Reject(FrameBuilder.Udp6().Payload(20).TruncateTo(14 + 40 + 4), DatapathCounter.ErrL4),
        ["ipv6-hbh-then-udp-cut-at-4"] = Reject(FrameBuilder.Udp6().Ext(Ipv6Ext.HopByHop()).TruncateTo(14 + 40 + 8 + 4), DatapathCounter.ErrL4),
        ["ipv6-udp-payload-len-covers-chain-not-udp"] = Reject(FrameBuilder.Udp6().Ext(Ipv6Ext.HopByHop()).Payload(10).IpLength(8 + 4), DatapathCounter.ErrIp),
        ["ipv6-udp-via-ext-chain"] = NonTcp(FrameBuilder.Udp6(546, 547).Ext(Ipv6Ext.HopByHop(), Ipv6Ext.DestOpts()).Payload(30), 546, 547),
        ["ipv6-udp-first-fragment"] = NonTcp(FrameBuilder.Udp6(40000, 4789).Ext(Ipv6Ext.Fragment(0, more: true)).Payload(100), 40000, 4789),
        ["ipv6-udp-non-first-fragment"] = Reject(FrameBuilder.Udp6().Ext(Ipv6Ext.Fragment(100, more: false)).Payload(20), DatapathCounter.Fragments),
        ["ipv6-icmpv6-cut-at-6"] = Reject(FrameBuilder.Icmp6().Payload(56).TruncateTo(14 + 40 + 6), DatapathCounter.ErrL4),
        ["ipv6-icmpv6-echo-request"] = EchoRequest(FrameBuilder.Icmp6(FrameBuilder.Icmp6EchoRequest, 0xBEEF, 3).Payload(56), 0xBEEF, 3),
        ["ipv6-icmpv6-echo-reply"] = EchoReply(FrameBuilder.Icmp6(FrameBuilder.Icmp6EchoReply, 0xBEEF, 3).Payload(56), 0xBEEF),
        ["ipv6-icmpv6-type-8-not-echo"] = NonTcp(FrameBuilder.Icmp6(FrameBuilder.IcmpEchoRequest, 0x1234, 7)),
        ["ipv6-icmpv6-type-0-not-echo"] = NonTcp(FrameBuilder.Icmp6(FrameBuilder.IcmpEchoReply, 0x1234, 7)),
        ["ipv6-icmpv6-neighbour-solicitation"] = NonTcp(FrameBuilder.Icmp6(135).Payload(16)),
        // An ICMPv4 echo request under IPv6 next header 1: ICMP proto, but not an echo in IPv6.
        ["ipv6-nh-1-icmpv4-echo-not-echo"] = NonTcp(FrameBuilder.Icmp6(FrameBuilder.IcmpEchoRequest, 0x1234, 7).Protocol(1).Payload(8)),

        // ---- TCP header ----
        ["tcp-doff-0"] = Reject(FrameBuilder.Tcp4().DataOffset(0), DatapathCounter.ErrTcp),
        ["tcp-doff-4"] = Reject(FrameBuilder.Tcp4().DataOffset(4).Payload(20), DatapathCounter.ErrTcp),
        ["tcp-doff-15-past-frame-end"] = Reject(FrameBuilder.Tcp4().DataOffset(15), DatapathCounter.ErrTcp),
        ["tcp-doff-15-past-frame-end-ipv6"] = Reject(FrameBuilder.Tcp6().DataOffset(15).Payload(20), DatapathCounter.ErrTcp),
        ["tcp-cut-at-10"] = Reject(FrameBuilder.Tcp4().TruncateTo(14 + 20 + 10), DatapathCounter.ErrTcp),
        ["tcp-cut-at-19"] = Reject(FrameBuilder.Tcp4().TruncateTo(14 + 20 + 19), DatapathCounter.ErrTcp),
        ["tcp-vlan-cut-at-10"] = Reject(FrameBuilder.Tcp4().Vlan().TruncateTo(18 + 20 + 10), DatapathCounter.ErrTcp),
        ["tcp-syn-fin-rst"] = new(FrameBuilder.Tcp4(2000, 3000).Flags(TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst), Resets: 1),
        ["tcp-all-flags"] = new(FrameBuilder.Tcp6(2001, 3000).Flags((TcpFlags)0xFF).Payload(5), Resets: 1),
        ["tcp-rst-window-0"] = new(FrameBuilder.Tcp4(2002, 3000).Flags(TcpFlags.Rst).Window(0), Resets: 1),
        ["tcp-window-0"] = new(FrameBuilder.Tcp4(2003, 3000).Window(0), ZeroWindows: 1),

        // ---- TCP options: malformed, the flow is counted but no timestamp used ----
        ["opt-len-0"] = OptsIgnored(FrameBuilder.Tcp4().TcpOptions([.. Ts100, 3, 0])),
        ["opt-len-1"] = OptsIgnored(FrameBuilder.Tcp4().TcpOptions([.. Ts100, 3, 1])),
        ["opt-len-overruns-header"] = OptsIgnored(FrameBuilder.Tcp4().TcpOptions([.. Ts100, 1, 1, 2, 8, 0, 0])),
        ["opt-ts-len-8"] = OptsIgnored(FrameBuilder.Tcp4().TcpOptions(FrameBuilder.TsOption(100, 7, nops: true, len: 8))),
        ["opt-ts-len-12"] = OptsIgnored(FrameBuilder.Tcp4().TcpOptions([.. FrameBuilder.TsOption(100, 7, len: 12), 0, 0])),
        ["opt-ts-len-12-ipv6"] = OptsIgnored(FrameBuilder.Tcp6().TcpOptions([.. FrameBuilder.TsOption(100, 7, len: 12), 0, 0])),
        ["opt-kind-at-last-byte"] = OptsIgnored(FrameBuilder.Tcp4().TcpOptions([.. Ts100, 1, 3])),
        ["opt-38-nops-then-cut-ts"] = OptsIgnored(FrameBuilder.Tcp4().TcpOptions([.. Nops(38), 8, 10])),
        ["opt-ts-28-nops-then-cut-ts"] = OptsIgnored(FrameBuilder.Tcp4().TcpOptions([.. Ts100, .. Nops(28), 8, 10])),
        ["opt-39-nops-then-ts-kind"] = OptsIgnored(FrameBuilder.Tcp4().TcpOptions([.. Nops(39), 8])),
        ["opt-ts-overruns-doff-into-payload"] = OptsIgnored(FrameBuilder.Tcp4().TcpOptions(1, 1, 8, 10, 0, 0, 0, 100).Payload(8)),
        ["opt-fast-path-layout-then-len-0"] = OptsIgnored(FrameBuilder.Tcp4().TcpOptions([.. FrameBuilder.TsOption(100, 7, nops: true), 5, 0, 0, 0])),

        // ---- TCP options: valid ----
        ["opt-ts-fast-path"] = TsUsed(FrameBuilder.Tcp4().Timestamp(100, 7), 100, 7),
        ["opt-ts-zero-tsval"] = TsUsed(FrameBuilder.Tcp4().Timestamp(0, 55), 0, 55),
        ["opt-ts-zero-tsecr"] = TsUsed(FrameBuilder.Tcp6().Timestamp(100, 0), 100, 0),
        ["opt-syn-full-options"] = TsUsed(FrameBuilder.Tcp4().Flags(TcpFlags.Syn)
            .TcpOptions([2, 4, 0x05, 0xB4, 4, 2, .. Ts100, 1, 3, 3, 7]), 100, 7),
        ["opt-ts-then-eol-then-garbage"] = TsUsed(FrameBuilder.Tcp4().TcpOptions([.. Ts100, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), 100, 7),
        ["opt-unknown-kind-then-ts"] = TsUsed(FrameBuilder.Tcp4().TcpOptions([254, 4, 0, 0, 1, 1, .. Ts100]), 100, 7),
        ["opt-30-nops-then-ts"] = TsUsed(FrameBuilder.Tcp4().TcpOptions([.. Nops(30), .. Ts100]), 100, 7),
        ["opt-eol-only"] = Accept(FrameBuilder.Tcp4().TcpOptions(0, 0, 0, 0)),
        ["opt-sack-no-ts"] = Accept(FrameBuilder.Tcp4().TcpOptions(1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2)),
        ["opt-eol-before-bad-option"] = Accept(FrameBuilder.Tcp4().TcpOptions(0, 3, 0, 0)),
    };

    public static TheoryData<string, string> Runs()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in Cases.Keys)
        {
            data.Add(name, "egress");
            data.Add(name, "ingress");
        }

        return data;
    }

    [Fact]
    public void Corpus_is_large_and_covers_every_reason()
    {
        Assert.True(Cases.Count >= 30);
        foreach (var why in new[]
                 {
                     DatapathCounter.ErrL2, DatapathCounter.ErrIp, DatapathCounter.ErrIpv6Ext, DatapathCounter.ErrTcp,
                     DatapathCounter.Fragments, DatapathCounter.NonIp, DatapathCounter.ErrL4,
                 })
        {
            Assert.Contains(Cases.Values, c => c.Rejected == why);
        }

        // Non-TCP IP packets are accounted, never rejected.
        Assert.DoesNotContain(Cases.Values, c => c.Rejected == DatapathCounter.NonTcp);
        Assert.Contains(Cases.Values, c => c.Rejected is null && c.Frame.ProtocolNumber == 17);
        Assert.Contains(Cases.Values, c => c.Rejected is null && c.EchoRequestSeq is not null);

        Assert.Contains(Cases.Values, c => c.Ts == TsUse.Ignored);
        Assert.Contains(Cases.Values, c => c.Ts == TsUse.Used);
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Hostile_frame(string name, string hook)
    {
        var c = Cases[name];
        var viaEgress = hook == "egress";
        var frame = c.Frame.Build();
        const uint IfIndex = 1;

        using var dp = new DatapathHarness();
        DatapathHarness.Run(viaEgress ? dp.EgressProgram : dp.IngressProgram, frame, IfIndex, c.GsoSegs);

        var expected = new ulong[dp.Counters().Length];
        expected[(int)DatapathCounter.Packets] = 1;

        if (c.Rejected is { } why)
        {
            expected[(int)why] = 1;
            Assert.Equal(expected, dp.Counters());
            Assert.Empty(dp.Flows());
            Assert.Empty(dp.Pending());
            Assert.Empty(dp.Hists());
            return;
        }

        var tcp = c.Frame.ProtocolNumber == 6;
        Assert.True(tcp || c.Ports is not null, "a non-TCP case must state its key's ports");
        expected[(int)(tcp ? DatapathCounter.TcpPackets : DatapathCounter.NonTcp)] = 1;
        if (c.Ts == TsUse.Ignored)
        {
            expected[(int)DatapathCounter.ErrTcpOpts] = 1;
        }

        Assert.Equal(expected, dp.Counters());

        var (key, flow) = dp.SingleFlow();
        DatapathHarness.AssertKey(key, c.Frame, viaEgress, IfIndex, c.Ports);
        var d = viaEgress ? flow.Tx : flow.Rx;
        Assert.Equal(default(DirStats), viaEgress ? flow.Rx : flow.Tx);
        Assert.Equal((ulong)(c.Bytes ?? c.Frame.IpLengthOnWire), d.Bytes);
        Assert.Equal(1UL, d.Packets);
        Assert.Equal((ulong)Math.Max(c.GsoSegs, 1), d.Segments);
        Assert.Equal(0UL, d.RetransSegs);
        Assert.Equal(c.Resets, d.Resets);
        Assert.Equal(c.ZeroWindows, d.ZeroWindows);
        Assert.Equal(0UL, dp.Rtt().Count);
        Assert.Empty(dp.Hists());

        var pending = dp.Pending();
        if (!tcp)
        {
            Assert.Equal(default(DirStats), d with { Bytes = 0, Packets = 0, Segments = 0 });
            Assert.Equal(ConnState.Unknown, flow.ConnState);
            if (viaEgress && c.EchoRequestSeq is { } seq)
            {
                // An echo request leaving is timestamped under its sequence number.
                var p = Assert.Single(pending);
                Assert.Equal(dp.SlotOf(key), p.Key.Slot);
                Assert.Equal(seq, p.Key.TsVal);
                Assert.NotEqual(0UL, p.Value);
            }
            else
            {
                Assert.Empty(pending);
            }

            return;
        }

        if (c.Ts != TsUse.Used)
        {
            Assert.False(d.Flags.HasFlag(DirFlags.TsValid), $"no timestamp may be used; flags {d.Flags}, last_ts {d.LastTs}");
            Assert.Empty(pending);
            return;
        }

        if (viaEgress && c.TsVal == 0)
        {
            // TSval 0 is parsed but never timestamped: only TSecr 0 could echo it, and that means "no echo".
            Assert.False(d.Flags.HasFlag(DirFlags.TsValid));
            Assert.Empty(pending);
        }
        else if (viaEgress)
        {
            Assert.True(d.Flags.HasFlag(DirFlags.TsValid));
            Assert.Equal(c.TsVal, d.LastTs);
            var p = Assert.Single(pending);
            Assert.Equal(c.TsVal, p.Key.TsVal);
            Assert.Equal(dp.SlotOf(key), p.Key.Slot);
        }
        else
        {
            // Ingress looks the echo up (TSecr 0 means no echo); nothing is pending.
            Assert.Empty(pending);
            Assert.Equal(c.TsEcr != 0, d.Flags.HasFlag(DirFlags.TsValid));
            Assert.Equal(c.TsEcr, d.LastTs);
        }
    }
}
