using System.Runtime.CompilerServices;

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
    private readonly Dictionary<TKey, SeriesHandle<TSeries>> _series = [];
    private int _overflowSeries;

    /// <summary>Label sets that were folded into an overflow series.</summary>
    public ulong Overflowed { get; private set; }

    public int Count => _series.Count;

    public TSeries Get(TKey key, DateTimeOffset now)
    {
        SeriesHandle<TSeries>? none = null;
        return Get(key, now, ref none);
    }

    /// <summary>
    /// <see cref="Get(TKey, DateTimeOffset)"/> for a caller that always asks for
    /// the same <paramref name="key"/> (and resets <paramref name="handle"/> to
    /// null when its key changes): while the series lives, the handle finds it
    /// without a lookup. A key folded into overflow gets no handle, so it is
    /// counted and may get its own series again on every call, as without one.
    /// </summary>
    [MethodImpl(HotPath.JitCompiled)]
    public TSeries Get(TKey key, DateTimeOffset now, ref SeriesHandle<TSeries>? handle)
    {
        if (handle is { Dropped: false })
        {
            handle.LastUpdate = now;
            return handle.Series;
        }
        if (_series.TryGetValue(key, out handle))
        {
            handle.LastUpdate = now;
            return handle.Series;
        }

        bool folded = !IsOverflow(key) && _series.Count - _overflowSeries >= budget;
        if (folded)
        {
            Overflowed++;
            key = overflowOf(key);
        }
        if (!_series.TryGetValue(key, out var entry))
        {
            _series.Add(key, entry = new SeriesHandle<TSeries>(create()));
            if (IsOverflow(key))
                _overflowSeries++;
        }
        entry.LastUpdate = now;
        handle = folded ? null : entry;
        return entry.Series;
    }

    /// <summary>Drops series whose flows and endpoints have been gone longer than the TTL.</summary>
    public void Expire(DateTimeOffset now)
    {
        foreach (var (key, entry) in _series)
        {
            if (now - entry.LastUpdate <= ttl)
                continue;
            _series.Remove(key);
            entry.Dropped = true;
            if (IsOverflow(key))
                _overflowSeries--;
        }
    }

    public IEnumerable<KeyValuePair<TKey, TSeries>> Entries =>
        _series.Select(kv => new KeyValuePair<TKey, TSeries>(kv.Key, kv.Value.Series));

    private bool IsOverflow(TKey key) => key.Equals(overflowOf(key));
}
