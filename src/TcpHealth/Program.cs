using System.CommandLine;
using TcpHealth;

// tcphealth: passive TCP latency and health from TC eBPF programs.
// Exit codes: 0 ok, 2 bad usage or an environment problem (missing
// interface, no permission, no BPF), 1 an unexpected failure.
var root = new RootCommand("Passive TCP RTT and health from eBPF TC programs.");
root.Add(WatchCommand.Create());
root.Add(TcpHealth.Agent.AgentCommand.Create());

var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    // One line per error, whatever the parser's message looks like.
    var message = string.Join(" ", parse.Errors[0].Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    Console.Error.WriteLine($"tcphealth: error: {message} (see `tcphealth --help`)");
    return ExitCodes.Usage;
}
// Commands handle SIGINT/SIGTERM themselves (to detach cleanly), so
// System.CommandLine's own termination handler is turned off.
return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
