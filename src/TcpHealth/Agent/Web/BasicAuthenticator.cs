using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace TcpHealth.Agent.Web;

/// <summary>
/// Checks user/password pairs against basic_auth_users. bcrypt is deliberately slow (~50-80 ms at
/// cost 10), so like exporter-toolkit a successful check is remembered, here for <see cref="CacheTtl"/>,
/// keyed by a SHA-256 of (user, stored hash, password) so no plaintext password is kept in memory
/// and changing a user's hash invalidates its entries.
/// </summary>
public sealed class BasicAuthenticator
{
    public static readonly TimeSpan CacheTtl = TimeSpan.FromMinutes(1);
    private const int MaxCacheEntries = 256;

    private readonly IReadOnlyDictionary<string, string> _users;
    private readonly string _dummyHash;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, long> _verified = new(StringComparer.Ordinal);

    public BasicAuthenticator(IReadOnlyDictionary<string, string> users, TimeProvider? time = null)
    {
        if (users.Count == 0)
            throw new ArgumentException("at least one user is needed", nameof(users));
        _users = users;
        // Unknown users still pay for one bcrypt run at a configured cost, so response time does not reveal
        // which user names exist (exporter-toolkit does the same).
        _dummyHash = users.Values.First();
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Number of bcrypt computations done so far (tests check that the cache works).</summary>
    public long BcryptRuns => Interlocked.Read(ref _bcryptRuns);
    private long _bcryptRuns;

    public bool Verify(string user, ReadOnlySpan<byte> password)
    {
        var known = _users.TryGetValue(user, out var hash);
        hash ??= _dummyHash;
        var key = CacheKey(user, hash, password);
        var now = _time.GetTimestamp();
        if (known && _verified.TryGetValue(key, out var expires) && now < expires)
            return true;

        Interlocked.Increment(ref _bcryptRuns);
        var ok = Bcrypt.Verify(password, hash) && known;
        if (ok)
        {
            if (_verified.Count >= MaxCacheEntries)
                Prune(now);
            _verified[key] = now + (long)(CacheTtl.TotalSeconds * _time.TimestampFrequency);
        }
        return ok;
    }

    private void Prune(long now)
    {
        foreach (var (k, expires) in _verified)
            if (expires <= now)
                _verified.TryRemove(k, out _);
        // Still full of live entries (many distinct valid logins within a minute): start over.
        if (_verified.Count >= MaxCacheEntries)
            _verified.Clear();
    }

    private static string CacheKey(string user, string hash, ReadOnlySpan<byte> password)
    {
        // Length-prefixed fields so ("ab","c") and ("a","bc") cannot collide.
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> len = stackalloc byte[4];
        foreach (var field in new[] { Encoding.UTF8.GetBytes(user), Encoding.ASCII.GetBytes(hash) })
        {
            BinaryPrimitives.WriteInt32LittleEndian(len, field.Length);
            sha.AppendData(len);
            sha.AppendData(field);
        }
        BinaryPrimitives.WriteInt32LittleEndian(len, password.Length);
        sha.AppendData(len);
        sha.AppendData(password);
        return Convert.ToHexString(sha.GetHashAndReset());
    }
}
