using System.Globalization;

namespace TcpHealth.Lab;

/// <summary>A namespace's SNMP/netstat counters (TcpRetransSegs, TcpOutRsts, TcpExtTCPToZeroWindowAdv, ...).</summary>
public static class Nstat
{
    /// <summary>
    /// Absolute values, zeros included, without touching nstat's history file
    /// (`nstat -asz`). Output lines look like "TcpRetransSegs   12   0.0"; "#kernel" is a header.
    /// </summary>
    public static IReadOnlyDictionary<string, long> Read(NetworkNamespace ns)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return Parse(ns.Exec("nstat", "-asz"));
    }

    public static IReadOnlyDictionary<string, long> Parse(string output)
    {
        var result = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length >= 2 && long.TryParse(parts[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long v))
                result[parts[0]] = v;
        }
        return result;
    }

    /// <summary>One counter, 0 if absent.</summary>
    public static long Get(NetworkNamespace ns, string name) => Read(ns).GetValueOrDefault(name);
}
