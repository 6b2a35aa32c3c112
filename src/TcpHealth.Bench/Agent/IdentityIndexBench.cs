using System.Buffers.Binary;
using System.Diagnostics;
using TcpHealth.Core.Config;
using TcpHealth.Core.Identity;

namespace TcpHealth.Bench.Agent;

/// <param name="RetainedBytes">Managed memory the built resolver keeps alive (GC.GetTotalMemory after full collections): tables, identities, names.</param>
/// <param name="HitNs">Median ns per IdentityResolver.Resolve of a known address, addresses in random order.</param>
/// <param name="MissNs">The same for addresses nobody owns (they resolve to "unknown").</param>
public sealed record IdentityIndexResult(int Entries, int Workloads, double BuildMs, long RetainedBytes, double BytesPerEntry, double HitNs, double MissNs);

/// <summary>
/// Measurement 8: the identity index at the size of a large cluster, 150k
/// pods as 150k /32 endpoints. There is no Kubernetes pod index yet; it will
/// plug in as an IIdentitySource in front of the config, so the config source
/// over the same PrefixTable stands in for it here.
/// </summary>
public static class IdentityIndexBench
{
    private const int Pods = 150_000;
    private const int PodsPerWorkload = 10;
    private const int Namespaces = 500;
    private const int Runs = 11;

    public static IdentityIndexResult Run(Action<string> progress)
    {
        progress("identity index, 150k /32 endpoints");
        var hits = Addresses(Pods, 0x0A400001);    // 10.64.0.1 .. : the pods, in random order
        var misses = Addresses(Pods, 0x0AC80001);  // 10.200.0.1 .. : nobody's

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var sw = Stopwatch.StartNew();
        var resolver = Build();
        var buildMs = sw.Elapsed.TotalMilliseconds;
        // The config records it was built from are garbage now; what remains is the index's own.
        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;

        var hitNs = Lookups(resolver, hits, expectKnown: true);
        var missNs = Lookups(resolver, misses, expectKnown: false);
        GC.KeepAlive(resolver);
        return new IdentityIndexResult(Pods, Pods / PodsPerWorkload, buildMs, retained, (double)retained / Pods, hitNs, missNs);
    }

    // A pod index holds what the API server says: namespace, workload (owner) and the node's zone;
    // pods of one workload share those strings.
    private static IdentityResolver Build()
    {
        string[] zones = ["zone-a", "zone-b", "zone-c"];
        var namespaces = Enumerable.Range(0, Namespaces).Select(i => $"namespace-{i}").ToArray();
        var workloads = Enumerable.Range(0, Pods / PodsPerWorkload).Select(i => $"workload-{i}").ToArray();
        var endpoints = new List<EndpointConfig>(Pods);
        for (var i = 0; i < Pods; i++)
        {
            var w = i / PodsPerWorkload;
            var address = new System.Net.IPAddress(BinaryPrimitives.ReverseEndianness(0x0A400001u + (uint)i));
            endpoints.Add(new EndpointConfig(workloads[w], namespaces[w % Namespaces], zones[i % zones.Length], [IpPrefix.Parse($"{address}/32")]));
        }

        return new IdentityResolver(AgentConfig.Default with { Endpoints = endpoints });
    }

    // Shuffled: flows arrive in no particular order, and sequential keys would flatter the caches.
    private static byte[] Addresses(int count, uint first)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new Random(1).Shuffle(order);

        var bytes = new byte[count * 4];
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(i * 4), first + (uint)order[i]);
        }

        return bytes;
    }

    private static double Lookups(IdentityResolver resolver, byte[] addresses, bool expectKnown)
    {
        var count = addresses.Length / 4;
        var times = new List<double>();
        for (var run = 0; run <= Runs; run++)
        {
            var known = 0;
            var sw = Stopwatch.StartNew();
            for (var i = 0; i < count; i++)
            {
                if (!ReferenceEquals(resolver.Resolve(addresses.AsSpan(i * 4, 4)), PeerIdentity.Unknown))
                {
                    known++;
                }
            }

            var ns = sw.Elapsed.TotalNanoseconds / count;
            if (known != (expectKnown ? count : 0))
            {
                throw new InvalidOperationException($"identity index: {known} of {count} addresses resolved, expected {(expectKnown ? count : 0)}");
            }

            // Run 0 warms up (JIT, caches).
            if (run > 0)
            {
                times.Add(ns);
            }
        }

        return Stats.Median(times);
    }
}
