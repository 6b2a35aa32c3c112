using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace TcpHealth.Bpf;

/// <summary>
/// Routes libbpf's print callback to .NET. libbpf has one process-wide callback
/// and prints on the thread that made the call, so a <see cref="Capture"/> scope
/// on that thread receives the messages of exactly its own calls (the verifier log
/// of a failed load, a netlink error of tc attach). Outside a scope, warnings go to
/// stderr as libbpf's default printer would.
/// </summary>
internal static unsafe class LibbpfLog
{
    // Verifier logs can be megabytes; the end of the log names the failing instruction.
    private const int MaxCapturedChars = 64 * 1024;

    [ThreadStatic]
    private static Capture? current;

    static LibbpfLog()
    {
        Interop.LibbpfSetPrint(&Print);
    }

    /// <summary>Collects this thread's libbpf messages until disposed and forwards them to <paramref name="sink"/>.</summary>
    public static Capture Begin(ILogSink? sink) => new(sink);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Print(int level, byte* format, void* args)
    {
        try
        {
            var message = Format(format, args);
            if (current is { } capture)
            {
                capture.Add((BpfLogLevel)level, message);
            }
            else if (level == Interop.LIBBPF_WARN)
            {
                Console.Error.Write(message);
            }
        }
        catch
        {
            // An exception must not unwind into libbpf's C frames.
        }

        return 0;
    }

    private static string Format(byte* format, void* args)
    {
        // vsnprintf consumes the va_list: measure with a copy (va_copy on x86-64
        // is a copy of the 24-byte __va_list_tag), then format with the original.
        var copy = stackalloc byte[24];
        Buffer.MemoryCopy(args, copy, 24, 24);
        var length = Interop.Vsnprintf(null, 0, format, copy);
        if (length <= 0)
        {
            return string.Empty;
        }

        var buffer = new byte[length + 1];
        fixed (byte* p = buffer)
        {
            Interop.Vsnprintf(p, (nuint)buffer.Length, format, args);
        }

        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    internal sealed class Capture : IDisposable
    {
        private readonly ILogSink? sink;
        private readonly Capture? outer;
        private readonly StringBuilder text = new();

        public Capture(ILogSink? sink)
        {
            this.sink = sink;
            outer = current;
            current = this;
        }

        /// <summary>Warnings and info printed so far (debug output goes to the sink only), the tail if very long.</summary>
        public string Text => text.ToString().TrimEnd();

        public void Add(BpfLogLevel level, string message)
        {
            sink?.Log(level, message.TrimEnd('\n'));
            if (level == BpfLogLevel.Debug)
            {
                return;
            }

            text.Append(message);
            if (text.Length > MaxCapturedChars)
            {
                text.Remove(0, text.Length - MaxCapturedChars);
            }
        }

        public void Dispose() => current = outer;
    }
}
