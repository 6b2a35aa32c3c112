using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace TcpHealth.Bpf.Tests.Datapath;

/// <summary>TCP flag bits as they sit in byte 13 of the TCP header.</summary>
[Flags]
public enum TcpFlags : byte
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
    Urg = 0x20,
}

/// <summary>
/// One IPv6 extension header. <see cref="Bytes"/> is the whole header; byte 0
/// (next header) is filled in by <see cref="FrameBuilder"/> when the chain is built.
/// </summary>
public sealed record Ipv6Ext(byte Type, byte[] Bytes)
{
    public const byte HopByHopType = 0, RoutingType = 43, FragmentType = 44, AhType = 51, DestOptsType = 60;

    /// <summary>Hop-by-hop options, (units + 1) × 8 bytes, filled with a PadN option.</summary>
    public static Ipv6Ext HopByHop(int units = 0) => new(HopByHopType, OptionsHeader(units));

    /// <summary>Destination options, (units + 1) × 8 bytes.</summary>
    public static Ipv6Ext DestOpts(int units = 0) => new(DestOptsType, OptionsHeader(units));

    /// <summary>A routing header (type 0, segments left 0), (units + 1) × 8 bytes.</summary>
    public static Ipv6Ext Routing(int units = 0)
    {
        var b = new byte[(units + 1) * 8];
        b[1] = (byte)units;
        return new(RoutingType, b);
    }

    /// <summary>A fragment header; <paramref name="offset8"/> in 8-byte units.</summary>
    public static Ipv6Ext Fragment(ushort offset8, bool more, uint id = 0x1234)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), (ushort)((offset8 << 3) | (more ? 1 : 0)));
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), id);
        return new(FragmentType, b);
    }

    /// <summary>An authentication header: length field <paramref name="lenField"/> means (lenField + 2) × 4 bytes.</summary>
    public static Ipv6Ext Ah(byte lenField = 4)
    {
        var b = new byte[(lenField + 2) * 4];
        b[1] = lenField;
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4), 0x100); // SPI
        return new(AhType, b);
    }

    /// <summary>An options-style header whose length byte says <paramref name="lenField"/> but that really has <paramref name="actualBytes"/>.</summary>
    public static Ipv6Ext Lying(byte type, byte lenField, int actualBytes)
    {
        var b = new byte[actualBytes];
        b[1] = lenField;
        return new(type, b);
    }

    private static byte[] OptionsHeader(int units)
    {
        var b = new byte[(units + 1) * 8];
        b[1] = (byte)units;
        b[2] = 1;              // PadN
        b[3] = (byte)(b.Length - 4);
        return b;
    }
}

/// <summary>
/// Crafts Ethernet frames for BPF_PROG_TEST_RUN: any number of VLAN tags,
/// IPv4 (options, fragments, lying lengths) or IPv6 (extension header chain),
/// TCP (flags, options, data offset override), UDP, ICMP/ICMPv6 or a raw L4 payload, then
/// optional truncation or padding. Checksums are left zero (the datapath does
/// not look at them). Every setter returns the builder.
/// </summary>
public sealed class FrameBuilder
{
    public const ushort EtherIpv4 = 0x0800, EtherIpv6 = 0x86DD, EtherArp = 0x0806, Dot1Q = 0x8100, Dot1Ad = 0x88A8;

    private static readonly byte[] SrcMac = [0x02, 0, 0, 0, 0, 0x01];
    private static readonly byte[] DstMac = [0x02, 0, 0, 0, 0, 0x02];

    private List<(ushort Tpid, ushort Tci)> _vlans = [];
    private ushort? _etherType;
    private bool _v6;
    private IPAddress _src;
    private IPAddress _dst;

    // IPv4
    private byte[] _ipOptions = [];
    private int? _ihl;
    private int? _ipVersion;
    private ushort _fragOffset8;
    private bool _mf, _df;
    private int? _ipLength;     // IPv4 total length / IPv6 payload length override
    private byte _protocol = 6; // IPv4 protocol / last IPv6 next header

    // IPv6
    private List<Ipv6Ext> _exts = [];

    // TCP (or raw L4)
    private ushort _sport, _dport;
    private uint _seq = 1000, _ack;
    private TcpFlags _flags = TcpFlags.Ack;
    private ushort _window = 65535;
    private int? _dataOffset;
    private byte[] _tcpOptions = [];
    private int _payload;
    private byte[]? _l4Raw;

