namespace TcpHealth.Core.Cli;

/// <summary>Names for IP protocol numbers as the CLI prints them.</summary>
public static class ProtocolNames
{
    public static string Of(byte protocol) => protocol switch
    {
        1 => "icmp",
        6 => "tcp",
        17 => "udp",
        58 => "icmpv6",
        _ => protocol.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
