namespace TcpHealth.Bench.Agent;

/// <param name="Environment">Extra NAME=VALUE the agents ran with (--agent-env), e.g. GC settings; empty for the defaults.</param>
public sealed record AgentResults(
    List<string> Environment, List<StartupRow> Startup, List<AgentCostRow> Cost, RenderResult Render, IdentityIndexResult IdentityIndex);

/// <summary>
/// The agent half of the benchmark: the in-process parts that need no kernel
/// (render, identity index), then the process itself (start-up, RSS, CPU,
/// collection time) for each build, one after another in namespace A of the bed.
/// Each agent loads its own maps and leaves nothing behind when it exits.
/// </summary>
public static class AgentBench
{
    public static AgentResults Run(Testbed bed, List<AgentBinary> binaries, List<string> environment, Action<string> progress)
    {
        var render = RenderBench.Run(progress);
        var index = IdentityIndexBench.Run(progress);
        var startup = new List<StartupRow>();
        var cost = new List<AgentCostRow>();
        foreach (var binary in binaries)
        {
            startup.Add(StartupBench.Run(bed, binary, environment, progress));
            cost.AddRange(AgentCostBench.Run(bed, binary, environment, progress));
        }

        return new AgentResults(environment, startup, cost, render, index);
    }
}
