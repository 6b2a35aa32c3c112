using System.Net;
using TcpHealth.Core.Config;

namespace TcpHealth.Core.Identity;

/// <summary>
/// Resolves addresses to label values: preferred sources first (none yet; a
/// Kubernetes pod index later), then the config, then all "unknown". Also
/// answers whether an address is in a `monitored:` range, i.e. runs its own
/// agent that will report the other side of the connection.
/// </summary>
public sealed class IdentityResolver
{
    private readonly IIdentitySource[] _sources;
    private readonly PrefixTable<bool> _monitored;

    public IdentityResolver(AgentConfig config, params IIdentitySource[] preferredSources)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(preferredSources);
        _sources = [.. preferredSources, new ConfigIdentitySource(config)];
        _monitored = new PrefixTable<bool>(config.Monitored.Select(p => KeyValuePair.Create(p, true)));
    }

    public PeerIdentity Resolve(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out int written);
        return Resolve(bytes[..written]);
    }

    /// <param name="address">Network-order address: 4 bytes (IPv4) or 16 (IPv6; IPv4-mapped counts as IPv4).</param>
    public PeerIdentity Resolve(ReadOnlySpan<byte> address)
    {
        foreach (var source in _sources)
        {
            if (source.TryResolve(address, out var identity))
                return identity;
        }
        return PeerIdentity.Unknown;
    }

    public bool IsMonitored(IPAddress address) => _monitored.TryLookup(address, out _);

    /// <inheritdoc cref="Resolve(ReadOnlySpan{byte})"/>
    public bool IsMonitored(ReadOnlySpan<byte> address) => _monitored.TryLookup(address, out _);
}
