using System.Buffers.Binary;
using System.Net;

namespace TcpHealth.Bpf.Tests;

/// <summary>Hand-built packets for BPF_PROG_TEST_RUN.</summary>
internal static class Frames
{
    public const byte Syn = 0x02;
    public const byte Ack = 0x10;

    /// <summary>Ethernet + IPv4 (20 bytes) + TCP (20 bytes, no options), no payload: 54 bytes.</summary>
    public static byte[] EthernetIpv4Tcp(IPAddress source, ushort sourcePort, IPAddress destination, ushort destinationPort, byte flags, uint seq = 1000)
    {
        var frame = new byte[14 + 20 + 20];
        var eth = frame.AsSpan(0, 14);
        eth[..6].Fill(0x02);
        eth[6..12].Fill(0x04);
        BinaryPrimitives.WriteUInt16BigEndian(eth[12..], 0x0800);

        var ip = frame.AsSpan(14, 20);
        ip[0] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], 40);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000); // DF
        ip[8] = 64;
        ip[9] = 6;
        source.TryWriteBytes(ip[12..16], out _);
        destination.TryWriteBytes(ip[16..20], out _);

        var tcp = frame.AsSpan(34, 20);
        BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], seq);
        tcp[12] = 5 << 4;
        tcp[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65535);
        return frame;
    }
}
