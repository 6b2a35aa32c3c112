using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace TcpHealth.Lab;

/// <summary>
/// A user-space "wire" between two namespaces, standing in for netem (absent on this kernel).
/// Two TAP devices are opened here, one moved into each namespace; a thread per direction
/// reads frames that one namespace transmits, holds each for <see cref="DelayLineOptions.Delay"/>
/// measured from the moment it was read, and writes it into the other TAP, where the kernel
/// receives it. Closing the fds (Dispose) destroys the TAPs.
///
/// With <see cref="DeviceMode.Tun"/> the devices are TUNs instead (IFF_TUN): what is read and
/// written is a bare IPv4/IPv6 packet, the devices are point-to-point and NOARP, so there
/// is no ARP/ND and TC programs see no Ethernet header.
///
/// Offloads: without IFF_VNET_HDR a TAP advertises no TSO/GSO, so the kernel segments
/// GSO packets before they reach the TAP; every frame read here is a wire-sized frame
/// (≤ MTU + 14, + 4 if a VLAN tag is inserted). Default offload settings are left alone.
/// </summary>
public sealed class DelayLine : IDisposable
{
    private readonly Forwarder _aToB;
    private readonly Forwarder _bToA;
    private int _fdA;
    private int _fdB;
    private bool _disposed;

    private DelayLine(DelayLineOptions options, int fdA, int fdB)
    {
        Options = options;
        _fdA = fdA;
        _fdB = fdB;
        _aToB = new Forwarder("delay a->b", fdA, fdB, options, options.DropEvery);
        _bToA = new Forwarder("delay b->a", fdB, fdA, options, 0);
    }

    public DelayLineOptions Options { get; }

    /// <summary>Frames delivered from namespace a to namespace b.</summary>
    public long FramesForwardedAToB => Interlocked.Read(ref _aToB.Forwarded);

    /// <summary>Frames delivered from namespace b to namespace a.</summary>
    public long FramesForwardedBToA => Interlocked.Read(ref _bToA.Forwarded);

    /// <summary>Frames deliberately dropped (a→b only).</summary>
    public long FramesDropped => Interlocked.Read(ref _aToB.Dropped);

    /// <summary>Frames whose write into the far TAP failed (should stay 0).</summary>
    public long WriteErrors => Interlocked.Read(ref _aToB.WriteErrors) + Interlocked.Read(ref _bToA.WriteErrors);

