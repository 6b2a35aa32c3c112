using System.Text.Json;

namespace TcpHealth.EndToEnd.Tests;

/// <summary>Typed reads of one `watch --json` record (the CLI's JSON contract).</summary>
public static class FlowRecord
{
    public static string Src(this JsonElement e) => e.GetProperty("src").GetString()!;
    public static string Dst(this JsonElement e) => e.GetProperty("dst").GetString()!;
    public static ulong U(this JsonElement e, string name) => e.GetProperty(name).GetUInt64();
    public static double? Ms(this JsonElement e, string name) =>
        e.GetProperty(name).ValueKind == JsonValueKind.Null ? null : e.GetProperty(name).GetDouble();
    public static string Outcome(this JsonElement e) => e.GetProperty("outcome").GetString()!;

    public static JsonElement SingleTo(this IReadOnlyList<JsonElement> flows, string dst, string proto = "tcp")
    {
        var matching = flows.Where(f => f.Dst() == dst && f.GetProperty("proto").GetString() == proto).ToList();
        Assert.True(matching.Count == 1, $"expected one flow to {dst}, found {matching.Count}: {string.Join(", ", flows.Select(f => f.Src() + "->" + f.Dst()))}");
        return matching[0];
    }
}
