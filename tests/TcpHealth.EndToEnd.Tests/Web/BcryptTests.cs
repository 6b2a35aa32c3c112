using System.Diagnostics;
using System.Text;
using TcpHealth.Agent.Web;

namespace TcpHealth.EndToEnd.Tests.Web;

public class BcryptTests
{
    // Published test vectors (OpenBSD's bcrypt regression tests, reused by jBCrypt and others).
    [Theory]
    [InlineData("", "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.")]
    [InlineData("a", "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe")]
    [InlineData("abc", "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i")]
    [InlineData("abcdefghijklmnopqrstuvwxyz", "$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC")]
    [InlineData("~!@#$%^&*()      ~!@#$%^&*()PNBFRD", "$2a$06$fPIsBO8qRqkjj273rfaOI.HtSV9jLDpTbZn782DC6/t7qT67P6FfO")]
    public void PublishedVectors(string password, string hash)
    {
        Assert.True(Bcrypt.Verify(Encoding.UTF8.GetBytes(password), hash));
        Assert.False(Bcrypt.Verify(Encoding.UTF8.GetBytes(password + "x"), hash));
    }

    [Fact]
    public void PinnedHtpasswdHash()
    {
        Assert.True(Bcrypt.Verify("pass"u8, WebTestFiles.UserPassHash));
        Assert.False(Bcrypt.Verify("Pass"u8, WebTestFiles.UserPassHash));
        Assert.False(Bcrypt.Verify(""u8, WebTestFiles.UserPassHash));
    }

    [Fact]
    public void FreshHtpasswdHash()
    {
        // apache2-utils: the tool the exporter-toolkit docs tell users to hash with ($2y$ prefix).
        var psi = new ProcessStartInfo("htpasswd", ["-nbBC", "10", "user", "s3cret pass"])
        {
            RedirectStandardOutput = true,
        };
        using var p = Process.Start(psi)!;
        var line = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        Assert.StartsWith("user:$2y$10$", line);
        var hash = line["user:".Length..];

        Assert.True(Bcrypt.LooksLikeHash(hash));
        Assert.True(Bcrypt.Verify("s3cret pass"u8, hash));
        Assert.False(Bcrypt.Verify("s3cret pas"u8, hash));
    }

    [Theory]
    [InlineData("$1$abcdefgh$0123456789012345678901")] // md5-crypt: not bcrypt
    [InlineData("plaintext")]
    [InlineData("$2x$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i")]
    [InlineData("$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0")]
    public void OnlyBcryptHashesAreAccepted(string hash)
    {
        Assert.False(Bcrypt.LooksLikeHash(hash));
        Assert.False(Bcrypt.Verify("abc"u8, hash));
    }

    [Fact]
    public void NulInPasswordIsRejectedNotTruncated()
    {
        Assert.False(Bcrypt.Verify("abc\0zzz"u8, "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i"));
    }

    [Fact]
    public void SelfTestPasses() => Bcrypt.EnsureAvailable();
}
