using System.Globalization;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace TcpHealth.Bpf.Tests;

/// <summary>
/// Proves the C# mirrors match bpf/tcphealth.h: the header is parsed for its
/// structs, #defines and enum th_counter, a probe printing sizeof/offsetof of
/// each is compiled with clang for the host, and every line is compared with
/// the C# side (and every C# field must correspond to a C field).
/// </summary>
public sealed partial class KernelAbiLayoutTests : IDisposable
{
    private static readonly Dictionary<string, Type> Mirrors = new()
    {
        ["th_flow_key"] = typeof(FlowKey),
        ["th_dir_stats"] = typeof(DirStats),
        ["th_flow"] = typeof(Flow),
        ["th_rtt_hist"] = typeof(RttHist),
        ["th_ts_key"] = typeof(TsKey),
        ["th_new_flow"] = typeof(NewFlow),
    };

    private static readonly Dictionary<string, string> FieldRenames = new()
    {
        ["ifindex"] = "IfIndex",
        ["tsval"] = "TsVal",
        ["dir[0]"] = "Tx",
        ["dir[1]"] = "Rx",
    };

    private static readonly Dictionary<string, long> Defines = new()
    {
        ["TH_DIR_TX"] = Abi.DirTx,
        ["TH_DIR_RX"] = Abi.DirRx,
        ["TH_RTT_SUB_BITS"] = Abi.RttSubBits,
        ["TH_RTT_SUB_BUCKETS"] = Abi.RttSubBuckets,
        ["TH_RTT_OCTAVES"] = Abi.RttOctaves,
        ["TH_RTT_BUCKETS"] = Abi.RttBuckets,
        ["TH_RTT_MIN_OCTAVE"] = Abi.RttMinOctave,
        ["TH_TS_TIME_BITS"] = Abi.TsTimeBits,
        ["TH_TS_TSVAL_BITS"] = Abi.TsTsvalBits,
        ["TH_TS_TIME_MASK"] = (long)Abi.TsTimeMask,
        ["TH_TS_TSVAL_MASK"] = Abi.TsTsvalMask,
        ["TH_TS_MAX_AGE_NS"] = (long)Abi.TsMaxAgeNs,
        ["TH_DEFAULT_MAX_FLOWS"] = Abi.DefaultMaxFlows,
        ["TH_NEW_FLOWS_BYTES"] = Abi.NewFlowsBytes,
        ["TH_DEFAULT_MAX_RTT_FLOWS"] = Abi.DefaultMaxRttFlows,
        ["TH_DEFAULT_MAX_PENDING_TS"] = Abi.DefaultMaxPendingTs,
        ["TH_FAMILY_IPV4"] = (long)FlowFamily.IPv4,
        ["TH_FAMILY_IPV6"] = (long)FlowFamily.IPv6,
        ["TH_DF_SEQ_VALID"] = (long)DirFlags.SeqValid,
        ["TH_DF_TS_VALID"] = (long)DirFlags.TsValid,
        ["TH_DF_ZERO_WIN"] = (long)DirFlags.ZeroWindow,
        ["TH_CONN_UNKNOWN"] = (long)ConnState.Unknown,
        ["TH_CONN_SYN_SENT"] = (long)ConnState.SynSent,
        ["TH_CONN_SYN_RCVD"] = (long)ConnState.SynRcvd,
        ["TH_CONN_SYNACK_SENT"] = (long)ConnState.SynAckSent,
        ["TH_CONN_ESTABLISHED"] = (long)ConnState.Established,
        ["TH_CONN_REFUSED"] = (long)ConnState.Refused,
        ["TH_INIT_UNKNOWN"] = (long)Initiator.Unknown,
        ["TH_INIT_SRC"] = (long)Initiator.Src,
        ["TH_INIT_DST"] = (long)Initiator.Dst,
    };

    private readonly Clang clang = new();
    private readonly Probe probe;

    public KernelAbiLayoutTests()
    {
        probe = Probe.Build(File.ReadAllText(Repo.Header), clang);
    }

    public static TheoryData<string> StructNames() => [.. Mirrors.Keys];

    [Theory]
    [MemberData(nameof(StructNames))]
    public void Struct_size_matches(string cStruct)
    {
        Assert.Equal(probe.Value($"sizeof {cStruct}"), Marshal.SizeOf(Mirrors[cStruct]));
        Assert.Equal(probe.Value($"sizeof {cStruct}"), SizeOf(Mirrors[cStruct]));
    }

