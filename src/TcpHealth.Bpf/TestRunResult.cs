namespace TcpHealth.Bpf;

/// <summary>BPF_PROG_TEST_RUN outcome: the program's return value (TC_ACT_UNSPEC is -1) and the mean duration per repetition.</summary>
public readonly record struct TestRunResult(int ReturnValue, uint DurationNs);
