using System.Diagnostics;

namespace TcpHealth.Bench;

/// <summary>
/// Runs host commands (ip, ethtool, iperf3) and remembers what must be undone:
/// long-running processes and namespaces. <see cref="CleanUp"/> is idempotent and
/// is called both from Main's finally and from the SIGINT/SIGTERM handler, so
/// nothing is left behind whichever way the run ends.
/// </summary>
public static class Shell
{
    private static readonly object Gate = new();

    // Held for a whole cleanup, so a second caller (Main's finally racing the signal
    // handler) waits until the first has finished instead of exiting half-way.
    private static readonly object CleanUpGate = new();
    private static readonly List<Process> Processes = [];
    private static readonly List<string> Namespaces = [];
    private static bool closed;

    /// <summary>Runs argv; returns stdout, throws with stderr on a non-zero exit.</summary>
    public static string Run(params string[] argv)
    {
        var (code, stdout, stderr) = TryRun(TimeSpan.FromSeconds(30), argv);
        return code == 0 ? stdout : throw new InvalidOperationException($"'{string.Join(' ', argv)}' exited {code}: {stderr.Trim()}");
    }

    /// <summary>Runs argv with a time limit (killed when exceeded); returns exit code, stdout and stderr.</summary>
    public static (int Code, string Stdout, string Stderr) TryRun(TimeSpan timeout, params string[] argv)
    {
        using var p = Start(argv, drain: false);
        try
        {
            // Both pipes read concurrently so a chatty stderr cannot block the child.
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout))
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
                return (-1, stdout.Result, $"timed out after {timeout.TotalSeconds:0} s");
            }

            p.WaitForExit(); // flushes the async readers
            return (p.ExitCode, stdout.Result, stderr.Result);
        }
        finally
        {
            Forget(p);
        }
    }

    /// <summary>Starts a long-running process (e.g. `iperf3 -s`); it is killed by <see cref="CleanUp"/>.</summary>
    public static Process StartBackground(params string[] argv) => Start(argv, drain: true);

    /// <summary>As <see cref="StartBackground(string[])"/>, handing each stderr line to <paramref name="onStderr"/> (to say why a process failed).</summary>
    public static Process StartBackground(Action<string> onStderr, params string[] argv) => Start(argv, drain: true, onStderr);

    /// <summary>Creates a network namespace with its loopback up; it is deleted by <see cref="CleanUp"/>.</summary>
    public static void AddNamespace(string name)
    {
        lock (Gate)
        {
            ThrowIfClosed();
            // Registered first: if the add half-succeeds, cleanup still tries the delete.
            Namespaces.Add(name);
        }

        Run("ip", "netns", "add", name);
        Run("ip", "-n", name, "link", "set", "lo", "up");
    }

    /// <summary>`ip netns exec NAME argv...` as an argv.</summary>
    public static string[] InNamespace(string name, params string[] argv) => ["ip", "netns", "exec", name, .. argv];

    public static void CleanUp()
    {
        lock (CleanUpGate)
        {
            CleanUpLocked();
        }
    }

    private static void CleanUpLocked()
    {
        Process[] processes;
        string[] namespaces;
        lock (Gate)
        {
            // Nothing new may start once cleanup began (the main thread may still be running when a signal cleans up).
            closed = true;
            processes = [.. Processes];
            namespaces = [.. Namespaces];
            Processes.Clear();
            Namespaces.Clear();
        }

        // Processes first: a process inside a namespace keeps it alive after `ip netns del`.
        foreach (var p in processes)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit(2000);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }

        foreach (var ns in namespaces)
        {
            // Deleting the namespace destroys the veth pair inside it too.
            using var del = Process.Start(new ProcessStartInfo("ip", ["netns", "del", ns]) { RedirectStandardError = true, UseShellExecute = false });
            del?.WaitForExit(5000);
        }
    }

    private static Process Start(string[] argv, bool drain, Action<string>? onStderr = null)
    {
        var psi = new ProcessStartInfo(argv[0])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in argv.Skip(1))
        {
            psi.ArgumentList.Add(a);
        }

        Process p;
        lock (Gate)
        {
            ThrowIfClosed();
            p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {argv[0]}");
            Processes.Add(p);
        }

        p.StandardInput.Close();
        if (drain)
        {
            // Nobody reads a background process's output; drain it so the child never blocks on a full pipe.
            p.OutputDataReceived += static (_, _) => { };
            p.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    onStderr?.Invoke(e.Data);
                }
            };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
        }

        return p;
    }

    private static void ThrowIfClosed()
    {
        if (closed)
        {
            throw new InvalidOperationException("shutting down");
        }
    }

    private static void Forget(Process p)
    {
        lock (Gate)
        {
            Processes.Remove(p);
        }
    }
}
