using System.Net;
using System.Net.Sockets;
using TcpHealth.Bpf;

namespace TcpHealth.Bench.Agent;

/// <summary>
/// Real TCP connections for the agent to track, from namespace A to B through
/// vethA, each writing a few bytes whenever <see cref="Send"/> is called: the
/// answer's ACK echoes the write's timestamp, so every connection has an RTT
/// histogram in the kernel, as the connections of a real node do.
/// </summary>
/// <remarks>
/// B never accepts them: an established connection waiting in a listener's
/// accept queue is acknowledged by B's kernel all the same, and B then needs no
/// socket of its own per connection (the bench's file limit would not hold two
/// per connection). Each listener's queue holds <see cref="PerListener"/>.
/// </remarks>
public sealed class TcpFlows : IDisposable
{
    private const int FirstPort = 7000;
    private const int PerListener = 4000;

    private readonly List<Socket> _listeners = [];
    private readonly List<Socket> _connections = [];
    private readonly byte[] _payload = new byte[16];

    /// <summary>Opens <paramref name="count"/> connections (several listeners in B, clients in A).</summary>
    public TcpFlows(Testbed bed, int count)
    {
        try
        {
            int listeners = (count + PerListener - 1) / PerListener;
            NetworkNamespace.RunIn(bed.NamespaceB, () =>
            {
                for (var l = 0; l < listeners; l++)
                {
                    var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    _listeners.Add(s);
                    s.Bind(new IPEndPoint(IPAddress.Parse(Testbed.AddressB), FirstPort + l));
                    s.Listen(PerListener);
                }

                return 0;
            });
            NetworkNamespace.RunIn(bed.NamespaceA, () =>
            {
                for (var i = 0; i < count; i++)
                {
                    var c = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                    _connections.Add(c);
                    c.Connect(new IPEndPoint(IPAddress.Parse(Testbed.AddressB), FirstPort + (i / PerListener)));
                }

                return 0;
            });
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int Count => _connections.Count;

    /// <summary>One small write on every connection.</summary>
    public void Send()
    {
        foreach (var c in _connections)
        {
            c.Send(_payload);
        }
    }

    public void Dispose()
    {
        foreach (var s in _connections.Concat(_listeners))
        {
            s.Dispose();
        }

        _connections.Clear();
        _listeners.Clear();
    }
}
