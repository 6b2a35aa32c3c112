using System.Diagnostics;

namespace TcpHealth.EndToEnd.Tests;

using TcpHealth.Lab;
using TestLab = global::TcpHealth.Lab.Lab;

/// <summary>
/// Touches the kernel: how the real binary starts, fails and stops — exit
/// codes, one clear line per error, and what it leaves on the interface.
/// </summary>
public sealed class KernelWatchCliTests
{
    private static (int Code, string Stdout, string[] StderrLines) Run(TimeSpan timeout, params string[] argv)
    {
        var psi = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in argv.Skip(1))
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill();
            Assert.Fail($"{string.Join(' ', argv)} did not exit within {timeout}");
        }
        p.WaitForExit();
        var lines = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (p.ExitCode, stdout.Result, lines);
    }

    private static string Tcphealth => WatchProcess.BinaryPath;

    [Fact]
    public void Missing_interface_exits_2_with_one_clear_line()
    {
        var (code, _, err) = Run(TimeSpan.FromSeconds(20), Tcphealth, "watch", "-i", "nosuchif0");
        Assert.Equal(2, code);
        var line = Assert.Single(err);
        Assert.Contains("nosuchif0", line);
        Assert.Contains("does not exist", line);
    }

    [Theory]
    [InlineData("--interval", "0")]
    [InlineData("--interval", "abc")]
    [InlineData("--interval", "301")]
    [InlineData("--duration", "-1")]
    [InlineData("--attach-mode", "xdp")]
    public void Bad_flag_values_exit_2_with_one_clear_line(string flag, string value)
    {
        var (code, _, err) = Run(TimeSpan.FromSeconds(20), Tcphealth, "watch", "-i", "lo", flag, value);
        Assert.Equal(2, code);
        var line = Assert.Single(err);
        Assert.StartsWith("tcphealth: error:", line);
    }

    [Fact]
    public void Without_root_exits_2_and_says_what_to_do()
    {
        // setpriv drops to nobody with no capabilities.
        var (code, _, err) = Run(TimeSpan.FromSeconds(20), "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            "--inh-caps=-all", Tcphealth, "watch", "-i", "lo", "--duration", "1");
        Assert.Equal(2, code);
        var line = Assert.Single(err, l => l.Contains("error", StringComparison.Ordinal));
        Assert.Contains("root", line);
    }

    [Fact]
    public void Duration_ends_the_run_cleanly_and_prints_a_table()
    {
        using var ns = NetworkNamespace.Create(NetworkNamespace.RandomName());
        var sw = Stopwatch.StartNew();
        var (code, stdout, err) = Run(TimeSpan.FromSeconds(30), "ip", "netns", "exec", ns.Name, Tcphealth, "watch", "-i", "lo", "--duration", "1.5", "--interval", "0.5");
        Assert.True(code == 0, string.Join("\n", err));
        Assert.InRange(sw.Elapsed.TotalSeconds, 1.4, 20);
        Assert.Contains("RTT_MIN", stdout);
        Assert.Contains("not tracked", stdout);
    }

    [Fact]
    public void Legacy_tc_mode_removes_its_filters_keeps_a_foreign_one_working_and_cleans_up_after_a_killed_run()
    {
        using var lab = TestLab.Create(TimeSpan.FromMilliseconds(0.2));
        var a = lab.A;
        var dev = lab.InterfaceA;
        // A foreign filter whose action counts the TCP packets it sees (mirrored to lo, where they die).
        // It sits after ours (priority 2000 > 1191): our programs return TC_ACT_UNSPEC, so it must
        // still see every packet. (A matching filter before ours would end classification first.)
        a.Exec("tc", "qdisc", "add", "dev", dev, "clsact");
        a.Exec("tc", "filter", "add", "dev", dev, "egress", "prio", "2000", "handle", "800::7", "protocol", "ip", "u32",
            "match", "ip", "protocol", "6", "0xff", "action", "mirred", "egress", "mirror", "dev", "lo");
        string Filters() => a.Exec("tc", "-s", "filter", "show", "dev", dev, "egress") + a.Exec("tc", "filter", "show", "dev", dev, "ingress");
        long ForeignPackets()
        {
            var m = System.Text.RegularExpressions.Regex.Match(a.Exec("tc", "-s", "filter", "show", "dev", dev, "egress"), @"Sent \d+ bytes (\d+) pkt");
            Assert.True(m.Success, "the foreign filter is gone");
            return long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        // A run that is killed leaves its legacy filters behind ...
        var killed = WatchProcess.Start(a, "-i", dev, "--attach-mode", "tc");
        Assert.Contains("tcphealth_", Filters());
        killed.Dispose(); // SIGKILL: no chance to detach
        Assert.Contains("tcphealth_", Filters());

        // ... the next run removes only those, counts traffic while the foreign filter keeps counting too ...
        long foreignBefore = ForeignPackets();
        using (var watch = WatchProcess.Start(a, "-i", dev, "--attach-mode", "tc"))
        {
            Assert.Contains(watch.Stderr, l => l.Contains("stale", StringComparison.OrdinalIgnoreCase));
            var r = TcpTraffic.Transfer(lab, TestLab.AddressB4, 5201, 200_000, bytesPerSecond: 4_000_000);
            var f = watch.Stop().SingleTo($"{TestLab.AddressB4}:5201");
            Assert.InRange(f.U("tx_bytes"), (ulong)r.BytesSent, (ulong)r.BytesSent * 2);
            long foreignDuring = ForeignPackets() - foreignBefore;
            Assert.True(foreignDuring >= (long)f.U("tx_packets"), $"foreign filter saw {foreignDuring} packets, we saw {f.U("tx_packets")}");
        }

        // ... and leaves nothing of ours; the foreign filter still works.
        Assert.DoesNotContain("tcphealth_", Filters());
        long foreignAfterRun = ForeignPackets();
        TcpTraffic.Transfer(lab, TestLab.AddressB4, 5202, 100_000, bytesPerSecond: 4_000_000);
        Assert.True(ForeignPackets() > foreignAfterRun + 50, "the foreign filter stopped counting after our detach");
    }
}
