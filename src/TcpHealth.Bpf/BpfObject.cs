namespace TcpHealth.Bpf;

/// <summary>A loaded BPF object file: its programs and maps live until this is disposed.</summary>
public sealed class BpfObject : IDisposable
{
    private readonly BpfObjectHandle handle;

    private BpfObject(BpfObjectHandle handle, string path)
    {
        this.handle = handle;
        Path = path;
    }

    public string Path { get; }

    internal bool IsDisposed => handle.IsClosed;

    /// <summary>
    /// Opens and loads <paramref name="path"/>. <paramref name="maxEntries"/> resizes
    /// named maps before load. Failures throw <see cref="BpfLoadException"/> carrying
    /// libbpf's output (the verifier log when a program is rejected).
    /// </summary>
    public static BpfObject Load(string path, IReadOnlyDictionary<string, uint>? maxEntries = null, ILogSink? log = null)
    {
        using var capture = LibbpfLog.Begin(log);
        var handle = Interop.BpfObjectOpenFile(path, IntPtr.Zero);
        if (handle.IsInvalid)
        {
            var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
            handle.Dispose();
            throw new BpfLoadException($"bpf_object__open_file({path})", errno, capture.Text);
        }

        try
        {
            foreach (var (name, entries) in maxEntries ?? new Dictionary<string, uint>())
            {
                var map = Interop.BpfObjectFindMapByName(handle, name);
                if (map == IntPtr.Zero)
                {
                    throw new ArgumentException($"{path} has no map named '{name}'", nameof(maxEntries));
                }

                BpfException.ThrowIfNegative(Interop.BpfMapSetMaxEntries(map, entries), "bpf_map__set_max_entries", name);
            }

            var result = Interop.BpfObjectLoad(handle);
            if (result < 0)
            {
                throw new BpfLoadException($"bpf_object__load({path})", -result, capture.Text);
            }
        }
        catch
        {
            handle.Dispose();
            throw;
        }

        return new BpfObject(handle, path);
    }

    public BpfProgram Program(string name)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var program = Interop.BpfObjectFindProgramByName(handle, name);
        return program == IntPtr.Zero
            ? throw new KeyNotFoundException($"{Path} has no program named '{name}'")
            : new BpfProgram(this, name, Interop.BpfProgramFd(program));
    }

    public BpfMap Map(string name)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        var map = Interop.BpfObjectFindMapByName(handle, name);
        return map == IntPtr.Zero
            ? throw new KeyNotFoundException($"{Path} has no map named '{name}'")
            : new BpfMap(this, name, map);
    }

    public void Dispose() => handle.Dispose();
}
