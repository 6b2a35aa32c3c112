using System.Runtime.InteropServices;

namespace TcpHealth.EndToEnd.Tests;

/// <summary>Where the things `make build` produces live, and how tests signal the processes they start.</summary>
public static partial class TestObjects
{
    /// <summary>The checkout's root (the folder holding TcpHealth.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>A test-only BPF object from bpf/build/test/.</summary>
    public static string Path(string name)
    {
        var path = System.IO.Path.Combine(RepoRoot, "bpf", "build", "test", name);
        Assert.True(File.Exists(path), $"{path} missing: run `make bpf`");
        return path;
    }

    /// <summary>kill(2): the way a user's Ctrl-C (SIGINT) or Kubernetes (SIGTERM) reaches a process.</summary>
    public static int Signal(int pid, int signal) => Kill(pid, signal);

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "TcpHealth.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("TcpHealth.sln not found above " + AppContext.BaseDirectory);
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
