using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace TcpHealth.Bpf;

/// <summary>struct th_flow (112 bytes). Times are bpf_ktime_get_ns (CLOCK_MONOTONIC) nanoseconds.</summary>
[StructLayout(LayoutKind.Sequential)]
public struct Flow
{
    /// <summary>dir[TH_DIR_TX]: packets leaving through egress.</summary>
    public DirStats Tx;

    /// <summary>dir[TH_DIR_RX]: packets arriving at ingress.</summary>
    public DirStats Rx;

    /// <summary>Established: the handshake RTT; before that, when the handshake packet we time left.</summary>
    public ulong HandshakeNs;

    /// <summary>Inbound handshake: the ACK number that completes it.</summary>
    public uint HsAck;
    public ConnState ConnState;
    public Initiator Initiator;

    /// <summary>SYNs that started a connection on this entry (wraps at 256): its addresses and ports used again.</summary>
    public byte Connections;
    public byte Pad;

    /// <summary>1 + the index of its <see cref="MapNames.RttHists"/> slot; 0 until its first RTT sample.</summary>
    public ulong RttSlot;

    /// <summary>
    /// The newest TSval timestamped (<see cref="DirStats.LastTs"/> of <see cref="Tx"/>) while
    /// not echoed: its send time's low 40 bits (ns) over the TSval's low 24; 0 = none
    /// (see th_flow.ts_pending in tcphealth.h). Older pending ones are in <see cref="MapNames.PendingTs"/>.
    /// </summary>
    public ulong TsPending;

    /// <summary>When the pending TSval (<see cref="TsPending"/>) left, given CLOCK_MONOTONIC <paramref name="nowNs"/>; null when none is.</summary>
    public readonly ulong? PendingSentNs(ulong nowNs) =>
        TsPending == 0 ? null : nowNs - ((nowNs - (TsPending >> Abi.TsTsvalBits)) & Abi.TsTimeMask);

    /// <summary>The handshake RTT, 0 until measured.</summary>
    public readonly ulong HandshakeRttNs => ConnState == ConnState.Established ? HandshakeNs : 0;

    /// <summary>While the handshake is pending: when the packet we time left (0 if none was seen).</summary>
    public readonly ulong HandshakeStartNs => ConnState == ConnState.Established ? 0 : HandshakeNs;

    /// <summary>dir[<paramref name="direction"/>], with <see cref="Abi.DirTx"/> or <see cref="Abi.DirRx"/>.</summary>
    [UnscopedRef]
    public ref DirStats Dir(int direction)
    {
        if (direction == Abi.DirTx)
        {
            return ref Tx;
        }

        if (direction == Abi.DirRx)
        {
            return ref Rx;
        }

        throw new ArgumentOutOfRangeException(nameof(direction));
    }
}
