using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace TcpHealth.Core.Config;

/// <summary>
/// An immutable longest-prefix-match table from <see cref="IpPrefix"/> to a value.
/// </summary>
/// <remarks>
/// One hash table of masked networks per prefix length, probed from the
/// longest length present to the shortest. Configs use a handful of distinct
/// lengths (subnets, /32 hosts), so a lookup is a few hash probes whatever the
/// entry count, allocates nothing, and building 150k entries is just 150k
/// dictionary inserts. A trie would bound probes by address width instead,
/// but walks ~32-128 pointer-chasing nodes per lookup.
/// </remarks>
public sealed class PrefixTable<T>
{
    public static PrefixTable<T> Empty { get; } = new([]);

    private readonly Dictionary<uint, T>?[] _ipv4 = new Dictionary<uint, T>?[33];
    private readonly Dictionary<UInt128, T>?[] _ipv6 = new Dictionary<UInt128, T>?[129];
    private readonly int[] _ipv4Lengths; // longest first
    private readonly int[] _ipv6Lengths;

    /// <exception cref="ArgumentException">The same prefix appears twice (the config layer reports these with line numbers first).</exception>
    public PrefixTable(IEnumerable<KeyValuePair<IpPrefix, T>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var (prefix, value) in entries)
        {
            bool added = prefix.IsIPv6
                ? (_ipv6[prefix.Length] ??= new()).TryAdd(prefix.IPv6Bits, value)
                : (_ipv4[prefix.Length] ??= new()).TryAdd(prefix.IPv4Bits, value);
            if (!added)
                throw new ArgumentException($"duplicate prefix {prefix}", nameof(entries));
            Count++;
        }
        _ipv4Lengths = LengthsPresent(_ipv4);
        _ipv6Lengths = LengthsPresent(_ipv6);
    }

    public int Count { get; }

    private static int[] LengthsPresent<TKey>(Dictionary<TKey, T>?[] byLength) where TKey : notnull
    {
        var lengths = new List<int>();
        for (int length = byLength.Length - 1; length >= 0; length--)
        {
            if (byLength[length] is { } table)
            {
                table.TrimExcess();
                lengths.Add(length);
            }
        }
        return [.. lengths];
    }

    /// <summary>The value of the longest prefix containing <paramref name="address"/>.</summary>
    public bool TryLookup(IPAddress address, [MaybeNullWhen(false)] out T value)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        return TryLookup(bytes[..written], out value);
    }

    /// <summary>
    /// Hot-path lookup over a network-order address: 4 bytes (IPv4) or 16
    /// (IPv6; an IPv4-mapped address is looked up as IPv4).
    /// </summary>
    public bool TryLookup(ReadOnlySpan<byte> address, [MaybeNullWhen(false)] out T value)
    {
        if (address.Length == 4)
            return TryLookupIPv4(BinaryPrimitives.ReadUInt32BigEndian(address), out value);
        if (address.Length != 16)
            throw new ArgumentException($"an address is 4 or 16 bytes, got {address.Length}", nameof(address));
        var bits = BinaryPrimitives.ReadUInt128BigEndian(address);
        return IpPrefix.IsIPv4Mapped(bits)
            ? TryLookupIPv4((uint)bits, out value)
            : TryLookupIPv6(bits, out value);
    }

    private bool TryLookupIPv4(uint address, [MaybeNullWhen(false)] out T value)
    {
        foreach (int length in _ipv4Lengths)
        {
            if (_ipv4[length]!.TryGetValue(address & IpPrefix.IPv4Mask(length), out value))
                return true;
        }
        value = default;
        return false;
    }

    private bool TryLookupIPv6(UInt128 address, [MaybeNullWhen(false)] out T value)
    {
        foreach (int length in _ipv6Lengths)
        {
            if (_ipv6[length]!.TryGetValue(address & IpPrefix.IPv6Mask(length), out value))
                return true;
        }
        value = default;
        return false;
    }
}
