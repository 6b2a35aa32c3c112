using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using TcpHealth.Core.Config;

namespace TcpHealth.Core.Identity;

/// <summary>
/// Identities from the config file: the longest-prefix endpoint match names
/// the peer; failing that the zones map still gives its zone. Addresses that
/// match neither are not resolved here.
/// </summary>
public sealed class ConfigIdentitySource : IIdentitySource
{
    private readonly PrefixTable<Endpoint> _endpoints;
    private readonly PrefixTable<Zone> _zones;

    // A zoneless endpoint takes each address's zone from the zones map; an
    // endpoint CIDR may span several zones, so these identities are made on
    // first use (bounded by endpoints x zones actually seen) and then shared.
    private readonly ConcurrentDictionary<(int Endpoint, int Zone), PeerIdentity> _zonedByMap = new();

    /// <exception cref="ArgumentException">A CIDR is listed twice (configs from <see cref="AgentConfigLoader"/> never are).</exception>
    public ConfigIdentitySource(AgentConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);

        var zonesByName = new Dictionary<string, Zone>(StringComparer.Ordinal);
        _zones = new PrefixTable<Zone>(config.Zones.Select(z =>
        {
            if (!zonesByName.TryGetValue(z.Zone, out var zone))
                zonesByName.Add(z.Zone, zone = new Zone(zonesByName.Count, new PeerIdentity(PeerIdentity.UnknownValue, PeerIdentity.UnknownValue, z.Zone)));
            return KeyValuePair.Create(z.Cidr, zone);
        }));

        _endpoints = new PrefixTable<Endpoint>(config.Endpoints.SelectMany((e, index) =>
        {
            var endpoint = new Endpoint(index, new PeerIdentity(e.Namespace, e.Name, e.Zone ?? PeerIdentity.UnknownValue), e.Zone is null);
            return e.Cidrs.Select(cidr => KeyValuePair.Create(cidr, endpoint));
        }));
    }

    public bool TryResolve(ReadOnlySpan<byte> address, [NotNullWhen(true)] out PeerIdentity? identity)
    {
        _zones.TryLookup(address, out var zone);
        if (_endpoints.TryLookup(address, out var endpoint))
        {
            identity = endpoint.ZoneFromMap && zone is not null
                ? _zonedByMap.GetOrAdd((endpoint.Index, zone.Index), static (_, pair) =>
                    pair.Identity with { Zone = pair.Zone }, (endpoint.Identity, Zone: zone.Identity.Zone))
                : endpoint.Identity;
            return true;
        }
        identity = zone?.Identity;
        return identity is not null;
    }

    /// <param name="Identity">With zone "unknown" when <paramref name="ZoneFromMap"/>.</param>
    private sealed record Endpoint(int Index, PeerIdentity Identity, bool ZoneFromMap);

    /// <param name="Identity">The identity of an address known only by its zone.</param>
    private sealed record Zone(int Index, PeerIdentity Identity);
}
