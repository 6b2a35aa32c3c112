using System.Net;
using TcpHealth.Bpf;

namespace TcpHealth.Core.Flows;

/// <summary>
/// The endpoint objects of the flows a <see cref="FlowHistory"/> follows, shared: a node's
/// flows have few addresses (its own, its busiest peers') and many of them the same
/// destination (a service), so a new flow takes the objects of an earlier one when they are
/// equal instead of keeping its own (at 10,000 connections to one service, 1.2 MB less).
/// A small direct-mapped cache: an entry is replaced by the next endpoint that maps to it,
/// and the flows holding the old one keep it.
/// </summary>
internal sealed class SharedEndpoints
{
    private const int Size = 1024;
    private readonly IPAddress?[] _addresses = new IPAddress?[Size];
    private readonly IPEndPoint?[] _endpoints = new IPEndPoint?[Size];

    public IPEndPoint Source(in FlowKey key) => Endpoint(key.Source, key.SrcPort);

    public IPEndPoint Destination(in FlowKey key) => Endpoint(key.Destination, key.DstPort);

    private IPEndPoint Endpoint(IPAddress address, int port)
    {
        int hash = address.GetHashCode();
        ref var endpoint = ref _endpoints[(uint)HashCode.Combine(hash, port) % Size];
        if (endpoint is not null && endpoint.Port == port && endpoint.Address.Equals(address))
            return endpoint;

        ref var shared = ref _addresses[(uint)hash % Size];
        if (shared is null || !shared.Equals(address))
            shared = address;
        return endpoint = new IPEndPoint(shared, port);
    }
}
