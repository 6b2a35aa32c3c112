using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace TcpHealth.Agent.Web;

/// <summary>
/// bcrypt verification through libxcrypt's crypt_rn (libcrypt.so.1, always installed on Debian
/// 12 / Ubuntu 22.04+ / RHEL 8+, which handle $2a$, $2b$ and $2y$). No bcrypt package is on the
/// NuGet mirror, and a hand-written Blowfish would be more code to trust than the system's.
/// </summary>
public static partial class Bcrypt
{
    // sizeof(struct crypt_data) in libxcrypt is 32768; crypt_rn refuses smaller buffers, so any
    // future growth shows up as a failed self-test rather than memory corruption.
    private const int CryptDataSize = 32768;

    /// <summary>Cheap syntax check used when loading the config: "$2?$NN$" + 53 characters.</summary>
    public static bool LooksLikeHash(string hash) =>
        hash.Length == 60
        && hash[0] == '$' && hash[1] == '2' && hash[2] is 'a' or 'b' or 'y' && hash[3] == '$'
        && char.IsAsciiDigit(hash[4]) && char.IsAsciiDigit(hash[5]) && hash[6] == '$'
        && hash.AsSpan(7).IndexOfAnyExcept("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") < 0;

    /// <summary>True when <paramref name="password"/> hashes to <paramref name="hash"/>. Takes the hash's cost in CPU time.</summary>
    public static bool Verify(ReadOnlySpan<byte> password, string hash)
    {
        // Only bcrypt: a "$1$" or DES hash in the config must not become an accepted weaker scheme.
        // A NUL would silently truncate the C string; no real password has one.
        if (!LooksLikeHash(hash) || password.Contains((byte)0))
            return false;

        var expected = Encoding.ASCII.GetBytes(hash);
        var computed = Crypt(password, expected);
        return computed is not null && CryptographicOperations.FixedTimeEquals(computed, expected);
    }

    /// <summary>Throws when libcrypt is missing or lacks bcrypt, so the agent fails at startup, not at the first scrape.</summary>
    public static void EnsureAvailable()
    {
        // OpenBSD/jBCrypt test vector for "abc" at cost 6.
        bool ok;
        try
        {
            ok = Verify("abc"u8, "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i");
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new PlatformNotSupportedException(
                "basic_auth_users needs bcrypt from libxcrypt (libcrypt.so.1 with crypt_rn), which was not found", e);
        }
        if (!ok)
            throw new PlatformNotSupportedException("libcrypt.so.1 does not verify bcrypt hashes correctly");
    }

    private static unsafe byte[]? Crypt(ReadOnlySpan<byte> password, byte[] setting)
    {
        var phrase = new byte[password.Length + 1];
        var settingZ = new byte[setting.Length + 1];
        password.CopyTo(phrase);
        setting.CopyTo(settingZ);
        var data = NativeMemory.AllocZeroed(CryptDataSize);
        try
        {
            fixed (byte* p = phrase)
            fixed (byte* s = settingZ)
            {
                var result = crypt_rn(p, s, data, CryptDataSize);
                // crypt_rn returns NULL (never a "*0" failure token) on any error.
                return result is null ? null : MemoryMarshal.CreateReadOnlySpanFromNullTerminated(result).ToArray();
            }
        }
        finally
        {
            // The scratch area holds password-derived state.
            NativeMemory.Clear(data, CryptDataSize);
            NativeMemory.Free(data);
            CryptographicOperations.ZeroMemory(phrase);
        }
    }

    // char *crypt_rn(const char *phrase, const char *setting, void *data, int size);
    [LibraryImport("libcrypt.so.1", EntryPoint = "crypt_rn")]
    private static unsafe partial byte* crypt_rn(byte* phrase, byte* setting, void* data, int size);
}
