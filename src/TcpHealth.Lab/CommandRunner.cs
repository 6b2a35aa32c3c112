using System.Diagnostics;

namespace TcpHealth.Lab;

/// <summary>Runs short-lived host commands (ip, ethtool, nstat) and fails loudly with their stderr.</summary>
public static class CommandRunner
{
    /// <summary>Runs argv[0] with the remaining arguments; returns stdout, throws on non-zero exit.</summary>
    public static string Run(params string[] argv)
    {
        ArgumentOutOfRangeException.ThrowIfZero(argv.Length);
        var psi = new ProcessStartInfo(argv[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in argv.Skip(1)) psi.ArgumentList.Add(a);

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {argv[0]}");
        p.StandardInput.Close();
        // Read both pipes concurrently so a chatty stderr cannot deadlock the child.
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new LabCommandException(argv, p.ExitCode, stderr.Result.Trim());
        return stdout.Result;
    }
}

/// <summary>A lab command exited non-zero; carries the command line and its stderr.</summary>
public sealed class LabCommandException(IReadOnlyList<string> argv, int exitCode, string stderr)
    : Exception($"'{string.Join(' ', argv)}' exited {exitCode}: {stderr}")
{
    public IReadOnlyList<string> Argv { get; } = argv;
    public int ExitCode { get; } = exitCode;
    public string StandardError { get; } = stderr;
}
