using System.Net;
using System.Net.Sockets;
using TcpHealth.Bpf;

namespace TcpHealth.Bench.Agent;

/// <summary>
/// An HttpClient whose connections start inside a network namespace (a socket
/// belongs to the namespace of the thread that creates it), to reach the agent
/// on namespace A's loopback without a helper process that would add its own noise.
/// </summary>
public static class NamespaceHttp
{
    public static HttpClient Client(string netns, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            // A fresh connection per request: a refused connect during start-up must not poison a pool.
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectCallback = async (context, ct) =>
            {
                var address = IPAddress.Parse(context.DnsEndPoint.Host);
                var socket = NetworkNamespace.RunIn(netns, () => new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp));
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = timeout };
    }
}
