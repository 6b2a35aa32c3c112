namespace TcpHealth.Bpf;

public enum HookDirection
{
    Ingress,
    Egress,
}