    [Theory]
    [MemberData(nameof(StructNames))]
    public void Every_field_has_the_same_offset_and_size(string cStruct)
    {
        var type = Mirrors[cStruct];
        var cFields = probe.Fields(cStruct);
        Assert.NotEmpty(cFields);
        foreach (var (cField, offset, size) in cFields)
        {
            var name = CSharpName(cField);
            var field = type.GetField(name);
            Assert.True(field is not null, $"{type.Name} has no field {name} for {cStruct}.{cField}");
            Assert.True(offset == (long)Marshal.OffsetOf(type, name), $"{cStruct}.{cField}: C offset {offset}, C# {Marshal.OffsetOf(type, name)}");
            Assert.True(size == FieldSize(field), $"{cStruct}.{cField}: C size {size}, C# {FieldSize(field)}");
        }

        var mirrored = cFields.Select(f => CSharpName(f.Name)).ToHashSet();
        var extra = type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).Select(f => f.Name).Where(n => !mirrored.Contains(n));
        Assert.Empty(extra);
    }

    [Fact]
    public void Every_define_has_the_same_value()
    {
        var defines = probe.WithPrefix("define ");
        Assert.Equal(Defines.Count, defines.Count);
        foreach (var (name, value) in defines)
        {
            Assert.True(Defines.TryGetValue(name, out var mirrored), $"{name} has no C# mirror");
            Assert.True(value == mirrored, $"{name}: C {value}, C# {mirrored}");
        }
    }

    [Fact]
    public void Enum_th_counter_matches_DatapathCounter()
    {
        var counters = probe.WithPrefix("enum ");
        Assert.Equal(Abi.CounterCount, probe.Value("enum TH_CNT_MAX"));
        Assert.Equal(Abi.CounterCount, Enum.GetValues<DatapathCounter>().Length);
        foreach (var (name, value) in counters.Where(c => c.Key != "TH_CNT_MAX"))
        {
            var pascal = Pascal(name["TH_CNT_".Length..]);
            Assert.True(Enum.TryParse<DatapathCounter>(pascal, out var counter), $"{name} has no DatapathCounter.{pascal}");
            Assert.Equal(value, (long)counter);
        }

        Assert.Equal(Abi.CounterCount + 1, counters.Count);
    }

    public void Dispose() => clang.Dispose();

    private static string CSharpName(string cField) => FieldRenames.TryGetValue(cField, out var renamed) ? renamed : Pascal(cField);

    private static string Pascal(string snake) => string.Concat(snake.Split('_').Select(part =>
        part.Length == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..].ToLowerInvariant()));

    private static long FieldSize(FieldInfo field)
    {
        if (field.GetCustomAttribute<FixedBufferAttribute>() is { } buffer)
        {
            return buffer.Length * SizeOf(buffer.ElementType);
        }

        return SizeOf(field.FieldType);
    }

    private static int SizeOf(Type type)
    {
        var size = typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf))!.MakeGenericMethod(type.IsEnum ? Enum.GetUnderlyingType(type) : type);
        return (int)size.Invoke(null, null)!;
    }

    /// <summary>The probe's output as "kind name value" lines.</summary>
    private sealed partial class Probe(Dictionary<string, long> values, List<string> order)
    {
        public static Probe Build(string header, Clang clang)
        {
            var text = Comment().Replace(header, " ");
            var source = new StringBuilder("#include <stdio.h>\n#include <stddef.h>\n#include \"tcphealth.h\"\nint main(void)\n{\n");
            foreach (Match s in Struct().Matches(text))
            {
                var name = s.Groups["name"].Value;
                source.Append(CultureInfo.InvariantCulture, $"\tprintf(\"sizeof {name} %zu\\n\", sizeof(struct {name}));\n");
                foreach (Match f in Field().Matches(s.Groups["body"].Value))
                {
                    var field = f.Groups["field"].Value;
                    var members = f.Groups["type"].Value.StartsWith("struct", StringComparison.Ordinal) && f.Groups["len"].Success
                        ? Enumerable.Range(0, int.Parse(f.Groups["len"].Value, CultureInfo.InvariantCulture)).Select(i => $"{field}[{i}]")
                        : [field];
                    foreach (var m in members)
                    {
                        source.Append(CultureInfo.InvariantCulture, $"\tprintf(\"offset {name}.{m} %zu\\n\", offsetof(struct {name}, {m}));\n");
                        source.Append(CultureInfo.InvariantCulture, $"\tprintf(\"size {name}.{m} %zu\\n\", sizeof(((struct {name} *)0)->{m}));\n");
                    }
                }
            }

            foreach (Match d in Define().Matches(text))
            {
                source.Append(CultureInfo.InvariantCulture, $"\tprintf(\"define {d.Groups[1].Value} %lld\\n\", (long long)({d.Groups[1].Value}));\n");
            }

            var counters = CounterEnum().Match(text);
            Assert.True(counters.Success, "enum th_counter not found in tcphealth.h");
            foreach (Match c in Counter().Matches(counters.Groups[1].Value))
            {
                source.Append(CultureInfo.InvariantCulture, $"\tprintf(\"enum {c.Value} %d\\n\", (int)({c.Value}));\n");
            }

            source.Append("\treturn 0;\n}\n");
            var output = Shell.Run(clang.CompileHost(source.ToString()));
            var values = new Dictionary<string, long>();
            var order = new List<string>();
            foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var space = line.LastIndexOf(' ');
                values[line[..space]] = long.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
                order.Add(line[..space]);
            }

            return new Probe(values, order);
        }

        public long Value(string key) => values.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"probe printed no '{key}'");

        public List<(string Name, long Offset, long Size)> Fields(string cStruct) =>
            [.. order.Where(k => k.StartsWith($"offset {cStruct}.", StringComparison.Ordinal))
                .Select(k => k[$"offset {cStruct}.".Length..])
                .Select(f => (f, values[$"offset {cStruct}.{f}"], values[$"size {cStruct}.{f}"]))];

        public Dictionary<string, long> WithPrefix(string prefix) =>
            order.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(k => k[prefix.Length..], k => values[k]);

        [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
        private static partial Regex Comment();

        [GeneratedRegex(@"struct\s+(?<name>th_\w+)\s*\{(?<body>[^}]*)\}\s*;")]
        private static partial Regex Struct();

        [GeneratedRegex(@"(?<type>struct\s+\w+|__[us]\d+)\s+(?<field>\w+)(\[(?<len>\w+)\])?\s*;")]
        private static partial Regex Field();

        [GeneratedRegex(@"^#define\s+(TH_\w+)\s+\S", RegexOptions.Multiline)]
        private static partial Regex Define();

        [GeneratedRegex(@"enum\s+th_counter\s*\{([^}]*)\}")]
        private static partial Regex CounterEnum();

        [GeneratedRegex(@"\bTH_CNT_\w+")]
        private static partial Regex Counter();
    }
}
