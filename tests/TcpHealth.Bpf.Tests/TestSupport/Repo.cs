namespace TcpHealth.Bpf.Tests;

/// <summary>Paths the tests need: the repository (for bpf/tcphealth.h) and the compiled object next to the test assembly.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Header => Path.Combine(Root, "bpf", "tcphealth.h");

    public static string ObjectPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "tcphealth.bpf.o");
            return File.Exists(path) ? path : throw new FileNotFoundException("run `make bpf` before the tests", path);
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TcpHealth.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no TcpHealth.sln above {AppContext.BaseDirectory}");
    }
}
