namespace TcpHealth.Core.Config;

/// <summary>
/// Go-style durations ("500ms", "10s", "1m30s", "2h", "1.5h"), the notation
/// Prometheus and Kubernetes users already write, for the config file and
/// CLI flags alike.
/// </summary>
/// <remarks>
/// Follows Go's time.ParseDuration: an optional sign, then one or more
/// decimal numbers each with a unit (ns, us/µs, ms, s, m, h); "0" alone needs
/// no unit. No days, since a day is not always 24 h. TimeSpan counts 100 ns
/// ticks, so anything finer is truncated toward zero.
/// </remarks>
public static class Durations
{
    private const decimal NanosecondsPerTick = 100m;
    private const string ValidUnits = "ns, us, ms, s, m, h";

    public static TimeSpan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var value, out var error) ? value : throw new FormatException(error);
    }

    public static bool TryParse(string? text, out TimeSpan value) => TryParse(text, out value, out _);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says why, quoting the input.</summary>
    public static bool TryParse(string? text, out TimeSpan value, out string? error)
    {
        value = TimeSpan.Zero;
        error = text is null ? "empty duration" : Validate(text, out value);
        if (error is null)
            return true;
        if (text is not null)
            error = $"'{text}': {error}";
        return false;
    }

    private static string? Validate(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text.Length == 0)
            return "empty duration";

        int i = 0;
        bool negative = text[0] == '-';
        if (text[0] is '-' or '+')
            i++;
        if (text.AsSpan(i) is "0")
            return null;
        if (i == text.Length)
            return "missing number";

        decimal nanoseconds = 0;
        try
        {
            while (i < text.Length)
            {
                int start = i;
                decimal number = 0;
                bool anyDigits = false;
                for (; i < text.Length && char.IsAsciiDigit(text[i]); i++, anyDigits = true)
                    number = checked(number * 10 + (text[i] - '0'));
                if (i < text.Length && text[i] == '.')
                {
                    i++;
                    decimal scale = 0.1m;
                    for (; i < text.Length && char.IsAsciiDigit(text[i]); i++, anyDigits = true, scale /= 10)
                        number += (text[i] - '0') * scale;
                }
                if (!anyDigits)
                    return $"expected a number at '{text[start..]}'";

                int unitStart = i;
                while (i < text.Length && !char.IsAsciiDigit(text[i]) && text[i] != '.')
                    i++;
                var unit = text[unitStart..i];
                if (unit.Length == 0)
                    return $"missing unit after {text[start..i]} (valid units: {ValidUnits})";
                if (UnitNanoseconds(unit) is not { } perUnit)
                    return $"unknown unit '{unit}' (valid units: {ValidUnits})";
                nanoseconds = checked(nanoseconds + number * perUnit);
            }
        }
        catch (OverflowException)
        {
            return "duration is too large";
        }

        // Go's limit: the duration must fit in int64 nanoseconds (~292 years).
        if (nanoseconds > long.MaxValue)
            return "duration is too large";
        long ticks = (long)decimal.Truncate(nanoseconds / NanosecondsPerTick);
        value = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return null;
    }

    private static decimal? UnitNanoseconds(string unit) => unit switch
    {
        "ns" => 1m,
        "us" or "µs" or "μs" => 1_000m, // U+00B5 micro sign and U+03BC Greek mu, as Go accepts
        "ms" => 1_000_000m,
        "s" => 1_000_000_000m,
        "m" => 60_000_000_000m,
        "h" => 3_600_000_000_000m,
        _ => null,
    };
}
