namespace TcpHealth.Lab;

/// <summary>tcphealth-lab: a disposable two-host network with real delay, for demos and tests.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintUsage(Console.Out);
            return args.Length == 0 ? 2 : 0;
        }
        try
        {
            return args[0] switch
            {
                "demo" => DemoCommand.Run(args[1..]),
                _ => Unknown(args[0]),
            };
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"tcphealth-lab: {e.Message}");
            return 2;
        }
    }

    private static int Unknown(string command)
    {
        Console.Error.WriteLine($"tcphealth-lab: unknown command '{command}'");
        PrintUsage(Console.Error);
        return 2;
    }

    private static void PrintUsage(TextWriter w) => w.WriteLine(
        """
        usage: tcphealth-lab demo [--delay-ms 10] [--rate 20M] [--tcphealth PATH]

          demo   two namespaces joined by a user-space delay line (one-way delay D),
                 iperf3 traffic between them, and `tcphealth watch` on the sender's
                 interface. RTT should read ~2*D. Ctrl-C removes everything. Needs root.
        """);
}
