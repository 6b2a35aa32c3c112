namespace TcpHealth.Bpf;

/// <summary>
/// Where a batch read of one map stands (see <see cref="BpfMap.ReadBatch"/>). The
/// kernel's position is opaque: a bucket number for hashes, a key for arrays.
/// </summary>
public sealed class BatchCursor
{
    internal BatchCursor(BpfMap map, uint batchEntries)
    {
        Map = map;
        BatchEntries = batchEntries;
        var size = Math.Max((int)map.KeySize, sizeof(ulong));
        In = new byte[size];
        Out = new byte[size];
    }

    internal BpfMap Map { get; }

    /// <summary>Entries asked for per call; doubled when one bucket holds more.</summary>
    internal uint BatchEntries { get; set; }

    internal byte[] In { get; private set; }
    internal byte[] Out { get; private set; }

    /// <summary>No call made yet: the first starts at the beginning.</summary>
    internal bool First { get; private set; } = true;

    /// <summary>The last call reached the end of the map.</summary>
    public bool Done { get; private set; }

    /// <summary>The position the last call returned is where the next one starts.</summary>
    internal void Advance(bool done)
    {
        (In, Out) = (Out, In);
        First = false;
        Done = done;
    }
}
