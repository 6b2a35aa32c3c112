using System.Globalization;
using TcpHealth.Bpf;
using TcpHealth.Core.Flows;

namespace TcpHealth.Core.Cli;

/// <summary>The status line above the watch table, including everything the datapath could not keep.</summary>
public static class WatchHeader
{
    public static string Render(DatapathSnapshot s)
    {
        var c = s.Counters;
        return string.Create(CultureInfo.InvariantCulture,
            $"{s.Timestamp:HH:mm:ss}  flows {s.Flows.Count}/{s.FlowCapacity}  packets {c[DatapathCounter.Packets]}  " +
            $"rtt samples {c[DatapathCounter.RttSamples]}  parse errors {c.ParseErrors}  " +
            $"not tracked: flows {c[DatapathCounter.FlowsNotTracked]} timestamps {c[DatapathCounter.TsNotStored]} " +
            $"rtt-hists {c[DatapathCounter.RttHistNotTracked]}\n");
    }
}
