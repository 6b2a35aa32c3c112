using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using TcpHealth.Bpf;

namespace TcpHealth.Bench.Agent;

/// <summary>
/// Real flows for the agent to track: one UDP datagram per flow, from a few
/// sockets in namespace A to many destination ports, out through vethA (where
/// the agent's egress program sees it). Flow i is (socket i / PortsPerSocket,
/// port FirstPort + i % PortsPerSocket), so sending the first N again keeps
/// the same N flows alive instead of adding new ones.
/// </summary>
/// <remarks>
/// The datagrams go to <see cref="SinkAddress"/>, which no one holds: namespace
/// B gets the frames (a static neighbour entry names vethB's MAC), and with
/// forwarding off it drops them without answering, so no ICMP unreachable
/// flows come back to blur the count.
/// </remarks>
public sealed class UdpFlows : IDisposable
{
    public const string SinkAddress = "10.77.0.3";
    private const int FirstPort = 10000;
    private const int PortsPerSocket = 50000;

    private readonly List<Socket> _sockets = [];
    private readonly IPEndPoint[] _destinations;
    private readonly string _namespace;

    public UdpFlows(Testbed bed)
    {
        _namespace = bed.NamespaceA;
        var mac = MacOf(bed.NamespaceB, Testbed.DeviceB);
        Shell.Run("ip", "-n", bed.NamespaceA, "neigh", "replace", SinkAddress, "lladdr", mac, "dev", Testbed.DeviceA, "nud", "permanent");
        var sink = IPAddress.Parse(SinkAddress);
        _destinations = [.. Enumerable.Range(FirstPort, PortsPerSocket).Select(p => new IPEndPoint(sink, p))];
    }

    /// <summary>Sends one datagram on each of flows 0 .. count-1.</summary>
    public void Send(int count)
    {
        var payload = new byte[16];
        for (var i = 0; i < count; i++)
        {
            var s = i / PortsPerSocket;
            if (s == _sockets.Count)
            {
                _sockets.Add(NewSocket());
            }

            _sockets[s].SendTo(payload, _destinations[i % PortsPerSocket]);
        }
    }

    public void Dispose()
    {
        foreach (var s in _sockets)
        {
            s.Dispose();
        }
    }

    private Socket NewSocket() => NetworkNamespace.RunIn(_namespace, () =>
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Parse(Testbed.AddressA), 0)); // a distinct ephemeral source port per socket
        return s;
    });

    private static string MacOf(string netns, string device)
    {
        using var doc = JsonDocument.Parse(Shell.Run("ip", "-n", netns, "-j", "link", "show", device));
        return doc.RootElement[0].GetProperty("address").GetString()!;
    }
}
