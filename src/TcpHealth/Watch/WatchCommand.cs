using System.Buffers;
using System.CommandLine;
using System.Runtime.InteropServices;
using TcpHealth.Bpf;
using TcpHealth.Core.Cli;
using TcpHealth.Core.Flows;
using TcpHealth.Datapath;

namespace TcpHealth;

/// <summary>
/// `tcphealth watch -i IFACE`: attach to interfaces and show per-flow RTT and
/// TCP health live (a table) or as JSON lines, for ad-hoc debugging.
/// </summary>
public static class WatchCommand
{
    public static Command Create()
    {
        var interfaces = new Option<string[]>("--interface", "-i")
        {
            Description = "Interface to watch (repeatable).",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per flow per interval instead of a table." };
        var interval = new Option<double>("--interval")
        {
            Description = "Seconds between refreshes.",
            DefaultValueFactory = _ => 1.0,
            CustomParser = r => PositiveSeconds(r, "--interval", FlowHistory.MaxReadInterval),
        };
        var duration = new Option<double?>("--duration")
        {
            Description = "Stop after this many seconds (default: until Ctrl-C).",
            CustomParser = r => PositiveSeconds(r, "--duration"),
        };
        var attachMode = new Option<AttachMode>("--attach-mode") { Description = "tcx (kernel >= 6.6), tc (legacy clsact) or auto.", DefaultValueFactory = _ => AttachMode.Auto };
        var maxFlows = new Option<uint>("--max-flows") { Description = "Capacity of the kernel flow table.", DefaultValueFactory = _ => Abi.DefaultMaxFlows };
        var rows = new Option<int>("--rows") { Description = "Table rows to show.", DefaultValueFactory = _ => 40 };

        maxFlows.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<uint>() == 0)
                r.AddError("--max-flows must be at least 1");
        });

        var cmd = new Command("watch", "Show live per-flow RTT, retransmits, resets and zero-window on interfaces.")
        {
            interfaces, json, interval, duration, attachMode, maxFlows, rows,
        };
        cmd.SetAction((parse, ct) =>
        {
            var settings = new WatchSettings(
                parse.GetRequiredValue(interfaces),
                parse.GetValue(json),
                TimeSpan.FromSeconds(parse.GetValue(interval)),
                parse.GetValue(duration) is { } d ? TimeSpan.FromSeconds(d) : null,
                parse.GetValue(attachMode),
                parse.GetValue(maxFlows),
                parse.GetValue(rows));
            return RunAsync(settings, ct);
        });
        return cmd;
    }

    private static double PositiveSeconds(System.CommandLine.Parsing.ArgumentResult r, string flag, TimeSpan? max = null)
    {
        var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) || v <= 0 || !double.IsFinite(v))
            r.AddError($"{flag} must be a positive number of seconds, not '{text}'");
        else if (max is { } m && v > m.TotalSeconds)
            r.AddError($"{flag} must be at most {m.TotalSeconds:0} seconds: {FlowHistory.MaxReadIntervalReason}");
        else
            return v;
        return 0;
    }

    private sealed record WatchSettings(
        string[] Interfaces, bool Json, TimeSpan Interval, TimeSpan? Duration, AttachMode AttachMode, uint MaxFlows, int Rows);

    private static async Task<int> RunAsync(WatchSettings s, CancellationToken invocationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(invocationToken);
        // Ctrl-C and SIGTERM end the loop; the session detaches on the way out.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        if (s.Duration is { } duration)
            stop.CancelAfter(duration);

        DatapathSession session;
        try
        {
            session = DatapathSession.Open(new DatapathOptions
            {
                Interfaces = s.Interfaces,
                AttachMode = s.AttachMode,
                MaxFlows = s.MaxFlows,
            }, new StderrLog());
        }
        catch (DatapathSetupException e)
        {
            Console.Error.WriteLine($"tcphealth: error: {e.Message}");
            return ExitCodes.Usage;
        }

        using (session)
        {
            Console.Error.WriteLine($"tcphealth: watching {session.Describe()}; Ctrl-C to stop");
            var output = new ArrayBufferWriter<byte>();
            using var stdout = Console.OpenStandardOutput();
            using var timer = new PeriodicTimer(s.Interval);
            try
            {
                while (await timer.WaitForNextTickAsync(stop.Token))
                    Show(session.Collect(), s, output, stdout, final: false);
            }
            catch (OperationCanceledException)
            {
            }
            // One last look, so a short run or Ctrl-C still reports what it saw.
            Show(session.Collect(), s, output, stdout, final: true);
        }
        return ExitCodes.Ok;
    }

    private static void Show(DatapathSnapshot snap, WatchSettings s, ArrayBufferWriter<byte> output, Stream stdout, bool final)
    {
        output.ResetWrittenCount();
        if (s.Json)
        {
            foreach (var f in snap.Flows)
                FlowJsonWriter.WriteLine(output, f, snap.Timestamp);
        }
        else
        {
            bool live = !final && !Console.IsOutputRedirected;
            var text = (live ? "\u001b[H\u001b[2J" : "") + WatchHeader.Render(snap) + FlowTable.Render(snap.Flows, s.Rows) + "\n";
            output.Write(System.Text.Encoding.UTF8.GetBytes(text));
        }
        stdout.Write(output.WrittenSpan);
        stdout.Flush();
    }
}
