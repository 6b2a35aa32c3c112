using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

/// <summary>
/// struct th_flow_key (44 bytes): a flow from the interface's point of view;
/// Source's packets leave through egress (TX). Ports are in host byte order.
/// Equality and hashing are over all 44 bytes, so keys read from the kernel can key a dictionary.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
public unsafe struct FlowKey : IEquatable<FlowKey>
{
    /// <summary>IPv4: first 4 bytes, rest zero.</summary>
    public fixed byte SrcAddr[16];
    public fixed byte DstAddr[16];
    public ushort SrcPort;
    public ushort DstPort;

    /// <summary>Interface the hooks run on (in the namespace they were attached from).</summary>
    public uint IfIndex;
    public FlowFamily Family;

    /// <summary>IPPROTO_*.</summary>
    public byte Proto;
    public fixed byte Pad[2];

    public IPAddress Source
    {
        get
        {
            fixed (byte* address = SrcAddr)
            {
                return ToAddress(address);
            }
        }
    }

    public IPAddress Destination
    {
        get
        {
            fixed (byte* address = DstAddr)
            {
                return ToAddress(address);
            }
        }
    }

    /// <summary>A key as the datapath builds it: both addresses of one family; the rest zero.</summary>
    public static FlowKey Create(IPAddress source, ushort sourcePort, IPAddress destination, ushort destinationPort, uint ifindex, ProtocolType proto = ProtocolType.Tcp)
    {
        if (source.AddressFamily != destination.AddressFamily)
        {
            throw new ArgumentException($"{source} and {destination} are of different address families");
        }

        var key = new FlowKey
        {
            SrcPort = sourcePort,
            DstPort = destinationPort,
            IfIndex = ifindex,
            Family = source.AddressFamily == AddressFamily.InterNetwork ? FlowFamily.IPv4 : FlowFamily.IPv6,
            Proto = (byte)proto,
        };
        source.TryWriteBytes(new Span<byte>(key.SrcAddr, 16), out _);
        destination.TryWriteBytes(new Span<byte>(key.DstAddr, 16), out _);
        return key;
    }

    public readonly bool Equals(FlowKey other) => Bytes(in this).SequenceEqual(Bytes(in other));

    public override readonly bool Equals(object? obj) => obj is FlowKey other && Equals(other);

    public override readonly int GetHashCode()
    {
        var hash = default(HashCode);
        hash.AddBytes(Bytes(in this));
        return hash.ToHashCode();
    }

    public override string ToString() =>
        $"{new IPEndPoint(Source, SrcPort)} -> {new IPEndPoint(Destination, DstPort)} (if {IfIndex}, proto {Proto})";

    public static bool operator ==(FlowKey left, FlowKey right) => left.Equals(right);

    public static bool operator !=(FlowKey left, FlowKey right) => !left.Equals(right);

    private static ReadOnlySpan<byte> Bytes(in FlowKey key) => MemoryMarshal.AsBytes(new ReadOnlySpan<FlowKey>(in key));

    private readonly IPAddress ToAddress(byte* address) =>
        new(new ReadOnlySpan<byte>(address, Family == FlowFamily.IPv4 ? 4 : 16));
}
