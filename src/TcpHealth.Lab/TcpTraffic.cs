using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TcpHealth.Lab;

/// <summary>
/// Simple, known TCP traffic through a lab: one connection, client in one namespace,
/// discarding server in the other. Sockets are created on setns threads (see
/// <see cref="NetworkNamespace.RunIn{T}"/>) and then driven from ordinary threads.
/// </summary>
public static class TcpTraffic
{
    private const int ChunkBytes = 16 * 1024;

    /// <summary>
    /// Sends <paramref name="bytes"/> from namespace a to a server in namespace b listening on
    /// <paramref name="server"/>:<paramref name="port"/> (use <see cref="Lab.AddressB4"/> or
    /// <see cref="Lab.AddressB6"/>). <paramref name="bytesPerSecond"/> paces the sender so the
    /// TAP queue never overflows (null = as fast as TCP goes).
    /// </summary>
    public static TcpTransferResult Transfer(Lab lab, IPAddress server, int port, long bytes, long? bytesPerSecond = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(lab);
        return Transfer(lab.A, lab.B, server, port, bytes, bytesPerSecond, timeout);
    }

    public static TcpTransferResult Transfer(
        NetworkNamespace clientNs, NetworkNamespace serverNs, IPAddress server, int port,
        long bytes, long? bytesPerSecond = null, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(clientNs);
        ArgumentNullException.ThrowIfNull(serverNs);
        ArgumentNullException.ThrowIfNull(server);
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        if (bytesPerSecond is <= 0) throw new ArgumentOutOfRangeException(nameof(bytesPerSecond));
        var limit = timeout ?? TimeSpan.FromSeconds(60);

        using var listener = CreateSocket(serverNs, server.AddressFamily);
        listener.Bind(new IPEndPoint(server, port));
        listener.Listen(1);

        var serverTask = Task.Factory.StartNew(() => Sink(listener), TaskCreationOptions.LongRunning);
        using var client = CreateSocket(clientNs, server.AddressFamily);
        var sw = Stopwatch.StartNew();
        try
        {
            client.SendTimeout = (int)limit.TotalMilliseconds;
            client.ReceiveTimeout = (int)limit.TotalMilliseconds;
            long connectStart = Stopwatch.GetTimestamp();
            client.Connect(server, port);
            var connectTook = Stopwatch.GetElapsedTime(connectStart);
            long sent = Send(client, bytes, bytesPerSecond);
            client.Shutdown(SocketShutdown.Send);

            if (!serverTask.Wait(limit)) throw new TimeoutException($"server did not see EOF within {limit}");
            var (received, serverInfo) = serverTask.Result;

            // Wait for the server's FIN: by then every byte we sent has been acknowledged.
            Span<byte> one = stackalloc byte[1];
            while (client.Receive(one) > 0) { }
            var clientInfo = TcpInfo.Read(client);
            return new TcpTransferResult(sent, received, clientInfo, serverInfo, sw.Elapsed, connectTook);
        }
        finally
        {
            // Unblocks a server still waiting in Accept/Receive if the client failed.
            listener.Close();
            client.Close();
        }
    }

    /// <summary>Creates a TCP socket that belongs to <paramref name="ns"/>.</summary>
    public static Socket CreateSocket(NetworkNamespace ns, AddressFamily family)
    {
        ArgumentNullException.ThrowIfNull(ns);
        return ns.RunIn(() => new Socket(family, SocketType.Stream, ProtocolType.Tcp) { NoDelay = false });
    }

    private static long Send(Socket client, long bytes, long? bytesPerSecond)
    {
        var chunk = new byte[ChunkBytes];
        long sent = 0;
        long start = Stopwatch.GetTimestamp();
        while (sent < bytes)
        {
            int n = (int)Math.Min(chunk.Length, bytes - sent);
            sent += client.Send(chunk, 0, n, SocketFlags.None);
            if (bytesPerSecond is { } rate)
            {
                // Sleep until the schedule catches up with what has been handed to TCP.
                var ahead = TimeSpan.FromSeconds((double)sent / rate) - Stopwatch.GetElapsedTime(start);
                if (ahead > TimeSpan.FromMilliseconds(1)) Thread.Sleep(ahead);
            }
        }
        return sent;
    }

    private static (long Received, TcpInfo Info) Sink(Socket listener)
    {
        using var conn = listener.Accept();
        var buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = conn.Receive(buf)) > 0) total += n;
        return (total, TcpInfo.Read(conn));
    }
}
