using System.Globalization;
using TcpHealth.Bpf;

namespace TcpHealth.Bench;

public sealed record MapMemoryRow(string Map, uint MaxEntries, uint KeySize, uint ValueSize, long MemlockBytes);

public sealed record MapMemoryResult(string Configuration, List<MapMemoryRow> Maps, long TotalBytes)
{
    public double TotalMiB => TotalBytes / 1048576.0;
}

/// <summary>
/// Measurement 4: kernel memory of our maps as the kernel charges it (the
/// "memlock:" line of the map fd's fdinfo, what `bpftool map show` prints),
/// at default sizes and with the flow table sized for 100,000 flows.
/// </summary>
public static class MapMemory
{
    private static readonly string[] Maps = [MapNames.FlowSlots, MapNames.Flows, MapNames.FlowFreeSlots, MapNames.FlowNextSlot, MapNames.NewFlows, MapNames.RttHists, MapNames.RttFreeSlots, MapNames.RttNextSlot, MapNames.PendingTs, MapNames.Counters];

    public static List<MapMemoryResult> Run(string objectPath) =>
    [
        Measure(objectPath, "defaults", null),
        // Sized as `--max-flows 100000` sizes them (see DatapathSession.Open).
        Measure(objectPath, "flows=100000", new Dictionary<string, uint>
        {
            [MapNames.FlowSlots] = 100_000,
            [MapNames.Flows] = 100_000,
            [MapNames.FlowFreeSlots] = 100_000,
        }),
    ];

    private static MapMemoryResult Measure(string objectPath, string label, Dictionary<string, uint>? maxEntries)
    {
        using var obj = BpfObject.Load(objectPath, maxEntries);
        var rows = Maps.Select(name =>
        {
            var map = obj.Map(name);
            return new MapMemoryRow(name, map.MaxEntries, map.KeySize, map.ValueSize, Memlock(map.Fd));
        }).ToList();
        return new MapMemoryResult(label, rows, rows.Sum(r => r.MemlockBytes));
    }

    private static long Memlock(int fd)
    {
        foreach (var line in File.ReadLines($"/proc/self/fdinfo/{fd}"))
        {
            if (line.StartsWith("memlock:", StringComparison.Ordinal))
            {
                return long.Parse(line["memlock:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"/proc/self/fdinfo/{fd} has no memlock line");
    }
}
