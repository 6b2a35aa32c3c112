using TcpHealth.Agent.Web;

namespace TcpHealth.EndToEnd.Tests.Web;

public class BasicAuthenticatorTests
{
    private sealed class ManualTime : TimeProvider
    {
        public long Now;
        public override long GetTimestamp() => Now;
        public override long TimestampFrequency => 1_000;
    }

    private static Dictionary<string, string> Users() => new() { ["user"] = WebTestFiles.UserPassHash };

    [Fact]
    public void SuccessIsCachedForAShortTime()
    {
        var time = new ManualTime();
        var auth = new BasicAuthenticator(Users(), time);

        Assert.True(auth.Verify("user", "pass"u8));
        Assert.True(auth.Verify("user", "pass"u8));
        Assert.Equal(1, auth.BcryptRuns);

        time.Now += (long)BasicAuthenticator.CacheTtl.TotalMilliseconds + 1;
        Assert.True(auth.Verify("user", "pass"u8));
        Assert.Equal(2, auth.BcryptRuns);
    }

    [Fact]
    public void FailuresAreNotCachedAndCostTheSame()
    {
        var auth = new BasicAuthenticator(Users(), new ManualTime());
        Assert.False(auth.Verify("user", "nope"u8));
        Assert.False(auth.Verify("user", "nope"u8));
        // Unknown user: still one bcrypt run, so timing does not reveal which users exist.
        Assert.False(auth.Verify("mallory", "pass"u8));
        Assert.Equal(3, auth.BcryptRuns);
    }

    [Fact]
    public void ACachedPasswordDoesNotOpenOtherUsers()
    {
        var auth = new BasicAuthenticator(Users(), new ManualTime());
        Assert.True(auth.Verify("user", "pass"u8));
        Assert.False(auth.Verify("User", "pass"u8));
        Assert.False(auth.Verify("user", "pass "u8));
    }
}
