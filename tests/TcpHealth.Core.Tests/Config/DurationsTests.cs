using TcpHealth.Core.Config;

namespace TcpHealth.Core.Tests.Config;

public class DurationsTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("10s", 10_000)]
    [InlineData("500ms", 500)]
    [InlineData("1m30s", 90_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData(".5s", 500)]
    [InlineData("1h2m3s4ms", 3_723_004)]
    [InlineData("+10m", 600_000)]
    [InlineData("-1s", -1_000)]
    [InlineData("0s", 0)]
    public void Parses_Go_durations(string text, long milliseconds)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), Durations.Parse(text));
    }

    [Theory]
    [InlineData("250us", 2_500)]
    [InlineData("250µs", 2_500)]
    [InlineData("250μs", 2_500)]
    [InlineData("1500ns", 15)]
    [InlineData("150ns", 1)] // finer than a 100 ns tick: truncated
    public void Parses_sub_millisecond_units(string text, long ticks)
    {
        Assert.Equal(TimeSpan.FromTicks(ticks), Durations.Parse(text));
    }

    [Theory]
    [InlineData("", "empty duration")]
    [InlineData("10", "'10': missing unit after 10")]
    [InlineData("1m30", "missing unit after 30")]
    [InlineData("1d", "'1d': unknown unit 'd' (valid units: ns, us, ms, s, m, h)")]
    [InlineData("10 s", "unknown unit ' s'")]
    [InlineData("s", "expected a number")]
    [InlineData("-", "missing number")]
    [InlineData(".s", "expected a number")]
    [InlineData("300000000h", "too large")]
    public void Rejects_with_a_clear_message(string text, string expected)
    {
        Assert.False(Durations.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
        Assert.Throws<FormatException>(() => Durations.Parse(text));
    }
}
