using TcpHealth.Bpf;

namespace TcpHealth.Core.Flows;

/// <summary>
/// The datapath's counters (the per-CPU `counters` map, summed): what it saw
/// and what it could not keep. Monotonic for the life of the loaded programs.
/// </summary>
public sealed class DatapathCounters
{
    private readonly ulong[] _values;

    public DatapathCounters(ReadOnlySpan<ulong> values)
    {
        _values = new ulong[Abi.CounterCount];
        values[..Math.Min(values.Length, _values.Length)].CopyTo(_values);
    }

    public ulong this[DatapathCounter c] => _values[(int)c];

    /// <summary>Packets the parser rejected, all reasons together.</summary>
    public ulong ParseErrors =>
        this[DatapathCounter.ErrL2] + this[DatapathCounter.ErrIp] + this[DatapathCounter.ErrIpv6Ext] +
        this[DatapathCounter.ErrTcp] + this[DatapathCounter.ErrTcpOpts] + this[DatapathCounter.ErrL4];
}
