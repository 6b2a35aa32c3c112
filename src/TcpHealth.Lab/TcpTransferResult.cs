namespace TcpHealth.Lab;

/// <summary>Outcome of <see cref="TcpTraffic.Transfer(Lab, System.Net.IPAddress, int, long, long?, TimeSpan?)"/>.</summary>
/// <param name="BytesSent">Payload bytes the client wrote.</param>
/// <param name="ServerBytesReceived">Payload bytes the server read before EOF.</param>
/// <param name="Client">Client TCP_INFO read after the server closed, just before the client closed.</param>
/// <param name="Server">Server TCP_INFO read at EOF, just before the server closed.</param>
/// <param name="Elapsed">Connect to close.</param>
/// <param name="ConnectTook">The client's connect(): SYN out to SYN/ACK in, plus this process's wake-up.</param>
public sealed record TcpTransferResult(
    long BytesSent,
    long ServerBytesReceived,
    TcpInfo Client,
    TcpInfo Server,
    TimeSpan Elapsed,
    TimeSpan ConnectTook);
