using System.Diagnostics;
using System.Text.RegularExpressions;

namespace TcpHealth.Core.Tests.Exposition;

/// <summary>
/// The golden files through real parsers: promtool (Debian package prometheus, 2.42) for the
/// text format, and prometheus_client's strict OpenMetrics parser (Debian package
/// python3-prometheus-client) for OpenMetrics, which promtool 2.42 cannot read.
/// </summary>
public class ExternalParserTests
{
    private const string Promtool = "/usr/bin/promtool";
    // Debian's interpreter, which sees Debian's python3-prometheus-client (a pyenv shim would not).
    private const string DebianPython = "/usr/bin/python3";

    [Fact]
    public void Promtool_accepts_the_text_golden_without_lint_complaints()
    {
        var (exit, stdout, stderr) = Run(Promtool, ["check", "metrics"], Golden("prometheus-text-0.0.4.txt"));
        Assert.True(exit == 0, $"promtool exit {exit}: {stdout}{stderr}");
        Assert.Equal("", stdout + stderr);
    }

    /// <summary>
    /// promtool check metrics parses with the text 0.0.4 parser, which knows no \" escape in
    /// HELP; OpenMetrics requires one there (a bare double quote is not an escaped-char).
    /// Intended: this is the only parse error promtool finds in the OpenMetrics golden.
    /// </summary>
    [Fact]
    public void Promtool_reads_OpenMetrics_as_text_and_stops_only_at_the_OpenMetrics_HELP_quote_escape()
    {
        var (exit, stdout, stderr) = Run(Promtool, ["check", "metrics"], Golden("openmetrics-1.0.0.txt"));
        Assert.Equal(1, exit);
        Assert.Equal("error while linting: text format parsing error in line 2: invalid escape sequence '\\\"'", (stdout + stderr).Trim());
    }

    /// <summary>
    /// With that one escape undone, promtool parses the OpenMetrics golden (le="1.0" and
    /// "# EOF" included) and lints it. Intended complaint: the 0.0.4 parser does not know that
    /// the OpenMetrics counter family "x" owns the samples "x_total", so it sees an untyped
    /// "x_total" without HELP. Nothing else may appear.
    /// </summary>
    [Fact]
    public void Promtool_lints_OpenMetrics_with_only_the_counter_family_name_complaint()
    {
        var om = string.Join('\n', Golden("openmetrics-1.0.0.txt").Split('\n')
            .Select(l => l.StartsWith("# HELP ", StringComparison.Ordinal) ? l.Replace("\\\"", "\"") : l));
        var (exit, stdout, stderr) = Run(Promtool, ["check", "metrics"], om);
        Assert.Equal(3, exit);   // promtool: lint problems found
        Assert.Equal(["tcphealth_sent_bytes_total no help text"], (stdout + stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Strict_OpenMetrics_parser_accepts_the_OpenMetrics_golden()
    {
        const string script = """
            import sys
            from prometheus_client.openmetrics.parser import text_string_to_metric_families
            for f in text_string_to_metric_families(sys.stdin.read()):
                print(f.name, f.type, len(f.samples), repr(f.documentation))
            """;
        var (exit, stdout, stderr) = Run(DebianPython, ["-c", script], Golden("openmetrics-1.0.0.txt"));
        Assert.True(exit == 0, $"OpenMetrics parser exit {exit}: {stderr}");
        Assert.Equal(
        [
            "tcphealth_sent_bytes counter 2 'Payload bytes sent \"as seen\" at C:\\\\hook\\nsecond line'",
            "tcphealth_map_fill_ratio gauge 2 'Fraction of a BPF map in use.'",
            "tcphealth_rtt_seconds histogram 20 'Round-trip time per packet.'",
        ], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Strict_OpenMetrics_parser_rejects_a_broken_exposition()
    {
        // Guards the test above against a parser that accepts anything.
        var broken = Regex.Replace(Golden("openmetrics-1.0.0.txt"), "# EOF\n$", "");
        var (exit, _, stderr) = Run(DebianPython, ["-c", "import sys\nfrom prometheus_client.openmetrics.parser import text_string_to_metric_families\nlist(text_string_to_metric_families(sys.stdin.read()))"], broken);
        Assert.NotEqual(0, exit);
        Assert.Contains("EOF", stderr);
    }

    private static string Golden(string file) => File.ReadAllText(ExpositionTestData.GoldenPath(file));

    private static (int Exit, string Stdout, string Stderr) Run(string tool, string[] args, string stdin)
    {
        Assert.True(File.Exists(tool),
            $"{tool} is missing: apt-get install -y prometheus python3-prometheus-client");
        var psi = new ProcessStartInfo(tool)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill();
            Assert.Fail($"{tool} did not finish in 60 s");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
