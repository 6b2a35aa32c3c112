using System.Runtime.ExceptionServices;

namespace TcpHealth.Bpf;

/// <summary>
/// Runs code inside a named network namespace (`ip netns add NAME`) without moving
/// the process: ifindex lookups, TC netlink and TCX target lookup all use the calling
/// thread's namespace, so the action runs on a new thread that first joins the
/// namespace and then ends with it. TCX links made there stay attached afterwards.
/// </summary>
public static class NetworkNamespace
{
    public static T RunIn<T>(string netnsName, Func<T> action)
    {
        if (netnsName.Length == 0 || netnsName.Contains('/'))
        {
            throw new ArgumentException($"'{netnsName}' is not a network namespace name", nameof(netnsName));
        }

        using var netns = Open($"/var/run/netns/{netnsName}");
        return RunIn(netns, action);
    }

    /// <summary>The calling thread's namespace, to come back to it later from any thread.</summary>
    internal static FdHandle OpenCurrent() => Open("/proc/thread-self/ns/net");

    internal static T RunIn<T>(FdHandle netns, Func<T> action)
    {
        var result = default(T);
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                if (Interop.SetNs(netns, Interop.CLONE_NEWNET) != 0)
                {
                    throw BpfException.FromLastError("setns(CLONE_NEWNET)");
                }

                result = action();
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
        })
        {
            IsBackground = true,
            Name = "netns",
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result!;
    }

    private static FdHandle Open(string path)
    {
        var fd = Interop.Open(path, Interop.O_RDONLY | Interop.O_CLOEXEC);
        return fd >= 0 ? new FdHandle(fd) : throw BpfException.FromLastError($"open({path})");
    }
}
