using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using TcpHealth.Agent.Web;
using TcpHealth.Bpf;
using TcpHealth.Core.Config;
using TcpHealth.Core.Flows;

namespace TcpHealth.Agent;

/// <summary>
/// `tcphealth agent`: what the DaemonSet runs. Attaches to interfaces, keeps
/// labelled counters and serves them to Prometheus.
/// </summary>
public static class AgentCommand
{
    public static Command Create()
    {
        var interfaces = new Option<string[]>("--interface", "-i") { Description = "Interface to attach to (repeatable)." };
        var pattern = new Option<Regex?>("--interface-pattern")
        {
            Description = "Also attach to every interface whose name matches this regular expression, now and as they appear.",
            CustomParser = r => ParseRegex(r),
        };
        var config = new Option<string?>("--config") { Description = "YAML file with zones, endpoints, monitored CIDRs and metric settings." };
        var listen = new Option<ListenAddress[]>("--web.listen-address")
        {
            Description = $"Address to serve /metrics on (repeatable). Default :{AgentSettings.DefaultPort}.",
            CustomParser = r => r.Tokens.Select(t => Parse(r, t.Value, ListenAddress.Parse)).ToArray(),
            DefaultValueFactory = _ => [ListenAddress.Parse($":{AgentSettings.DefaultPort}")],
        };
        var webConfig = new Option<string?>("--web.config.file") { Description = "TLS and basic auth, in the Prometheus exporter-toolkit format." };
        var interval = new Option<TimeSpan>("--collection-interval")
        {
            Description = "How often the kernel maps are read (Go duration, e.g. 5s).",
            DefaultValueFactory = _ => TimeSpan.FromSeconds(5),
            CustomParser = r => PositiveDuration(r),
        };
        var attachMode = new Option<AttachMode>("--attach-mode") { Description = "tcx (kernel >= 6.6), tc (legacy clsact) or auto.", DefaultValueFactory = _ => AttachMode.Auto };
        var maxFlows = new Option<uint>("--max-flows") { Description = "Capacity of the kernel flow table.", DefaultValueFactory = _ => Abi.DefaultMaxFlows };

        var cmd = new Command("agent", "Serve per-workload TCP RTT, health and cross-zone bytes as Prometheus metrics.")
        {
            interfaces, pattern, config, listen, webConfig, interval, attachMode, maxFlows,
        };
        cmd.Validators.Add(r =>
        {
            // Presence, not values: a value that failed to parse has its own error already.
            if (r.GetResult(interfaces) is null && r.GetResult(pattern) is null)
                r.AddError("give at least one -i IFACE or --interface-pattern REGEX");
        });
        cmd.SetAction((parse, ct) => AgentService.RunAsync(new AgentSettings(
            parse.GetValue(interfaces) ?? [],
            parse.GetValue(pattern),
            parse.GetValue(config),
            parse.GetRequiredValue(listen),
            parse.GetValue(webConfig),
            parse.GetValue(interval),
            parse.GetValue(attachMode),
            parse.GetValue(maxFlows)), ct));
        return cmd;
    }

    private static T Parse<T>(ArgumentResult r, string text, Func<string, T> parse)
    {
        try
        {
            return parse(text);
        }
        catch (FormatException e)
        {
            r.AddError($"{r.Parent?.ToString() ?? "value"}: {e.Message}");
            return default!;
        }
    }

    private static Regex? ParseRegex(ArgumentResult r)
    {
        var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
        try
        {
            return new Regex($"^(?:{text})$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException e)
        {
            r.AddError($"--interface-pattern '{text}' is not a valid regular expression: {e.Message}");
            return null;
        }
    }

    private static TimeSpan PositiveDuration(ArgumentResult r)
    {
        var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
        if (Durations.TryParse(text, out var value, out var error) && value > TimeSpan.Zero)
        {
            if (value <= FlowHistory.MaxReadInterval)
                return value;
            error = $"must be at most {FlowHistory.MaxReadInterval.TotalMinutes:0}m: {FlowHistory.MaxReadIntervalReason}";
        }
        r.AddError($"--collection-interval '{text}': {error ?? "must be positive"} (e.g. 5s, 500ms)");
        return TimeSpan.Zero;
    }
}
