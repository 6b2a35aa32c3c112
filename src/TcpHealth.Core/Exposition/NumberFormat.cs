using System.Globalization;

namespace TcpHealth.Core.Exposition;

/// <summary>
/// Number spellings. Sample values: integers as plain digits (a byte counter of 1000000 must
/// not read "1E+06"), everything else the shortest round-trip form with a lower-case exponent,
/// which both Go's ParseFloat and the OpenMetrics ABNF accept. "le" values: Go's %g
/// (strconv 'g', -1), the spelling client_golang uses and the one OpenMetrics names as its
/// canonical form, so a bucket keeps the same label value across exporters and formats.
/// </summary>
internal static class NumberFormat
{
    /// <summary>Longest value spelling: "-1.7976931348623157e+308" is 24 bytes.</summary>
    public const int MaxValueBytes = 32;

    // Below 2^53 every integer is exact in a double, so printing it as an integer loses nothing.
    private const double MaxExactInteger = 9007199254740992.0;

    public static int FormatValue(double value, Span<byte> destination)
    {
        if (double.IsNaN(value))
            return Copy("NaN"u8, destination);
        if (double.IsPositiveInfinity(value))
            return Copy("+Inf"u8, destination);
        if (double.IsNegativeInfinity(value))
            return Copy("-Inf"u8, destination);

        int written;
        if (Math.Abs(value) < MaxExactInteger && value == Math.Floor(value))
        {
            // (long)-0.0 is 0: a negative zero prints as "0".
            ((long)value).TryFormat(destination, out written, default, CultureInfo.InvariantCulture);
            return written;
        }

        // "R" is the shortest string that round-trips (.NET Core 3.0 and later).
        value.TryFormat(destination, out written, "R", CultureInfo.InvariantCulture);
        for (var i = 0; i < written; i++)
        {
            if (destination[i] == (byte)'E')
                destination[i] = (byte)'e';
        }
        return written;
    }

    /// <summary>
    /// The "le" label value for a bucket bound: Go's %g, plus ".0" in OpenMetrics when the
    /// result has neither a decimal point nor an exponent (OpenMetrics 1.0, "Canonical Numbers":
    /// 0.001, 1.0, 100000.0, 1e+06).
    /// </summary>
    public static string FormatLe(double bound, bool openMetrics)
    {
        if (double.IsPositiveInfinity(bound))
            return "+Inf";
        var s = FormatGoG(bound);
        if (openMetrics && s.IndexOfAny(['.', 'e']) < 0)
            s += ".0";
        return s;
    }

    /// <summary>Go's strconv.FormatFloat(v, 'g', -1, 64) for finite v.</summary>
    internal static string FormatGoG(double v)
    {
        if (v == 0)
            return "0";

        // Decompose the shortest round-trip digits of .NET into digits d1d2...dn and a decimal
        // point position dp, value = 0.d1d2...dn * 10^dp, as Go's decimal conversion does.
        var r = v.ToString("R", CultureInfo.InvariantCulture);
        var negative = r[0] == '-';
        if (negative)
            r = r[1..];
        var exponent = 0;
        var e = r.IndexOf('E');
        if (e >= 0)
        {
            exponent = int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            r = r[..e];
        }
        var dot = r.IndexOf('.');
        var dp = (dot < 0 ? r.Length : dot) + exponent;
        var digits = dot < 0 ? r : r.Remove(dot, 1);
        var lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0')
            lead++;
        digits = digits[lead..].TrimEnd('0');
        dp -= lead;

        var sb = new System.Text.StringBuilder(24);
        if (negative)
            sb.Append('-');
        var exp = dp - 1;
        // Go: %e when the exponent is < -4 or >= the precision, which is 6 for shortest output.
        if (exp < -4 || exp >= 6)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            sb.Append('e').Append(exp < 0 ? '-' : '+');
            var abs = Math.Abs(exp);
            if (abs < 10)
                sb.Append('0');
            sb.Append(abs.ToString(CultureInfo.InvariantCulture));
        }
        else if (dp <= 0)
        {
            sb.Append("0.").Append('0', -dp).Append(digits);
        }
        else if (dp >= digits.Length)
        {
            sb.Append(digits).Append('0', dp - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, dp).Append('.').Append(digits, dp, digits.Length - dp);
        }
        return sb.ToString();
    }

    private static int Copy(ReadOnlySpan<byte> s, Span<byte> destination)
    {
        s.CopyTo(destination);
        return s.Length;
    }
}
