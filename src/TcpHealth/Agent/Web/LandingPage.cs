using System.Net;
using System.Text;

namespace TcpHealth.Agent.Web;

/// <summary>The "/" page: what node_exporter shows, a name, the version and links to the endpoints.</summary>
internal static class LandingPage
{
    public static byte[] Render(string version)
    {
        var v = WebUtility.HtmlEncode(version);
        return Encoding.UTF8.GetBytes($"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>tcphealth</title></head>
            <body>
            <h1>tcphealth</h1>
            <p>Passive TCP health metrics exporter, version {v}</p>
            <ul>
            <li><a href="metrics">Metrics</a> (/metrics)</li>
            <li><a href="healthz">Health</a> (/healthz)</li>
            <li><a href="readyz">Readiness</a> (/readyz)</li>
            </ul>
            </body>
            </html>

            """);
    }
}
