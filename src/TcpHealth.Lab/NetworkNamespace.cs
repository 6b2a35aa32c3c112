using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace TcpHealth.Lab;

/// <summary>
/// A named network namespace (`ip netns add`), deleted on Dispose together with every
/// process started in it. Code that needs sockets inside it uses <see cref="RunIn{T}"/>:
/// a socket belongs to the namespace of the thread that created it, forever, so it can
/// then be used from any thread (including .NET's async machinery).
/// </summary>
public sealed class NetworkNamespace : IDisposable
{
    private readonly List<Process> _processes = [];
    private bool _disposed;

    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    /// <summary>Path of the bind mount that keeps the namespace alive and lets setns find it.</summary>
    public string Path => $"/var/run/netns/{Name}";

    /// <summary>Creates the namespace and brings its loopback up. The name must be unique.</summary>
    public static NetworkNamespace Create(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        CommandRunner.Run("ip", "netns", "add", name);
        var ns = new NetworkNamespace(name);
        try
        {
            ns.Exec("ip", "link", "set", "lo", "up");
            return ns;
        }
        catch
        {
            ns.Dispose();
            throw;
        }
    }

    /// <summary>A unique-enough name: prefix + 6 random hex digits (keeps device-derived names short).</summary>
    public static string RandomName(string prefix = "th-") =>
        prefix + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));

    /// <summary>Runs argv inside the namespace (`ip netns exec`); returns stdout, throws with stderr on failure.</summary>
    public string Exec(params string[] argv) => CommandRunner.Run([.. NetnsExecPrefix(), .. argv]);

    /// <summary>Runs a shell command line inside the namespace (`sh -c`).</summary>
    public string Run(string shellCommand) => Exec("sh", "-c", shellCommand);

    /// <summary>
    /// Starts a long-running process inside the namespace (e.g. `iperf3 -s`). It is killed on
    /// Dispose. stdout/stderr are redirected and drained so the child never blocks on a pipe
    /// unless <paramref name="inheritStdio"/> is set.
    /// </summary>
    public Process StartProcess(params string[] argv) => StartProcess(inheritStdio: false, argv);

    public Process StartProcess(bool inheritStdio, params string[] argv)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfZero(argv.Length);
        var psi = new ProcessStartInfo("ip")
        {
            UseShellExecute = false,
            RedirectStandardOutput = !inheritStdio,
            RedirectStandardError = !inheritStdio,
        };
        // `ip netns exec` execs the command, so the Process is the command itself.
        foreach (var a in NetnsExecPrefix().Skip(1).Concat(argv)) psi.ArgumentList.Add(a);
        var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {argv[0]}");
        if (!inheritStdio)
        {
            p.OutputDataReceived += static (_, _) => { };
            p.ErrorDataReceived += static (_, _) => { };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
        }
        lock (_processes) _processes.Add(p);
        return p;
    }

    /// <summary>
    /// Runs <paramref name="func"/> on a fresh thread that has joined this namespace (setns),
    /// and returns its result. The thread ends afterwards, so no pool thread is ever moved.
    /// </summary>
    public T RunIn<T>(Func<T> func)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        T result = default!;
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                EnterOnCurrentThread();
                result = func();
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = $"netns {Name}",
        };
        thread.Start();
        thread.Join();
        error?.Throw();
        return result;
    }

    public void RunIn(Action action) => RunIn<object?>(() => { action(); return null; });

    /// <summary>
    /// Moves the calling thread into this namespace. Only call on a thread you own and
    /// throw away afterwards (never a thread-pool thread).
    /// </summary>
    public void EnterOnCurrentThread()
    {
        int fd = Interop.Open(Path, Interop.O_RDONLY | Interop.O_CLOEXEC);
        if (fd < 0) throw new IOException($"open {Path}: errno {Marshal.GetLastPInvokeError()}");
        try
        {
            if (Interop.SetNs(fd, Interop.CLONE_NEWNET) != 0)
                throw new IOException($"setns({Name}): errno {Marshal.GetLastPInvokeError()}");
        }
        finally
        {
            Interop.Close(fd);
        }
    }

    /// <summary>True if `ip netns list` shows a namespace with this name.</summary>
    public static bool Exists(string name) =>
        CommandRunner.Run("ip", "netns", "list")
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Any(l => l.Split(' ')[0] == name);

    private string[] NetnsExecPrefix() => ["ip", "netns", "exec", Name];

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        lock (_processes)
        {
            foreach (var p in _processes)
            {
                try
                {
                    if (!p.HasExited)
                    {
                        p.Kill(entireProcessTree: true);
                        p.WaitForExit(5000);
                    }
                }
                catch (InvalidOperationException) { /* already gone */ }
                p.Dispose();
            }
            _processes.Clear();
        }
        try
        {
            CommandRunner.Run("ip", "netns", "del", Name);
        }
        catch (LabCommandException)
        {
            // Already deleted by someone else: nothing left to clean.
        }
    }
}
