using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TcpHealth.Core.Config;

/// <summary>
/// An IPv4 or IPv6 network in CIDR form ("10.1.0.0/16", "fd00::/8"); a bare
/// address is a single-host prefix (/32 or /128).
/// </summary>
/// <remarks>
/// Parsing is strict, like Go's netip.ParsePrefix: host bits set after the
/// prefix length ("10.1.2.0/16") are rejected rather than silently masked,
/// because in a hand-written config that is almost always a typo for a
/// different network, and masking would quietly claim the wrong addresses.
/// IPv4 is dotted-quad only (no "10.1" shorthand, no leading zeros that other
/// parsers read as octal). An IPv4-mapped IPv6 prefix
/// ("::ffff:10.0.0.0/104") is normalized to its IPv4 form, and an
/// IPv4-mapped address matches IPv4 prefixes: dual-stack sockets report IPv4
/// peers that way and they are the same hosts.
/// </remarks>
public readonly struct IpPrefix : IEquatable<IpPrefix>
{
    private readonly UInt128 _bits; // IPv4: the address in the low 32 bits
    private readonly byte _length;
    private readonly bool _isIPv6;

    private IpPrefix(UInt128 bits, int length, bool isIPv6)
    {
        _bits = bits;
        _length = (byte)length;
        _isIPv6 = isIPv6;
    }

    /// <summary>Number of leading bits that are fixed (0-32 for IPv4, 0-128 for IPv6).</summary>
    public int Length => _length;

    public bool IsIPv6 => _isIPv6;

    public AddressFamily Family => _isIPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;

    /// <summary>The first address of the network.</summary>
    public IPAddress Network
    {
        get
        {
            if (!_isIPv6)
            {
                Span<byte> v4 = stackalloc byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(v4, (uint)_bits);
                return new IPAddress(v4);
            }
            Span<byte> v6 = stackalloc byte[16];
            BinaryPrimitives.WriteUInt128BigEndian(v6, _bits);
            return new IPAddress(v6);
        }
    }

    internal uint IPv4Bits => (uint)_bits;
    internal UInt128 IPv6Bits => _bits;

    public static IpPrefix Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var prefix, out var error) ? prefix : throw new FormatException(error);
    }

    public static bool TryParse(string? text, out IpPrefix prefix) => TryParse(text, out prefix, out _);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says why, quoting the input.</summary>
    public static bool TryParse(string? text, out IpPrefix prefix, out string? error)
    {
        prefix = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "empty CIDR";
            return false;
        }
        error = Validate(text.AsSpan(), out prefix);
        if (error is null)
            return true;
        error = $"'{text}': {error}";
        return false;
    }

    private static string? Validate(ReadOnlySpan<char> text, out IpPrefix prefix)
    {
        prefix = default;
        int slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        bool isIPv6 = addressText.Contains(':');

        UInt128 bits;
        if (isIPv6)
        {
            if (addressText.Contains('%'))
                return "zone index (%...) is not allowed in a CIDR";
            if (!IPAddress.TryParse(addressText, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
                return "not a valid IPv6 address";
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out _);
            bits = BinaryPrimitives.ReadUInt128BigEndian(bytes);
        }
        else
        {
            if (!TryParseDottedQuad(addressText, out uint v4))
                return "not a valid IPv4 address (expected a.b.c.d with each part 0-255)";
            bits = v4;
        }

        int maxLength = isIPv6 ? 128 : 32;
        int length = maxLength;
        if (slash >= 0)
        {
            var lengthText = text[(slash + 1)..];
            if (!TryParseLength(lengthText, out length) || length > maxLength)
                return isIPv6 ? "prefix length must be 0-128 for IPv6" : "prefix length must be 0-32 for IPv4";
        }

        if (isIPv6 && IsIPv4Mapped(bits))
        {
            // ::ffff:a.b.c.d/n covers the same hosts as a.b.c.d/(n-96).
            if (length < 96)
                return "an IPv4-mapped prefix must be at least /96 (write it as IPv4)";
            bits &= uint.MaxValue;
            length -= 96;
            isIPv6 = false;
        }

        var candidate = new IpPrefix(bits, length, isIPv6);
        var masked = candidate.Masked(bits);
        if (masked != bits)
        {
            var network = new IpPrefix(masked, length, isIPv6);
            return $"host bits are set after /{length} (did you mean {network}?)";
        }
        prefix = candidate;
        return null;
    }

    // Go-strict: decimal, no sign, no leading zeros ("/08" is a typo, not 8).
    private static bool TryParseLength(ReadOnlySpan<char> text, out int length)
    {
        length = 0;
        if (text.Length is 0 or > 3 || (text.Length > 1 && text[0] == '0'))
            return false;
        foreach (char c in text)
        {
            if (c is < '0' or > '9')
                return false;
            length = length * 10 + (c - '0');
        }
        return true;
    }

    // IPAddress.TryParse accepts "10.1" and octal "010.0.0.1"; a config wants exactly a.b.c.d.
    private static bool TryParseDottedQuad(ReadOnlySpan<char> text, out uint value)
    {
        value = 0;
        int parts = 0;
        foreach (var range in text.Split('.'))
        {
            var part = text[range];
            if (++parts > 4 || part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0'))
                return false;
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int octet) || octet > 255)
                return false;
            value = (value << 8) | (uint)octet;
        }
        return parts == 4;
    }

    internal static bool IsIPv4Mapped(UInt128 bits) => (bits >> 32) == 0xffff;

    private UInt128 Masked(UInt128 bits) =>
        _isIPv6 ? bits & IPv6Mask(_length) : IPv4Mask(_length) & (uint)bits;

    // Shifts by the full width are masked to zero by the CPU, so /0 is special-cased.
    internal static uint IPv4Mask(int length) => length == 0 ? 0 : uint.MaxValue << (32 - length);

    internal static UInt128 IPv6Mask(int length) => length == 0 ? UInt128.Zero : UInt128.MaxValue << (128 - length);

    /// <summary>True if <paramref name="address"/> is inside this network (IPv4-mapped addresses count as IPv4).</summary>
    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        return Contains(bytes[..written]);
    }

    /// <summary>Same as <see cref="Contains(IPAddress)"/> for a raw 4- or 16-byte network-order address.</summary>
    public bool Contains(ReadOnlySpan<byte> address)
    {
        if (address.Length == 4)
            return !_isIPv6 && (BinaryPrimitives.ReadUInt32BigEndian(address) & IPv4Mask(_length)) == (uint)_bits;
        if (address.Length != 16)
            throw new ArgumentException($"an address is 4 or 16 bytes, got {address.Length}", nameof(address));
        var bits = BinaryPrimitives.ReadUInt128BigEndian(address);
        if (IsIPv4Mapped(bits))
            return !_isIPv6 && ((uint)bits & IPv4Mask(_length)) == (uint)_bits;
        return _isIPv6 && (bits & IPv6Mask(_length)) == _bits;
    }

    public bool Equals(IpPrefix other) => _bits == other._bits && _length == other._length && _isIPv6 == other._isIPv6;

    public override bool Equals(object? obj) => obj is IpPrefix other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_bits, _length, _isIPv6);

    public static bool operator ==(IpPrefix left, IpPrefix right) => left.Equals(right);

    public static bool operator !=(IpPrefix left, IpPrefix right) => !left.Equals(right);

    /// <summary>Canonical CIDR text, e.g. "10.1.0.0/16" or "fd00::/8".</summary>
    public override string ToString() => $"{Network}/{_length}";
}
