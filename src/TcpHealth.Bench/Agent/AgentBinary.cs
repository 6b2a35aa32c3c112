using System.Reflection.PortableExecutable;
using System.Text.Json.Nodes;

namespace TcpHealth.Bench.Agent;

/// <summary>A build of `tcphealth` to measure: the published build, and another (a Native AOT build) when given.</summary>
public sealed record AgentBinary(string Label, string Path)
{
    /// <summary>The agent loads tcphealth.bpf.o from its own directory.</summary>
    public string BpfObjectPath => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(Path)!, "tcphealth.bpf.o");

    /// <summary>
    /// bin/tcphealth, published by `make build` next to this benchmark (a link into
    /// bin/agent), labelled by how it was actually built: "r2r" (precompiled ReadyToRun)
    /// or "jit"; "-trimmed" when it carries its own trimmed copy of the runtime's
    /// libraries; "-tiered" when its runtimeconfig leaves tiered compilation on. So a
    /// table never names a build it did not measure.
    /// </summary>
    public static AgentBinary Published { get; } = Describe(System.IO.Path.Combine(AppContext.BaseDirectory, "tcphealth"));

    private static AgentBinary Describe(string link)
    {
        var apphost = new FileInfo(link).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? link;
        var dll = apphost + ".dll";
        var config = apphost + ".runtimeconfig.json";
        if (!File.Exists(dll) || !File.Exists(config))
        {
            return new AgentBinary("tcphealth", apphost);
        }

        using var pe = new PEReader(File.OpenRead(dll));
        // A ReadyToRun image carries its native code in the CLI header's managed-native directory.
        var r2r = pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size > 0;
        var options = JsonNode.Parse(File.ReadAllText(config))?["runtimeOptions"];
        var tiered = options?["configProperties"]?["System.Runtime.TieredCompilation"]?.GetValue<bool>() ?? true;
        // Trimmed: self-contained, with its own CoreLib far smaller than the shared framework's this process runs on.
        var selfContained = options?["includedFrameworks"] is not null;
        var coreLib = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(apphost)!, "System.Private.CoreLib.dll");
        var trimmed = selfContained && File.Exists(coreLib) && new FileInfo(coreLib).Length < 0.8 * new FileInfo(typeof(object).Assembly.Location).Length;
        return new AgentBinary((r2r ? "r2r" : "jit") + (trimmed ? "-trimmed" : "") + (tiered ? "-tiered" : ""), apphost);
    }

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
