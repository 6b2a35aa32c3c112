using TcpHealth.Core.Exposition;

namespace TcpHealth.Core.Tests.Exposition;

public class ExpositionFormatsTests
{
    private const ExpositionFormat Text = ExpositionFormat.PrometheusText004;
    private const ExpositionFormat Om = ExpositionFormat.OpenMetrics100;

    [Theory]
    // Prometheus 2.42's scrape Accept header.
    [InlineData("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", Om)]
    // Prometheus 3.x's default (escaping parameter ignored).
    [InlineData("application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,application/openmetrics-text;version=0.0.1;q=0.5,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2", Om)]
    // Prometheus with scrape_protocols preferring the classic text format.
    [InlineData("text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5", Text)]
    [InlineData("*/*", Text)]                      // curl
    [InlineData(null, Text)]                       // no header
    [InlineData("", Text)]
    [InlineData("   ", Text)]
    [InlineData("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", Text)]   // a browser
    [InlineData("application/openmetrics-text", Om)]                                       // no version
    [InlineData("APPLICATION/OpenMetrics-Text; Version=\"1.0.0\"", Om)]                   // case, quotes, spaces
    [InlineData("application/openmetrics-text;version=0.0.1", Text)]                      // a version we do not serve
    [InlineData("application/openmetrics-text;version=1.0.0;q=0", Text)]                  // explicitly refused
    [InlineData("application/openmetrics-text;version=1.0.0;q=0.5,text/plain;q=0.5", Om)] // tie goes to OpenMetrics
    [InlineData("application/openmetrics-text;q=0.3,*/*", Text)]                          // */* gives text q=1
    [InlineData("application/openmetrics-text;q=0.3,text/*;q=0.2", Om)]
    [InlineData("application/openmetrics-text;q=0.3,text/plain;q=0.1,*/*", Om)]           // text/plain beats */*
    [InlineData("application/openmetrics-text;version=1.0.0;q=0,application/openmetrics-text;q=1", Text)]  // versioned range is more specific
    [InlineData("application/openmetrics-text;q=bogus", Text)]                            // malformed range ignored
    [InlineData("application/*", Text)]                                                   // wildcards never pick OpenMetrics
    [InlineData("garbage,,;;", Text)]
    public void Negotiate_picks_OpenMetrics_only_when_asked_for_and_not_outranked(string? accept, ExpositionFormat expected)
    {
        Assert.Equal(expected, ExpositionFormats.Negotiate(accept));
    }

    [Fact]
    public void Content_types_name_version_and_charset()
    {
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", ExpositionFormats.ContentType(Text));
        Assert.Equal("application/openmetrics-text; version=1.0.0; charset=utf-8", ExpositionFormats.ContentType(Om));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExpositionFormats.ContentType((ExpositionFormat)7));
    }
}
