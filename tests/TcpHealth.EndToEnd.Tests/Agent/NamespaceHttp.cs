using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using TcpHealth.EndToEnd.Tests.Web;
using TcpHealth.Lab;

namespace TcpHealth.EndToEnd.Tests;

/// <summary>
/// An HttpClient whose connections are made from inside a lab namespace
/// (sockets belong to the namespace of the thread that creates them), so the
/// test can talk to servers that listen on that namespace's loopback.
/// </summary>
public static class NamespaceHttp
{
    /// <param name="pinned">For HTTPS: the one server certificate to trust (by thumbprint; no system store).</param>
    public static HttpClient Client(NetworkNamespace ns, TimeSpan? timeout = null, X509Certificate2? pinned = null)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) => pinned is not null && WebTestFiles.IsPinned(pinned, cert),
            },
            ConnectCallback = async (context, ct) =>
            {
                var ep = context.DnsEndPoint;
                var address = IPAddress.Parse(ep.Host);
                var socket = TcpTraffic.CreateSocket(ns, address.AddressFamily);
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, ep.Port), ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = timeout ?? TimeSpan.FromSeconds(10) };
    }
}
