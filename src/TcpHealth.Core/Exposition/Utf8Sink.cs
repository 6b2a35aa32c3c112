using System.Buffers;
using System.Globalization;
using System.Text;

namespace TcpHealth.Core.Exposition;

/// <summary>
/// Writes into large chunks of an <see cref="IBufferWriter{T}"/>, advancing once per chunk
/// instead of once per token: a scrape is tens of thousands of tiny writes.
/// </summary>
internal ref struct Utf8Sink
{
    private const int ChunkSize = 16 * 1024;
    private static readonly SearchValues<char> NeedsEscape = SearchValues.Create("\\\"\n");

    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _pos;

    public Utf8Sink(IBufferWriter<byte> output)
    {
        _output = output;
        _span = output.GetSpan(ChunkSize);
        _pos = 0;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        Ensure(bytes.Length);
        bytes.CopyTo(_span[_pos..]);
        _pos += bytes.Length;
    }

    public void WriteByte(byte b)
    {
        Ensure(1);
        _span[_pos++] = b;
    }

    public void WriteValue(double value)
    {
        Ensure(NumberFormat.MaxValueBytes);
        _pos += NumberFormat.FormatValue(value, _span[_pos..]);
    }

    public void WriteUInt64(ulong value)
    {
        Ensure(20);
        value.TryFormat(_span[_pos..], out var written, default, CultureInfo.InvariantCulture);
        _pos += written;
    }

    /// <summary>A label value: UTF-8, with \ " and newline escaped (same rule in both formats).</summary>
    public void WriteLabelValue(string value)
    {
        var rest = value.AsSpan();
        while (true)
        {
            var i = rest.IndexOfAny(NeedsEscape);
            WriteUtf8(i < 0 ? rest : rest[..i]);
            if (i < 0)
                return;
            Write(rest[i] switch
            {
                '\\' => "\\\\"u8,
                '"' => "\\\""u8,
                _ => "\\n"u8,
            });
            rest = rest[(i + 1)..];
        }
    }

    /// <summary>Hands the written bytes to the output; call once at the end.</summary>
    public void Flush()
    {
        _output.Advance(_pos);
        _span = default;
        _pos = 0;
    }

    private void WriteUtf8(ReadOnlySpan<char> chars)
    {
        if (chars.IsEmpty)
            return;
        Ensure(Encoding.UTF8.GetMaxByteCount(chars.Length));
        _pos += Encoding.UTF8.GetBytes(chars, _span[_pos..]);
    }

    private void Ensure(int needed)
    {
        if (_span.Length - _pos >= needed)
            return;
        _output.Advance(_pos);
        _pos = 0;
        _span = _output.GetSpan(Math.Max(needed, ChunkSize));
    }
}
