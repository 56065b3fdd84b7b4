using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Serving.Gateway.Security;

/// <summary>
/// Compares a presented secret (token, API key) with a configured one in constant time: both are hashed
/// with SHA-256 first, so the comparison does not depend on the secrets' lengths or common prefix either.
/// </summary>
internal static class SecretComparison
{
    public const int HashLength = SHA256.HashSizeInBytes;

    /// <summary>Writes the SHA-256 of <paramref name="secret"/>'s UTF-8 bytes to <paramref name="hash"/>.</summary>
    public static void Hash(ReadOnlySpan<char> secret, Span<byte> hash)
    {
        var length = Encoding.UTF8.GetMaxByteCount(secret.Length);
        byte[]? rented = null;
        var bytes = length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(secret, bytes);
            SHA256.HashData(bytes[..written], hash);
            CryptographicOperations.ZeroMemory(bytes[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The SHA-256 of <paramref name="secret"/>, for a configured secret hashed once.</summary>
    public static byte[] Hash(string secret)
    {
        var hash = new byte[HashLength];
        Hash(secret.AsSpan(), hash);
        return hash;
    }

    /// <summary>Whether <paramref name="presented"/> equals <paramref name="expected"/>, in constant time.</summary>
    public static bool Equal(ReadOnlySpan<char> presented, string expected)
    {
        Span<byte> a = stackalloc byte[HashLength];
        Span<byte> b = stackalloc byte[HashLength];
        Hash(presented, a);
        Hash(expected.AsSpan(), b);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}
