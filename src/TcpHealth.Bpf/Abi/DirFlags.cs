namespace TcpHealth.Bpf;

/// <summary>th_dir_stats.flags (TH_DF_*).</summary>
[Flags]
public enum DirFlags : uint
{
    None = 0,

    /// <summary>SeqEndMax holds a value.</summary>
    SeqValid = 1u << 0,

    /// <summary>LastTs holds a value.</summary>
    TsValid = 1u << 1,

    /// <summary>The last window advertised was zero.</summary>
    ZeroWindow = 1u << 2,
}
