using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using TcpHealth.Bpf;

namespace TcpHealth.Core.Flows;

/// <summary>
/// Takes the RTT samples the datapath added to a flow's record since the last take
/// (see bpf/tcphealth.h, th_rtt_hist): the buckets, below and above move into a copy
/// and stay behind as zero. Each word moves with one atomic exchange, and the datapath
/// adds to it atomically, so a sample added meanwhile is in this take or the next:
/// never lost, never taken twice. A reader that takes needs no copy of its own of
/// every flow's last buckets to find what is new. Count, sum, min, max and the
/// window's anchor are copied: they stay the flow's totals.
/// </summary>
public static class RttSampleDrain
{
    [MethodImpl(HotPath.JitCompiled)]
    public static void Take(ref RttHist live, ref RttHist into)
    {
        into.Count = live.Count;
        into.SumNs = live.SumNs;
        into.MinNs = live.MinNs;
        into.MaxNs = live.MaxNs;
        into.BaseOctave = live.BaseOctave;
        into.Below = TakeWord(ref live.Below);
        into.Above = TakeWord(ref live.Above);

        // A read adds to a few of the 96 buckets: eight at a time, the exchanges only
        // where one is not zero. A plain read that misses a sample being added leaves it
        // for the next take; one that sees a sample is followed by the exchange that takes it.
        var from = live.AsSpan();
        var to = into.AsSpan();
        for (int i = 0; i < from.Length; i += Vector256<uint>.Count)
        {
            var read = Vector256.Create(from.Slice(i, Vector256<uint>.Count));
            if (read == Vector256<uint>.Zero)
            {
                read.CopyTo(to.Slice(i));
                continue;
            }
            for (int lane = 0; lane < Vector256<uint>.Count; lane++)
                to[i + lane] = read.GetElement(lane) == 0 ? 0 : Interlocked.Exchange(ref from[i + lane], 0);
        }
    }

    private static uint TakeWord(ref uint word) => word == 0 ? 0 : Interlocked.Exchange(ref word, 0);
}
