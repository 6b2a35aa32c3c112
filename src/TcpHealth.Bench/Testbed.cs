using System.Globalization;
using System.Text.Json;
using TcpHealth.Bpf;

namespace TcpHealth.Bench;

/// <summary>Which side of the transfer the host under test (namespace A, where the programs sit) is.</summary>
public enum TransferDirection
{
    /// <summary>A is the iperf3 client and sends: egress carries data, ingress carries ACKs.</summary>
    HostSending,

    /// <summary>iperf3 -R: A receives, egress carries ACKs.</summary>
    HostReceiving,
}

/// <summary>One of the four measured cases: direction × offloads (TSO/GSO/GRO on both veth ends).</summary>
public readonly record struct TransferCase(TransferDirection Direction, bool Offloads)
{
    public static readonly TransferCase[] All =
    [
        new(TransferDirection.HostSending, true),
        new(TransferDirection.HostSending, false),
        new(TransferDirection.HostReceiving, true),
        new(TransferDirection.HostReceiving, false),
    ];

    public string Label => $"{(Direction == TransferDirection.HostSending ? "host sending" : "host receiving")}, offload {(Offloads ? "on" : "off")}";
}

/// <summary>iperf3's own numbers for one run: receiver-side goodput and the sender's retransmits.</summary>
public readonly record struct IperfResult(double Gbps, long Retransmits);

/// <summary>
/// Two network namespaces joined by a veth pair (vethA in A, vethB in B) with an
/// iperf3 server in B. Host "A" is the host under test: programs attach to vethA.
/// Dispose (or <see cref="Shell.CleanUp"/> on a signal) removes all of it.
/// </summary>
public sealed class Testbed : IDisposable
{
    public const string DeviceA = "vethA";
    public const string DeviceB = "vethB";
    public const string AddressA = "10.77.0.1";
    public const string AddressB = "10.77.0.2";

    private Testbed(string nsA, string nsB)
    {
        NamespaceA = nsA;
        NamespaceB = nsB;
    }

    public string NamespaceA { get; }

    public string NamespaceB { get; }

    public static Testbed Create()
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(2));
        var bed = new Testbed($"bench-{id}-a", $"bench-{id}-b");
        Shell.AddNamespace(bed.NamespaceA);
        Shell.AddNamespace(bed.NamespaceB);
        Shell.Run("ip", "link", "add", DeviceA, "netns", bed.NamespaceA, "type", "veth", "peer", "name", DeviceB, "netns", bed.NamespaceB);
        Shell.Run("ip", "-n", bed.NamespaceA, "addr", "add", $"{AddressA}/24", "dev", DeviceA);
        Shell.Run("ip", "-n", bed.NamespaceB, "addr", "add", $"{AddressB}/24", "dev", DeviceB);
        Shell.Run("ip", "-n", bed.NamespaceA, "link", "set", DeviceA, "up");
        Shell.Run("ip", "-n", bed.NamespaceB, "link", "set", DeviceB, "up");

        Shell.StartBackground(Shell.InNamespace(bed.NamespaceB, "iperf3", "-s", "-B", AddressB));
        bed.WaitForServer();
        return bed;
    }

    /// <summary>TSO, GSO and GRO together, on both ends, so neither side re-segments or re-aggregates behind the other's back.</summary>
    public void SetOffloads(bool on)
    {
        var state = on ? "on" : "off";
        Shell.Run(Shell.InNamespace(NamespaceA, "ethtool", "-K", DeviceA, "tso", state, "gso", state, "gro", state));
        Shell.Run(Shell.InNamespace(NamespaceB, "ethtool", "-K", DeviceB, "tso", state, "gso", state, "gro", state));
    }

    /// <summary>Attaches an egress and an ingress program to vethA (TCX, from inside namespace A).</summary>
    public Attachments Attach(BpfProgram egress, BpfProgram ingress) => NetworkNamespace.RunIn(NamespaceA, () =>
    {
        var e = Attacher.Attach(egress, DeviceA, HookDirection.Egress, AttachMode.Tcx);
        try
        {
            return new Attachments(e, Attacher.Attach(ingress, DeviceA, HookDirection.Ingress, AttachMode.Tcx));
        }
        catch
        {
            e.Dispose();
            throw;
        }
    });

    /// <summary>One bulk iperf3 transfer of <paramref name="seconds"/> between A (client) and B.</summary>
    public IperfResult RunIperf(TransferDirection direction, int seconds)
    {
        string[] argv = ["iperf3", "-c", AddressB, "-t", seconds.ToString(CultureInfo.InvariantCulture), "--json"];
        if (Environment.ProcessorCount >= 2)
        {
            // Client on CPU 0, server on CPU 1: the scheduler moving them around is most of the run-to-run spread.
            argv = [.. argv, "-A", "0,1"];
        }

        if (direction == TransferDirection.HostReceiving)
        {
            argv = [.. argv, "-R"];
        }

        // The server takes a moment to accept the next test after the previous one ends ("server is busy").
        for (var attempt = 1; ; attempt++)
        {
            var (code, stdout, stderr) = Shell.TryRun(TimeSpan.FromSeconds(seconds + 20), Shell.InNamespace(NamespaceA, argv));
            if (code == 0)
            {
                return ParseIperf(stdout);
            }

            if (attempt == 3)
            {
                throw new InvalidOperationException($"iperf3 failed ({code}): {stderr.Trim()} {stdout.Trim()}");
            }

            Thread.Sleep(500);
        }
    }

    /// <summary>
    /// vethA's byte counter in the direction the transfer's data crosses it, readable from any
    /// thread: /proc/net/dev opened from inside namespace A keeps showing that namespace.
    /// </summary>
    public NetDevCounter DataBytes(TransferDirection direction) =>
        NetworkNamespace.RunIn(NamespaceA, () => new NetDevCounter(DeviceA, transmitted: direction == TransferDirection.HostSending));

    public void Dispose() => Shell.CleanUp();

    private static IperfResult ParseIperf(string json)
    {
        using var doc = JsonDocument.Parse(json);
        if (!doc.RootElement.TryGetProperty("end", out var end) || !end.TryGetProperty("sum_received", out _))
        {
            var error = doc.RootElement.TryGetProperty("error", out var e) ? e.GetString() : "no 'end' section";
            throw new InvalidOperationException($"iperf3 gave no result: {error}");
        }

        // Receiver-side bytes/s: what actually arrived, for -R too (then the client is the receiver).
        var bps = end.GetProperty("sum_received").GetProperty("bits_per_second").GetDouble();
        var sent = end.GetProperty("sum_sent");
        var retransmits = sent.TryGetProperty("retransmits", out var r) ? r.GetInt64() : 0;
        return new IperfResult(bps / 1e9, retransmits);
    }

    private void WaitForServer()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var listening = Shell.Run("ip", "netns", "exec", NamespaceB, "ss", "-Hltn", "sport = :5201");
            if (listening.Trim().Length > 0)
            {
                return;
            }

            Thread.Sleep(50);
        }

        throw new InvalidOperationException("iperf3 -s did not start listening within 10 s");
    }
}

/// <summary>An egress + ingress pair of TCX links; Dispose detaches both.</summary>
public sealed class Attachments(Attachment egress, Attachment ingress) : IDisposable
{
    /// <summary>Puts another pair of programs on both links, each in one step.</summary>
    public void Replace(BpfProgram newEgress, BpfProgram newIngress)
    {
        ((TcxAttachment)egress).Replace(newEgress);
        ((TcxAttachment)ingress).Replace(newIngress);
    }

    public void Dispose()
    {
        egress.Dispose();
        ingress.Dispose();
    }
}
