using System.Diagnostics.CodeAnalysis;

namespace TcpHealth.Core.Identity;

/// <summary>
/// One place that may know who owns an address. <see cref="IdentityResolver"/>
/// asks its sources in order and takes the first answer, so a live source
/// (e.g. a Kubernetes pod index) can sit in front of the static config.
/// </summary>
/// <remarks>
/// Called on the collection hot path for every flow end: implementations must
/// be thread-safe and should return shared instances rather than allocate.
/// </remarks>
public interface IIdentitySource
{
    /// <param name="address">Network-order address: 4 bytes (IPv4) or 16 (IPv6; IPv4-mapped counts as IPv4).</param>
    bool TryResolve(ReadOnlySpan<byte> address, [NotNullWhen(true)] out PeerIdentity? identity);
}
