using System.Globalization;
using System.Text;

namespace TcpHealth.Bench;

/// <summary>
/// One interface's received or transmitted bytes from /proc/net/dev, opened once in the
/// interface's namespace (the file keeps showing the namespace it was opened in) and read
/// again from the start for each value.
/// </summary>
public sealed class NetDevCounter : IDisposable
{
    private readonly FileStream _file = new("/proc/thread-self/net/dev", FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly string _device;
    private readonly bool _transmitted;

    /// <summary>Must be made on a thread inside the device's namespace.</summary>
    public NetDevCounter(string device, bool transmitted)
    {
        _device = device;
        _transmitted = transmitted;
        Read();
    }

    public ulong Read()
    {
        _file.Position = 0;
        int length = 0, n;
        while ((n = _file.Read(_buffer, length, _buffer.Length - length)) > 0)
            length += n;

        // "  vethA: rx_bytes rx_packets ... (8 receive fields) tx_bytes ..."
        foreach (var line in Encoding.ASCII.GetString(_buffer, 0, length).Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon < 0 || line[..colon].Trim() != _device)
                continue;
            var fields = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return ulong.Parse(fields[_transmitted ? 8 : 0], CultureInfo.InvariantCulture);
        }

        throw new InvalidOperationException($"{_device} is not in /proc/net/dev of its namespace");
    }

    public void Dispose() => _file.Dispose();
}
