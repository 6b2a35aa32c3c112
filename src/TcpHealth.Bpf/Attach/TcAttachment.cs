namespace TcpHealth.Bpf;

/// <summary>
/// A legacy cls_bpf filter at our fixed handle and priority on the clsact qdisc.
/// The filter outlives the process, so a later run finds a stale one of ours by
/// handle/priority and program name, removes it, and attaches again; anything else
/// there is left alone. The clsact qdisc is never destroyed: that would delete
/// other tools' filters.
/// </summary>
internal sealed class TcAttachment : Attachment
{
    /// <summary>Our filter handle on every hook.</summary>
    public const uint Handle = 0x7C4;

    /// <summary>
    /// Our priority ("pref" in `tc filter show`). Below 0xC000, where tc's automatic
    /// priorities start counting down, so we run before filters added without one;
    /// filters at a lower number run first and may end classification before us.
    /// </summary>
    public const uint Priority = 0x4A7;

    private readonly FdHandle netns;
    private int disposed;

    private TcAttachment(FdHandle netns, string interfaceName, int ifindex, HookDirection direction)
        : base(interfaceName, ifindex, direction)
    {
        this.netns = netns;
    }

    public override AttachMode ActualMode => AttachMode.Tc;

    private string Where => $"{Interface} {Direction.ToString().ToLowerInvariant()}, handle 0x{Handle:x} prio {Priority}";

    /// <summary>Attaches in the calling thread's network namespace (libbpf's netlink socket lives there).</summary>
    public static unsafe TcAttachment Attach(BpfProgram program, string interfaceName, int ifindex, HookDirection direction, ILogSink? log)
    {
        // libbpf prints the kernel's reason for expected refusals (clsact exists, no filter at
        // our priority) as warnings: keep them out of the log; failures carry their own message.
        using var quiet = LibbpfLog.Begin(sink: null);
        var attachment = new TcAttachment(NetworkNamespace.OpenCurrent(), interfaceName, ifindex, direction);
        try
        {
            var hook = attachment.Hook();
            var created = Interop.BpfTcHookCreate(&hook);
            if (created != -Errno.EEXIST)
            {
                BpfException.ThrowIfNegative(created, "bpf_tc_hook_create", interfaceName);
            }

            attachment.RemoveStaleFilter(log);
            attachment.Add(program);
            return attachment;
        }
        catch
        {
            attachment.netns.Dispose();
            throw;
        }
    }

    /// <summary>Removes our filter (handle and priority only), from the namespace it was attached in.</summary>
    public override void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        using (netns)
        {
            NetworkNamespace.RunIn(netns, Detach);
        }
    }

    private unsafe int Detach()
    {
        var hook = Hook();
        var opts = new Interop.BpfTcOpts { Sz = (nuint)sizeof(Interop.BpfTcOpts), Handle = Handle, Priority = Priority };
        var result = Interop.BpfTcDetach(&hook, &opts);

        // Already gone with its device (ENODEV), its qdisc (EINVAL) or by hand (ENOENT): nothing left to remove.
        return result is -Errno.ENOENT or -Errno.ENODEV or -Errno.EINVAL
            ? 0
            : BpfException.ThrowIfNegative(result, "bpf_tc_detach", Where);
    }

    private unsafe void RemoveStaleFilter(ILogSink? log)
    {
        var hook = Hook();
        var query = new Interop.BpfTcOpts { Sz = (nuint)sizeof(Interop.BpfTcOpts), Handle = Handle, Priority = Priority };
        var result = Interop.BpfTcQuery(&hook, &query);

        // ENOENT: no filter at our handle/priority. EINVAL: no filter chain on the hook yet, or a
        // filter of another kind or protocol at our priority, which Add then reports.
        if (result is -Errno.ENOENT or -Errno.EINVAL)
        {
            return;
        }

        BpfException.ThrowIfNegative(result, "bpf_tc_query", Where);
        var owner = ProgramName(query.ProgId);
        if (!owner.StartsWith(ProgramNames.Prefix, StringComparison.Ordinal))
        {
            throw new BpfException(Errno.EEXIST, $"program '{owner}' (id {query.ProgId}) of another tool holds {Where}; not touching it");
        }

        Detach();
        log?.Log(BpfLogLevel.Warning, $"removed stale filter '{owner}' (id {query.ProgId}) left at {Where} by an earlier run");
    }

    /// <summary>Adds our filter; never with BPF_TC_F_REPLACE, so whatever is there stays.</summary>
    private unsafe void Add(BpfProgram program)
    {
        var hook = Hook();
        var opts = new Interop.BpfTcOpts { Sz = (nuint)sizeof(Interop.BpfTcOpts), ProgFd = program.Fd, Handle = Handle, Priority = Priority };
        int result;
        string kernelSays;
        using (var capture = LibbpfLog.Begin(sink: null))
        {
            result = Interop.BpfTcAttach(&hook, &opts);
            kernelSays = capture.Text;
        }

        if (result == -Errno.EINVAL)
        {
            throw new BpfException(Errno.EEXIST, $"{BpfException.FormatMessage($"bpf_tc_attach({Where})", Errno.EINVAL)}: " +
                $"usually a filter of another tool (another kind or protocol) holds this priority; not touching it. {kernelSays}".TrimEnd());
        }

        BpfException.ThrowIfNegative(result, "bpf_tc_attach", Where);
    }

    private static string ProgramName(uint id)
    {
        var fd = Interop.BpfProgGetFdById(id);
        using var program = new FdHandle(BpfException.ThrowIfNegative(fd, "bpf_prog_get_fd_by_id", id.ToString()));
        return BpfProgram.KernelName(BpfProgram.GetInfo(program.Fd, id.ToString()));
    }

    private unsafe Interop.BpfTcHook Hook() => new()
    {
        Sz = (nuint)sizeof(Interop.BpfTcHook),
        IfIndex = IfIndex,
        AttachPoint = Direction == HookDirection.Ingress ? Interop.BPF_TC_INGRESS : Interop.BPF_TC_EGRESS,
    };
}
