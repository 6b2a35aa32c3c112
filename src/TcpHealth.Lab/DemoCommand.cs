using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace TcpHealth.Lab;

/// <summary>`tcphealth-lab demo`: a lab with iperf3 traffic, watched by tcphealth, torn down on Ctrl-C.</summary>
internal static class DemoCommand
{
    public static int Run(string[] args)
    {
        double delayMs = 10;
        string rate = "20M";
        string tcphealth = Path.Combine(AppContext.BaseDirectory, "tcphealth");
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--delay-ms":
                    if (!double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out delayMs) || delayMs < 0)
                        throw new ArgumentException("--delay-ms must be a number >= 0");
                    break;
                case "--rate": rate = Value(); break;
                case "--tcphealth": tcphealth = Value(); break;
                default: throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }
        if (!Environment.IsPrivilegedProcess)
        {
            Console.Error.WriteLine("tcphealth-lab: the demo creates namespaces and TAP devices; run it as root.");
            return 1;
        }

        using var stop = new CancellationTokenSource();
        // Ctrl-C / kill / closed terminal: cancel the default "die now" so the lab gets removed.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Handler);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handler);
        using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Handler);
        void Handler(PosixSignalContext ctx)
        {
            ctx.Cancel = true;
            stop.Cancel();
        }

        using var lab = Lab.Create(TimeSpan.FromMilliseconds(delayMs));
        lab.B.StartProcess("iperf3", "-s");
        WaitForListener(lab.B, 5201);
        void StartTraffic() => lab.A.StartProcess("iperf3", "-c", Lab.AddressB4.ToString(), "-t", "3600", "-b", rate);

        Console.WriteLine(
            $"""
            Lab is up: namespace {lab.A.Name} ({Lab.AddressA4}, {lab.InterfaceA}) <-> delay line <-> namespace {lab.B.Name} ({Lab.AddressB4}, {lab.InterfaceB}).
            One-way delay D = {delayMs.ToString(CultureInfo.InvariantCulture)} ms each way, so the RTT through the delay line should read ~{(2 * delayMs).ToString(CultureInfo.InvariantCulture)} ms.
            Traffic: iperf3 -c {Lab.AddressB4} -b {rate} from {lab.A.Name}.
            Ground truth: ip netns exec {lab.A.Name} ss -ti
            Ctrl-C stops everything and removes the namespaces.
            """);

        if (!File.Exists(tcphealth))
        {
            Console.WriteLine(
                $"""

                tcphealth was not found at {tcphealth}.
                Build it first (make build) or pass --tcphealth PATH. The lab stays up until Ctrl-C.
                """);
            StartTraffic();
            stop.Token.WaitHandle.WaitOne();
            return 1;
        }

        Console.WriteLine($"\nRunning: ip netns exec {lab.A.Name} {tcphealth} watch -i {lab.InterfaceA}\n");
        using var child = lab.A.StartProcess(inheritStdio: true, tcphealth, "watch", "-i", lab.InterfaceA);
        // Traffic starts once tcphealth is attached (start-up plus BPF load take
        // a second or two), so the handshake RTT shows too.
        Thread.Sleep(3000);
        StartTraffic();
        try
        {
            child.WaitForExitAsync(stop.Token).GetAwaiter().GetResult();
            return child.ExitCode;
        }
        catch (OperationCanceledException)
        {
            // A terminal Ctrl-C reached the child too; give it a moment to exit on its own.
            if (!child.WaitForExit(2000)) child.Kill(entireProcessTree: true);
            return 0;
        }
    }

    private static void WaitForListener(NetworkNamespace ns, int port)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(5))
        {
            if (ns.Exec("ss", "-Hltn", $"sport = :{port}").Trim().Length > 0) return;
            Thread.Sleep(50);
        }
        throw new TimeoutException($"nothing listens on port {port} in {ns.Name}");
    }
}
