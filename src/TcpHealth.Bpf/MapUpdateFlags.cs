namespace TcpHealth.Bpf;

/// <summary>bpf_map_update_elem flags.</summary>
public enum MapUpdateFlags : ulong
{
    /// <summary>BPF_ANY: create or replace.</summary>
    Any = 0,

    /// <summary>BPF_NOEXIST: create only.</summary>
    NoExist = 1,

    /// <summary>BPF_EXIST: replace only.</summary>
    Exist = 2,
}
