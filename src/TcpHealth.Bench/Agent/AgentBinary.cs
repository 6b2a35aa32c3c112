namespace TcpHealth.Bench.Agent;

/// <summary>A build of `tcphealth` to measure: the published JIT build, and another (a Native AOT build) when given.</summary>
public sealed record AgentBinary(string Label, string Path)
{
    /// <summary>The agent loads tcphealth.bpf.o from its own directory.</summary>
    public string BpfObjectPath => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "tcphealth.bpf.o");

    /// <summary>bin/tcphealth, published by `make build` next to this benchmark.</summary>
    public static AgentBinary Published { get; } = new("jit", System.IO.Path.Combine(AppContext.BaseDirectory, "tcphealth"));

    public static List<AgentBinary> ToMeasure(string? aotPath)
    {
        var all = new List<AgentBinary> { Published };
        if (aotPath is not null)
        {
            all.Add(new AgentBinary("aot", System.IO.Path.GetFullPath(aotPath)));
        }

        foreach (var b in all)
        {
            if (!File.Exists(b.Path))
            {
                throw new FileNotFoundException($"{b.Path} is missing: build with `make build`", b.Path);
            }

            if (!File.Exists(b.BpfObjectPath))
            {
                throw new FileNotFoundException($"{b.BpfObjectPath} is missing: the {b.Label} agent loads its BPF object from there", b.BpfObjectPath);
            }
        }

        return all;
    }
}
