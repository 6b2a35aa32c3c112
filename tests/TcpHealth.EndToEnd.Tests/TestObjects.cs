namespace TcpHealth.EndToEnd.Tests;

/// <summary>The test-only BPF objects `make bpf` builds into bpf/build/test/.</summary>
public static class TestObjects
{
    public static string Path(string name)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "TcpHealth.sln")))
            dir = dir.Parent;
        var path = System.IO.Path.Combine(dir!.FullName, "bpf", "build", "test", name);
        Assert.True(File.Exists(path), $"{path} missing: run `make bpf`");
        return path;
    }
}