    // UDP / ICMP (built from the fields below instead of a TCP header)
    private enum L4Kind { Tcp, Udp, Icmp }
    private L4Kind _kind = L4Kind.Tcp;
    private byte _icmpType, _icmpCode;
    private ushort _icmpId, _icmpSeq;

    // whole frame
    private byte[]? _l3Raw;     // non-IP frames (ARP, LLDP...)
    private int? _truncate;
    private int _padTo;

    private FrameBuilder(IPAddress src, ushort sport, IPAddress dst, ushort dport)
    {
        _src = src; _dst = dst; _sport = sport; _dport = dport;
        _v6 = src.AddressFamily == AddressFamily.InterNetworkV6;
    }

    /// <summary>A TCP/IPv4 or TCP/IPv6 frame (the family follows the addresses); default flags ACK, seq 1000.</summary>
    public static FrameBuilder Tcp(string src, ushort sport, string dst, ushort dport) =>
        new(IPAddress.Parse(src), sport, IPAddress.Parse(dst), dport);

    /// <summary>A non-IP frame: Ethernet header, <paramref name="etherType"/>, then <paramref name="l3"/> as is.</summary>
    public static FrameBuilder Ethernet(ushort etherType, byte[] l3)
    {
        var b = Tcp4();
        b._etherType = etherType;
        b._l3Raw = l3;
        return b;
    }

    public static FrameBuilder Tcp4(ushort sport = 40000, ushort dport = 80) => Tcp("10.0.0.1", sport, "10.0.0.2", dport);

    public static FrameBuilder Tcp6(ushort sport = 40000, ushort dport = 443) => Tcp("2001:db8::1", sport, "2001:db8::2", dport);

    /// <summary>A UDP frame (protocol 17): 8-byte header with the ports and length 8 + payload.</summary>
    public static FrameBuilder Udp(string src, ushort sport, string dst, ushort dport)
    {
        var b = Tcp(src, sport, dst, dport);
        b._kind = L4Kind.Udp;
        b._protocol = 17;
        return b;
    }

    public static FrameBuilder Udp4(ushort sport = 40000, ushort dport = 53) => Udp("10.0.0.1", sport, "10.0.0.2", dport);

    public static FrameBuilder Udp6(ushort sport = 40000, ushort dport = 53) => Udp("2001:db8::1", sport, "2001:db8::2", dport);

    /// <summary>
    /// An ICMP (IPv4, protocol 1) or ICMPv6 (protocol 58) message: type, code, zero checksum,
    /// then identifier and sequence number (the echo layout) and the payload. The builder's
    /// ports stay 0; <see cref="Protocol"/> may put it under another protocol number.
    /// </summary>
    public static FrameBuilder Icmp(string src, string dst, byte type, ushort id = 0, ushort seq = 0)
    {
        var b = Tcp(src, 0, dst, 0);
        b._kind = L4Kind.Icmp;
        b._protocol = (byte)(b._v6 ? 58 : 1);
        b._icmpType = type;
        b._icmpId = id;
        b._icmpSeq = seq;
        return b;
    }

    public const byte IcmpEchoReply = 0, IcmpEchoRequest = 8, Icmp6EchoRequest = 128, Icmp6EchoReply = 129;

    public static FrameBuilder Icmp4(byte type = IcmpEchoRequest, ushort id = 0x1234, ushort seq = 7) => Icmp("10.0.0.1", "10.0.0.2", type, id, seq);

    public static FrameBuilder Icmp6(byte type = Icmp6EchoRequest, ushort id = 0x1234, ushort seq = 7) => Icmp("2001:db8::1", "2001:db8::2", type, id, seq);

    /// <summary>The same builder settings with addresses and ports swapped (the peer's packet).</summary>
    public FrameBuilder Reply()
    {
        var r = (FrameBuilder)MemberwiseClone();
        r._vlans = [.. _vlans];
        r._exts = [.. _exts];
        (r._src, r._dst) = (_dst, _src);
        (r._sport, r._dport) = (_dport, _sport);
        return r;
    }

    public IPAddress Source => _src;
    public IPAddress Destination => _dst;
    public ushort SourcePort => _sport;
    public ushort DestinationPort => _dport;
    /// <summary>The L4 protocol number (IPv4 protocol / last IPv6 next header).</summary>
    public byte ProtocolNumber => _protocol;

    // ---- L2 ----
    public FrameBuilder Vlan(ushort vid = 100, ushort tpid = Dot1Q) { _vlans.Add((tpid, vid)); return this; }
    public FrameBuilder QinQ(ushort outer = 10, ushort inner = 20) => Vlan(outer, Dot1Ad).Vlan(inner, Dot1Q);
    /// <summary>The ethertype after the VLAN tags (default: from the IP family).</summary>
    public FrameBuilder EtherType(ushort t) { _etherType = t; return this; }

