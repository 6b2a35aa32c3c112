namespace TcpHealth.Bpf;

/// <summary>
/// Attaches programs to an interface's TC hooks, in the calling thread's network
/// namespace (wrap in <see cref="NetworkNamespace.RunIn{T}(string, Func{T})"/> for another one).
/// </summary>
public static class Attacher
{
    /// <summary>
    /// Auto mode falls back to legacy TC when bpf_link_create rejects the TCX attach
    /// type: kernels before 6.6 answer EINVAL (unknown attach type for a SCHED_CLS
    /// program); EOPNOTSUPP/ENOTSUPP are accepted too for backported or odd builds.
    /// </summary>
    private static readonly int[] TcxUnsupported = [Errno.EINVAL, Errno.EOPNOTSUPP, Errno.ENOTSUPP];

    public static unsafe Attachment Attach(BpfProgram program, string interfaceName, HookDirection direction, AttachMode mode = AttachMode.Auto, ILogSink? log = null)
    {
        var ifindex = InterfaceInfo.IndexOf(interfaceName);
        if (mode == AttachMode.Tc)
        {
            return TcAttachment.Attach(program, interfaceName, ifindex, direction, log);
        }

        var attachType = direction == HookDirection.Ingress ? Interop.BPF_TCX_INGRESS : Interop.BPF_TCX_EGRESS;
        // First in the chain: a program ahead of us that returns PASS or
        // REDIRECT (a CNI's, say) would otherwise hide packets from us.
        var opts = new Interop.BpfLinkCreateOpts { Sz = (nuint)sizeof(Interop.BpfLinkCreateOpts), Flags = Interop.BPF_F_BEFORE };
        var link = Interop.BpfLinkCreate(program.Fd, ifindex, attachType, &opts);
        if (link >= 0)
        {
            return new TcxAttachment(new FdHandle(link), interfaceName, ifindex, direction);
        }

        var call = $"bpf_link_create({program.Name} -> {interfaceName} tcx {direction.ToString().ToLowerInvariant()})";
        if (mode == AttachMode.Tcx || Array.IndexOf(TcxUnsupported, -link) < 0)
        {
            throw new BpfException(call, -link);
        }

        log?.Log(BpfLogLevel.Info, $"{BpfException.FormatMessage(call, -link)}; falling back to legacy TC");
        return TcAttachment.Attach(program, interfaceName, ifindex, direction, log);
    }
}
