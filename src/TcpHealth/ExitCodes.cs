namespace TcpHealth;

public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Bad flags or config, or the environment cannot run us (no interface, no permission, no BPF).</summary>
    public const int Usage = 2;
}