    // ---- IP ----
    /// <summary>IPv4 options (raw, padded with EOL to a multiple of 4 bytes; IHL follows unless overridden).</summary>
    public FrameBuilder IpOptions(params byte[] o) { _ipOptions = o; return this; }
    public FrameBuilder Ihl(int words) { _ihl = words; return this; }
    public FrameBuilder IpVersion(int v) { _ipVersion = v; return this; }
    public FrameBuilder Fragment(ushort offset8, bool moreFragments) { _fragOffset8 = offset8; _mf = moreFragments; return this; }
    public FrameBuilder DontFragment() { _df = true; return this; }
    /// <summary>Overrides IPv4 total length or IPv6 payload length.</summary>
    public FrameBuilder IpLength(int len) { _ipLength = len; return this; }
    /// <summary>The L4 protocol number (IPv4 protocol or the last IPv6 next header).</summary>
    public FrameBuilder Protocol(byte p) { _protocol = p; return this; }
    public FrameBuilder Ext(params Ipv6Ext[] exts) { _exts.AddRange(exts); return this; }

    // ---- TCP ----
    public FrameBuilder Seq(uint s) { _seq = s; return this; }
    public FrameBuilder AckNo(uint a) { _ack = a; return this; }
    public FrameBuilder Flags(TcpFlags f) { _flags = f; return this; }
    public FrameBuilder Window(ushort w) { _window = w; return this; }
    /// <summary>The TCP data offset field in 32-bit words (default: from the options).</summary>
    public FrameBuilder DataOffset(int words) { _dataOffset = words; return this; }
    /// <summary>Raw TCP option bytes (padded with zeros (EOL) to a multiple of 4).</summary>
    public FrameBuilder TcpOptions(params byte[] o) { _tcpOptions = o; return this; }
    /// <summary>NOP NOP TS(10) — the Linux layout.</summary>
    public FrameBuilder Timestamp(uint tsval, uint tsecr) => TcpOptions(TsOption(tsval, tsecr, nops: true));
    public FrameBuilder Payload(int bytes) { _payload = bytes; return this; }
    /// <summary>Replaces the TCP header with raw L4 bytes (UDP, ICMP, ESP...).</summary>
    public FrameBuilder L4Raw(byte protocol, byte[] bytes) { _protocol = protocol; _l4Raw = bytes; return this; }

    // ---- ICMP ----
    public FrameBuilder IcmpType(byte t) { _icmpType = t; return this; }
    public FrameBuilder IcmpCode(byte c) { _icmpCode = c; return this; }
    public FrameBuilder IcmpId(ushort id) { _icmpId = id; return this; }
    public FrameBuilder IcmpSeq(ushort seq) { _icmpSeq = seq; return this; }

    // ---- frame ----
    public FrameBuilder TruncateTo(int bytes) { _truncate = bytes; return this; }
    /// <summary>Ethernet padding: zero bytes appended up to <paramref name="bytes"/> (not counted in IP lengths).</summary>
    public FrameBuilder PadTo(int bytes) { _padTo = bytes; return this; }

    /// <summary>Timestamp option bytes: [NOP NOP] kind 8 len 10 TSval TSecr.</summary>
    public static byte[] TsOption(uint tsval, uint tsecr, bool nops = false, byte len = 10)
    {
        var o = new byte[10];
        o[0] = 8; o[1] = len;
        BinaryPrimitives.WriteUInt32BigEndian(o.AsSpan(2), tsval);
        BinaryPrimitives.WriteUInt32BigEndian(o.AsSpan(6), tsecr);
        return nops ? [1, 1, .. o] : o;
    }

    public int L2Length => 14 + 4 * _vlans.Count;
    public int IpHeaderLength => _v6 ? 40 + _exts.Sum(e => e.Bytes.Length) : 20 + Pad4(_ipOptions.Length);
    public int TcpHeaderLength => L4HeaderLength;
    /// <summary>The L4 header: raw bytes as given, 8 for UDP/ICMP, 20 + options for TCP.</summary>
    public int L4HeaderLength => _l4Raw?.Length ?? (_kind == L4Kind.Tcp ? 20 + Pad4(_tcpOptions.Length) : 8);
    /// <summary>IP bytes as the header states them (IPv4 total length; IPv6 40 + payload length).</summary>
    public int IpLengthOnWire => IpHeaderLength + L4HeaderLength + (_l4Raw is null ? _payload : 0);

