namespace TcpHealth.Core.Identity;

/// <summary>
/// Who an address belongs to, as metric label values; each part is
/// <see cref="UnknownValue"/> when nothing says otherwise, so label sets stay
/// complete and unresolved peers aggregate into one series instead of one per IP.
/// </summary>
/// <remarks>
/// Not named "Identity": a type named like its namespace makes
/// `using TcpHealth.Core.Identity;` code elsewhere in TcpHealth.Core fail with
/// CS0118 ("'Identity' is a namespace but is used like a type").
/// </remarks>
public sealed record PeerIdentity(string Namespace, string Workload, string Zone)
{
    public const string UnknownValue = "unknown";

    public static PeerIdentity Unknown { get; } = new(UnknownValue, UnknownValue, UnknownValue);
}
