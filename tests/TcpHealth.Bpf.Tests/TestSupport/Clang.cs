namespace TcpHealth.Bpf.Tests;

/// <summary>Compiles C written by a test into a temporary directory (deleted on dispose).</summary>
internal sealed class Clang : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("tcphealth-test-").FullName;

    /// <summary>A host program including bpf/; returns the executable's path.</summary>
    public string CompileHost(string source)
    {
        var c = Write("probe.c", source);
        var exe = Path.Combine(Directory, "probe");
        Shell.Run("clang", "-Wall", "-Werror", "-I", Path.Combine(Repo.Root, "bpf"), "-o", exe, c);
        return exe;
    }

    /// <summary>A BPF object, compiled as the Makefile does.</summary>
    public string CompileBpf(string name, string source)
    {
        var c = Write(name + ".bpf.c", source);
        var obj = Path.Combine(Directory, name + ".bpf.o");
        Shell.Run("clang", "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c", c, "-o", obj);
        return obj;
    }

    public string Write(string fileName, string content)
    {
        var path = Path.Combine(Directory, fileName);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
}
