namespace TcpHealth.Bpf.Tests;

/// <summary>
/// Two fresh network namespaces joined by a veth pair: veth0 (10.199.0.1) in
/// <see cref="Local"/>, veth1 (10.199.0.2) in <see cref="Peer"/>, so traffic
/// between them really crosses veth0. Both are deleted on dispose, also when setup fails.
/// </summary>
internal sealed class TestNetwork : IDisposable
{
    public const string Device = "veth0";
    public const string LocalAddress = "10.199.0.1";
    public const string PeerAddress = "10.199.0.2";

    public TestNetwork()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        Local = $"th-test-{id}-a";
        Peer = $"th-test-{id}-b";
        try
        {
            Shell.Run("ip", "netns", "add", Local);
            Shell.Run("ip", "netns", "add", Peer);
            Shell.Run("ip", "-n", Local, "link", "add", Device, "type", "veth", "peer", "name", "veth1", "netns", Peer);
            Shell.Run("ip", "-n", Local, "addr", "add", LocalAddress + "/24", "dev", Device);
            Shell.Run("ip", "-n", Peer, "addr", "add", PeerAddress + "/24", "dev", "veth1");
            foreach (var (ns, dev) in new[] { (Local, Device), (Local, "lo"), (Peer, "veth1"), (Peer, "lo") })
            {
                Shell.Run("ip", "-n", ns, "link", "set", dev, "up");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Local { get; }

    public string Peer { get; }

    /// <summary>`tc filter show` of a veth0 hook, inside the namespace.</summary>
    public string TcFilters(HookDirection direction) =>
        Shell.Run("tc", "-n", Local, "filter", "show", "dev", Device, direction == HookDirection.Ingress ? "ingress" : "egress");

    public void Tc(params string[] args) => Shell.Run("tc", ["-n", Local, .. args]);

    /// <summary>A TCP connect from Local to a closed port of Peer: SYN out, RST back.</summary>
    public void ConnectToClosedPort(int port)
    {
        var result = Shell.Try("ip", "netns", "exec", Local, "bash", "-c", $"exec 3<>/dev/tcp/{PeerAddress}/{port}");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("refused", result.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    public void Dispose()
    {
        Shell.Try("ip", "netns", "del", Local);
        Shell.Try("ip", "netns", "del", Peer);
    }
}
