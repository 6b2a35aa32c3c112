namespace TcpHealth.Core.Metrics;

/// <summary>
/// The live series of one metric family, keyed by label set, with a budget
/// (new label sets beyond it fold into one overflow series, and a counter
/// says how often) and a TTL (series not updated for that long are dropped).
/// A series' values only grow while it lives.
/// </summary>
public sealed class SeriesStore<TKey, TSeries>(int budget, TimeSpan ttl, TKey overflowKey, Func<TSeries> create)
    where TKey : notnull
{
    private readonly Dictionary<TKey, (TSeries Series, DateTimeOffset LastUpdate)> _series = [];

    /// <summary>Label sets that were folded into the overflow series.</summary>
    public ulong Overflowed { get; private set; }

    public int Count => _series.Count;

    public TSeries Get(TKey key, DateTimeOffset now)
    {
        if (!_series.ContainsKey(key) && !key.Equals(overflowKey) && _series.Count - (_series.ContainsKey(overflowKey) ? 1 : 0) >= budget)
        {
            Overflowed++;
            key = overflowKey;
        }
        var series = _series.TryGetValue(key, out var entry) ? entry.Series : create();
        _series[key] = (series, now);
        return series;
    }

    /// <summary>Drops series whose flows and endpoints have been gone longer than the TTL.</summary>
    public void Expire(DateTimeOffset now)
    {
        foreach (var key in _series.Where(kv => now - kv.Value.LastUpdate > ttl).Select(kv => kv.Key).ToList())
            _series.Remove(key);
    }

    public IEnumerable<KeyValuePair<TKey, TSeries>> Entries =>
        _series.Select(kv => new KeyValuePair<TKey, TSeries>(kv.Key, kv.Value.Series));
}
