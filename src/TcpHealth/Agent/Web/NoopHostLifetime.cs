using Microsoft.Extensions.Hosting;

namespace TcpHealth.Agent.Web;

/// <summary>
/// Replaces the default ConsoleLifetime, which would grab SIGINT/SIGTERM for itself: the agent
/// owns signal handling and stops the web host through <see cref="AgentWebHost.StopAsync"/>.
/// </summary>
internal sealed class NoopHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
