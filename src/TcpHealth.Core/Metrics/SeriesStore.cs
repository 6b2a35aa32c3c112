namespace TcpHealth.Core.Metrics;

/// <summary>
/// The live series of one metric family, keyed by label set, with a budget
/// (new label sets beyond it fold into an overflow series, and a counter
/// says how often) and a TTL (series not updated for that long are dropped).
/// A series' values only grow while it lives.
/// </summary>
/// <param name="overflowOf">The overflow series a key folds into (e.g. all labels "overflow", protocol kept).</param>
public sealed class SeriesStore<TKey, TSeries>(int budget, TimeSpan ttl, Func<TKey, TKey> overflowOf, Func<TSeries> create)
    where TKey : notnull
{
    private readonly Dictionary<TKey, (TSeries Series, DateTimeOffset LastUpdate)> _series = [];
    private int _overflowSeries;

    /// <summary>Label sets that were folded into an overflow series.</summary>
    public ulong Overflowed { get; private set; }

    public int Count => _series.Count;

    public TSeries Get(TKey key, DateTimeOffset now)
    {
        if (!_series.ContainsKey(key) && !IsOverflow(key) && _series.Count - _overflowSeries >= budget)
        {
            Overflowed++;
            key = overflowOf(key);
        }
        if (!_series.TryGetValue(key, out var entry))
        {
            entry = (create(), now);
            if (IsOverflow(key))
                _overflowSeries++;
        }
        _series[key] = (entry.Series, now);
        return entry.Series;
    }

    /// <summary>Drops series whose flows and endpoints have been gone longer than the TTL.</summary>
    public void Expire(DateTimeOffset now)
    {
        foreach (var key in _series.Where(kv => now - kv.Value.LastUpdate > ttl).Select(kv => kv.Key).ToList())
        {
            _series.Remove(key);
            if (IsOverflow(key))
                _overflowSeries--;
        }
    }

    public IEnumerable<KeyValuePair<TKey, TSeries>> Entries =>
        _series.Select(kv => new KeyValuePair<TKey, TSeries>(kv.Key, kv.Value.Series));

    private bool IsOverflow(TKey key) => key.Equals(overflowOf(key));
}
