namespace TcpHealth.Lab;

/// <summary>The kind of device each end of a <see cref="DelayLine"/> is.</summary>
public enum DeviceMode
{
    /// <summary>IFF_TAP: Ethernet frames, ARP/ND, VLANs possible (ARPHRD_ETHER).</summary>
    Tap,

    /// <summary>
    /// IFF_TUN: raw IP packets with no link-layer header (ARPHRD_NONE, POINTOPOINT|NOARP),
    /// like tun/wireguard devices; no ARP/ND, no VLANs.
    /// </summary>
    Tun,
}

/// <summary>How a <see cref="DelayLine"/> behaves.</summary>
public sealed record DelayLineOptions
{
    /// <summary>One-way delay applied in each direction; RTT through the line is 2 × Delay.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>TAP (Ethernet frames, the default) or TUN (raw IP packets) devices.</summary>
    public DeviceMode Mode { get; init; } = DeviceMode.Tap;

    /// <summary>
    /// 0 = no loss. Otherwise every k-th frame longer than <see cref="DropMinFrameBytes"/>
    /// travelling a→b is dropped. The length filter keeps ARP, ND, SYNs and pure ACKs alive
    /// (all ≤ 94 bytes), so in practice only data-carrying TCP/UDP frames are counted and
    /// dropped, and each drop costs the a-side sender exactly one retransmission. In
    /// <see cref="DeviceMode.Tun"/> the length is the IP packet's (no 14-byte Ethernet
    /// header): SYNs and pure ACKs are ≤ 80 bytes there, ≤ 100 with a full SACK option.
    /// </summary>
    public int DropEvery { get; init; }

    /// <summary>Only a→b frames longer than this are candidates for dropping.</summary>
    public int DropMinFrameBytes { get; init; } = 100;

    /// <summary>Name of the TAP/TUN device inside namespace a.</summary>
    public string InterfaceA { get; init; } = "tha";

    /// <summary>Name of the TAP/TUN device inside namespace b.</summary>
    public string InterfaceB { get; init; } = "thb";

    /// <summary>MTU of both devices.</summary>
    public int Mtu { get; init; } = 1500;

    /// <summary>
    /// TAP queue length (ip link ... txqueuelen). When the forwarder falls behind, frames the
    /// namespace transmits are dropped by the TAP itself (visible as TX "dropped" on the
    /// interface, NOT in <see cref="DelayLine.FramesDropped"/>) and the sender retransmits.
    /// The kernel default of 1000 overflows under unpaced bulk TCP; 10000 absorbs the bursts.
    /// Pace senders anyway if loss must be exactly the configured loss.
    /// </summary>
    public int TxQueueLength { get; init; } = 10_000;

    /// <summary>
    /// The forwarder sleeps (ppoll) until this long before a frame is due, then spins.
    /// Sleeps overshoot by tens of µs; the spin makes the delay exact.
    /// </summary>
    public TimeSpan SpinWindow { get; init; } = TimeSpan.FromMicroseconds(50);
}
