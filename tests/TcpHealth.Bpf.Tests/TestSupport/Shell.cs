using System.Diagnostics;

namespace TcpHealth.Bpf.Tests;

/// <summary>Runs ip, tc, clang, bpftool for the tests (the library itself never shells out).</summary>
internal static class Shell
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static Result Try(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs and returns stdout; throws with stderr on a non-zero exit.</summary>
    public static string Run(string file, params string[] args)
    {
        var result = Try(file, args);
        return result.ExitCode == 0
            ? result.Stdout
            : throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {result.ExitCode}: {result.Stderr}");
    }
}
