using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

/// <summary>What the process does on a signal before anyone registers a handler.</summary>
public static class SignalDisposition
{
    public const int SIGHUP = 1;

    /// <summary>
    /// Gives <paramref name="signal"/> back its default action if the parent left it
    /// ignored (nohup ignores SIGHUP). .NET keeps an inherited SIG_IGN when a
    /// PosixSignalRegistration is created, so call this first for a signal that is
    /// a command, not a hang-up: the agent's SIGHUP means reload, as it does for
    /// Prometheus and the other Go daemons, which take it even under nohup.
    /// </summary>
    public static void Restore(int signal)
    {
        if (Interop.Signal(signal, Interop.SIG_DFL) == Interop.SIG_ERR)
            throw new BpfException($"signal({signal}, SIG_DFL)", Marshal.GetLastPInvokeError());
    }
}
