using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace TcpHealth.Bench;

/// <summary>
/// Minimal Ethernet frame crafting for BPF_PROG_TEST_RUN (ideas from the tests'
/// FrameBuilder, cut down to what the benchmark sends). Checksums stay zero: the
/// datapath never looks at them.
/// </summary>
public static class Frames
{
    public const byte FlagFin = 0x01, FlagSyn = 0x02, FlagPsh = 0x08, FlagAck = 0x10;
    public const byte ProtoTcp = 6, ProtoUdp = 17;

    /// <summary>NOP NOP TS(10): the Linux layout the parser's fast path expects.</summary>
    public static byte[] Timestamps(uint tsval, uint tsecr) => [1, 1, .. TsOption(tsval, tsecr)];

    /// <summary>The options of a Linux SYN: MSS, SACK-permitted, TS, NOP, window scale (full option walk).</summary>
    public static byte[] SynOptions(uint tsval) => [2, 4, 0x05, 0xb4, 4, 2, .. TsOption(tsval, 0), 1, 3, 3, 7];

    /// <summary>NOP NOP TS then NOP NOP SACK with 3 blocks: 40 bytes, the most a TCP header can hold.</summary>
    public static byte[] SackOptions(uint tsval, uint tsecr) =>
        [.. Timestamps(tsval, tsecr), 1, 1, 5, 26, .. new byte[24]];

    /// <summary>30 NOPs before the timestamp: the longest walk (one bpf_loop step per option).</summary>
    public static byte[] NopPaddedOptions(uint tsval, uint tsecr) => [.. Enumerable.Repeat((byte)1, 30), .. TsOption(tsval, tsecr)];

    public static byte[] Tcp(string src, ushort sport, string dst, ushort dport, byte flags, byte[] options,
        int payload = 0, uint seq = 1000, uint ack = 1, ushort? vlan = null)
    {
        var optLen = (options.Length + 3) & ~3;
        var l4 = new byte[20 + optLen + payload];
        BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(0), sport);
        BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt32BigEndian(l4.AsSpan(4), seq);
        BinaryPrimitives.WriteUInt32BigEndian(l4.AsSpan(8), ack);
        l4[12] = (byte)((5 + optLen / 4) << 4);
        l4[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(14), 65535);
        options.CopyTo(l4, 20);
        return Ip(src, dst, ProtoTcp, l4, vlan);
    }

    public static byte[] Udp(string src, ushort sport, string dst, ushort dport, int payload)
    {
        var l4 = new byte[8 + payload];
        BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(0), sport);
        BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt16BigEndian(l4.AsSpan(4), (ushort)l4.Length);
        return Ip(src, dst, ProtoUdp, l4, vlan: null);
    }

    private static byte[] TsOption(uint tsval, uint tsecr)
    {
        var o = new byte[10];
        o[0] = 8;
        o[1] = 10;
        BinaryPrimitives.WriteUInt32BigEndian(o.AsSpan(2), tsval);
        BinaryPrimitives.WriteUInt32BigEndian(o.AsSpan(6), tsecr);
        return o;
    }

    private static byte[] Ip(string src, string dst, byte protocol, byte[] l4, ushort? vlan)
    {
        var s = IPAddress.Parse(src);
        var d = IPAddress.Parse(dst);
        var v6 = s.AddressFamily == AddressFamily.InterNetworkV6;

        var f = new List<byte>(14 + 4 + 40 + l4.Length);
        f.AddRange([0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01]);
        if (vlan is { } vid)
        {
            f.AddRange([0x81, 0x00, (byte)(vid >> 8), (byte)vid]);
        }

        f.AddRange(v6 ? [0x86, 0xDD] : [0x08, 0x00]);
        byte[] ip;
        if (v6)
        {
            ip = new byte[40];
            ip[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)l4.Length);
            ip[6] = protocol;
            ip[7] = 64;
            s.GetAddressBytes().CopyTo(ip, 8);
            d.GetAddressBytes().CopyTo(ip, 24);
        }
        else
        {
            ip = new byte[20];
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(2), (ushort)(20 + l4.Length));
            BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(6), 0x4000); // DF
            ip[8] = 64;
            ip[9] = protocol;
            s.GetAddressBytes().CopyTo(ip, 12);
            d.GetAddressBytes().CopyTo(ip, 16);
        }

        f.AddRange(ip);
        f.AddRange(l4);
        return [.. f];
    }
}
