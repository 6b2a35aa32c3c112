using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

internal static partial class Interop
{
    // Returns NULL and sets errno on failure; sample_cb is int (*)(void *ctx, void *data, size_t size).
    [LibraryImport(Libraries.Libbpf, EntryPoint = "ring_buffer__new", SetLastError = true)]
    internal static unsafe partial IntPtr RingBufferNew(int mapFd, delegate* unmanaged<void*, void*, nuint, int> sampleCb, void* ctx, void* opts);

    /// <summary>Hands every record available now to the callback, without waiting; the count, or -errno.</summary>
    [LibraryImport(Libraries.Libbpf, EntryPoint = "ring_buffer__consume")]
    internal static partial int RingBufferConsume(RingBufferHandle rb);

    [LibraryImport(Libraries.Libbpf, EntryPoint = "ring_buffer__free")]
    internal static partial void RingBufferFree(IntPtr rb);
}