    /// <summary>Creates the TAP pair, moves and names the ends, brings them up and starts forwarding.</summary>
    public static DelayLine Start(NetworkNamespace a, NetworkNamespace b, DelayLineOptions options)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Delay < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), "Delay must be >= 0");
        if (options.DropEvery < 0) throw new ArgumentOutOfRangeException(nameof(options), "DropEvery must be >= 0");

        // The TAPs are born in our own namespace under unique temporary names, so two labs
        // (or a lab and the host) never collide on "tha"/"thb"; they get renamed once moved.
        string suffix = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3));
        string kind = options.Mode == DeviceMode.Tun ? "tun" : "tap";
        string tmpA = $"th{kind}{suffix}a", tmpB = $"th{kind}{suffix}b";
        int fdA = -1, fdB = -1;
        try
        {
            fdA = OpenDevice(tmpA, options.Mode);
            fdB = OpenDevice(tmpB, options.Mode);
            Place(tmpA, a, options.InterfaceA, options);
            Place(tmpB, b, options.InterfaceB, options);
        }
        catch
        {
            // Closing a non-persistent TAP's fd deletes the device wherever it now lives.
            if (fdA >= 0) Interop.Close(fdA);
            if (fdB >= 0) Interop.Close(fdB);
            throw;
        }

        var line = new DelayLine(options, fdA, fdB);
        line._aToB.Start();
        line._bToA.Start();
        return line;
    }

    private static void Place(string tmpName, NetworkNamespace ns, string finalName, DelayLineOptions o)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        // The fd stays valid across the move; the device must be down to be renamed.
        CommandRunner.Run("ip", "link", "set", tmpName, "netns", ns.Name);
        ns.Exec("ip", "link", "set", "dev", tmpName, "name", finalName);
        ns.Exec("ip", "link", "set", "dev", finalName, "mtu", o.Mtu.ToString(inv),
            "txqueuelen", o.TxQueueLength.ToString(inv), "up");
    }

    private static unsafe int OpenDevice(string name, DeviceMode mode)
    {
        if (Encoding.ASCII.GetByteCount(name) >= Interop.IfNameSize) throw new ArgumentException($"interface name too long: {name}");
        // Non-blocking so one ppoll wake-up can drain everything queued, frame by frame.
        int fd = Interop.Open("/dev/net/tun", Interop.O_RDWR | Interop.O_NONBLOCK | Interop.O_CLOEXEC);
        if (fd < 0) throw new IOException($"open /dev/net/tun: errno {Marshal.GetLastPInvokeError()}");
        byte* ifr = stackalloc byte[Interop.IfReqSize];
        new Span<byte>(ifr, Interop.IfReqSize).Clear();
        Encoding.ASCII.GetBytes(name, new Span<byte>(ifr, Interop.IfNameSize - 1));
        *(short*)(ifr + Interop.IfNameSize) = (short)((mode == DeviceMode.Tun ? Interop.IFF_TUN : Interop.IFF_TAP) | Interop.IFF_NO_PI);
        if (Interop.Ioctl(fd, Interop.TUNSETIFF, ifr) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            Interop.Close(fd);
            throw new IOException($"TUNSETIFF {name}: errno {errno}");
        }
        return fd;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _aToB.Stop();
        _bToA.Stop();
        if (_fdA >= 0) Interop.Close(_fdA);
        if (_fdB >= 0) Interop.Close(_fdB);
        _fdA = _fdB = -1;
    }

    /// <summary>One direction: a FIFO of frames, each with its own due time.</summary>
    private sealed class Forwarder
    {
        // Longest sleep while idle; bounds how long Stop() waits for the thread.
        private static readonly long IdlePollNs = 20_000_000;
        private const int MaxReadsPerWakeup = 64;

        private readonly int _inFd;
        private readonly int _outFd;
        private readonly long _delayTicks;
        private readonly long _spinTicks;
        private readonly int _dropEvery;
        private readonly int _dropMinBytes;
        private readonly int _bufferSize;
        private readonly Queue<Frame> _queue = new();
        private readonly Stack<byte[]> _free = new();
        private readonly Thread _thread;
        private volatile bool _stop;
        private long _candidates;

        public long Forwarded;
        public long Dropped;
        public long WriteErrors;

        public Forwarder(string name, int inFd, int outFd, DelayLineOptions o, int dropEvery)
        {
            _inFd = inFd;
            _outFd = outFd;
            _delayTicks = (long)(o.Delay.Ticks * (Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond));
            _spinTicks = (long)(o.SpinWindow.Ticks * (Stopwatch.Frequency / (double)TimeSpan.TicksPerSecond));
            _dropEvery = dropEvery;
            _dropMinBytes = o.DropMinFrameBytes;
            _bufferSize = o.Mtu + 256; // Ethernet + VLAN headers (TAP) with generous slack
            _thread = new Thread(Loop) { IsBackground = true, Name = name, Priority = ThreadPriority.Highest };
        }

        private readonly record struct Frame(byte[] Buffer, int Length, long Due);

        public void Start() => _thread.Start();

        public void Stop()
        {
            _stop = true;
            _thread.Join();
        }

        private unsafe void Loop()
        {
            // Default 50 µs timer slack would add up to 50 µs to every sleep.
            Interop.Prctl(Interop.PR_SET_TIMERSLACK, 1, 0, 0, 0);
            var pfd = new Interop.PollFd { Fd = _inFd, Events = Interop.POLLIN };
            while (!_stop)
            {
                long now = Stopwatch.GetTimestamp();
                FlushDue(now);

                long timeoutNs = IdlePollNs;
                if (_queue.Count > 0)
                {
                    long remaining = _queue.Peek().Due - now;
                    if (remaining <= _spinTicks)
                    {
                        // Last stretch: spin instead of sleeping, sleeps overshoot.
                        SpinUntil(_queue.Peek().Due);
                        continue;
                    }
                    timeoutNs = TicksToNs(remaining - _spinTicks);
                }

                var ts = new Interop.Timespec { Sec = timeoutNs / 1_000_000_000, Nsec = timeoutNs % 1_000_000_000 };
                pfd.Revents = 0;
                int rc = Interop.PPoll(&pfd, 1, &ts, null);
                if (rc < 0)
                {
                    if (Marshal.GetLastPInvokeError() == Interop.EINTR) continue;
                    return;
                }
                if ((pfd.Revents & (Interop.POLLERR | Interop.POLLHUP | Interop.POLLNVAL)) != 0) return;
                if ((pfd.Revents & Interop.POLLIN) != 0) ReadAvailable();
            }
        }

        private unsafe void ReadAvailable()
        {
            for (int i = 0; i < MaxReadsPerWakeup; i++)
            {
                byte[] buf = _free.Count > 0 ? _free.Pop() : new byte[_bufferSize];
                nint n;
                fixed (byte* p = buf) n = Interop.Read(_inFd, p, (nuint)buf.Length);
                // Stamp per frame, at read: a batch stamp would shift later frames early.
                long stamp = Stopwatch.GetTimestamp();
                if (n <= 0)
                {
                    _free.Push(buf);
                    return; // EAGAIN: drained (errors surface via POLLERR on the next ppoll)
                }
                if (_dropEvery > 0 && n > _dropMinBytes && ++_candidates % _dropEvery == 0)
                {
                    Interlocked.Increment(ref Dropped);
                    _free.Push(buf);
                    continue;
                }
                _queue.Enqueue(new Frame(buf, (int)n, stamp + _delayTicks));
            }
        }

        private unsafe void FlushDue(long now)
        {
            while (_queue.Count > 0 && _queue.Peek().Due <= now)
            {
                var f = _queue.Dequeue();
                nint w;
                fixed (byte* p = f.Buffer) w = Interop.Write(_outFd, p, (nuint)f.Length);
                if (w == f.Length) Interlocked.Increment(ref Forwarded);
                else Interlocked.Increment(ref WriteErrors);
                _free.Push(f.Buffer);
            }
        }

        private static void SpinUntil(long due)
        {
            while (Stopwatch.GetTimestamp() < due) Thread.SpinWait(20);
        }

        private static long TicksToNs(long ticks) => (long)(ticks * (1e9 / Stopwatch.Frequency));
    }
}