    public byte[] Build()
    {
        var f = new List<byte>(128);
        f.AddRange(DstMac);
        f.AddRange(SrcMac);
        foreach (var (tpid, tci) in _vlans)
        {
            AddBe16(f, tpid);
            AddBe16(f, tci);
        }
        AddBe16(f, _etherType ?? (_v6 ? EtherIpv6 : EtherIpv4));

        if (_l3Raw is not null)
        {
            f.AddRange(_l3Raw);
        }
        else
        {
            byte[] l4 = _l4Raw ?? _kind switch
            {
                L4Kind.Udp => BuildUdp(),
                L4Kind.Icmp => BuildIcmp(),
                _ => BuildTcp(),
            };
            f.AddRange(_v6 ? BuildIpv6(l4.Length) : BuildIpv4(l4.Length));
            f.AddRange(l4);
        }
        while (f.Count < _padTo)
            f.Add(0);
        var frame = f.ToArray();
        return _truncate is { } t ? frame[..t] : frame;
    }

    private byte[] BuildIpv4(int l4Len)
    {
        int optLen = Pad4(_ipOptions.Length);
        var h = new byte[20 + optLen];
        h[0] = (byte)(((_ipVersion ?? 4) << 4) | ((_ihl ?? (5 + optLen / 4)) & 0xF));
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(2), (ushort)(_ipLength ?? h.Length + l4Len));
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(4), 0x4242);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(6),
            (ushort)((_df ? 0x4000 : 0) | (_mf ? 0x2000 : 0) | (_fragOffset8 & 0x1FFF)));
        h[8] = 64;
        h[9] = _protocol;
        _src.GetAddressBytes().CopyTo(h, 12);
        _dst.GetAddressBytes().CopyTo(h, 16);
        _ipOptions.CopyTo(h, 20);
        return h;
    }

    private byte[] BuildIpv6(int l4Len)
    {
        int extLen = _exts.Sum(e => e.Bytes.Length);
        var h = new byte[40 + extLen];
        h[0] = (byte)((_ipVersion ?? 6) << 4);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(4), (ushort)(_ipLength ?? extLen + l4Len));
        h[6] = _exts.Count > 0 ? _exts[0].Type : _protocol;
        h[7] = 64;
        _src.GetAddressBytes().CopyTo(h, 8);
        _dst.GetAddressBytes().CopyTo(h, 24);
        int pos = 40;
        for (int i = 0; i < _exts.Count; i++)
        {
            var e = (byte[])_exts[i].Bytes.Clone();
            e[0] = i + 1 < _exts.Count ? _exts[i + 1].Type : _protocol;
            e.CopyTo(h, pos);
            pos += e.Length;
        }
        return h;
    }

    private byte[] BuildTcp()
    {
        int optLen = Pad4(_tcpOptions.Length);
        var t = new byte[20 + optLen + _payload];
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(0), _sport);
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(2), _dport);
        BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(4), _seq);
        BinaryPrimitives.WriteUInt32BigEndian(t.AsSpan(8), _ack);
        t[12] = (byte)(((_dataOffset ?? (5 + optLen / 4)) & 0xF) << 4);
        t[13] = (byte)_flags;
        BinaryPrimitives.WriteUInt16BigEndian(t.AsSpan(14), _window);
        _tcpOptions.CopyTo(t, 20);
        for (int i = 20 + optLen; i < t.Length; i++)
            t[i] = 0xAB;
        return t;
    }

    private byte[] BuildUdp()
    {
        var u = new byte[8 + _payload];
        BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(0), _sport);
        BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(2), _dport);
        BinaryPrimitives.WriteUInt16BigEndian(u.AsSpan(4), (ushort)u.Length);
        for (int i = 8; i < u.Length; i++)
            u[i] = 0xCD;
        return u;
    }

    private byte[] BuildIcmp()
    {
        var m = new byte[8 + _payload];
        m[0] = _icmpType;
        m[1] = _icmpCode;
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(4), _icmpId);
        BinaryPrimitives.WriteUInt16BigEndian(m.AsSpan(6), _icmpSeq);
        for (int i = 8; i < m.Length; i++)
            m[i] = 0xEF;
        return m;
    }

    private static int Pad4(int n) => (n + 3) & ~3;

    private static void AddBe16(List<byte> l, ushort v)
    {
        l.Add((byte)(v >> 8));
        l.Add((byte)v);
    }
}
