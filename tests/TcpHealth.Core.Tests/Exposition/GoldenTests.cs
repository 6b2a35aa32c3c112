using System.Text;
using TcpHealth.Core.Exposition;

namespace TcpHealth.Core.Tests.Exposition;

/// <summary>
/// Golden/*.txt were written by hand from the format specs, not captured from the writer:
/// the writer must reproduce them byte for byte.
/// </summary>
public class GoldenTests
{
    [Theory]
    [InlineData(ExpositionFormat.PrometheusText004, "prometheus-text-0.0.4.txt")]
    [InlineData(ExpositionFormat.OpenMetrics100, "openmetrics-1.0.0.txt")]
    public void Writer_output_matches_the_hand_written_golden_file(ExpositionFormat format, string file)
    {
        var expected = File.ReadAllBytes(ExpositionTestData.GoldenPath(file));
        var actual = ExpositionTestData.RenderBytes(format, ExpositionTestData.GoldenFamilies());
        // Compare as text first for a readable diff, then as bytes (no BOM, no CR).
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(actual));
        Assert.Equal(expected, actual);
    }
}
