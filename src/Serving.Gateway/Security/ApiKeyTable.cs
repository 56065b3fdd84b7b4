using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Serving.Gateway.Security;

/// <summary>
/// The configured API keys (<see cref="InferenceAccessOptions.ApiKeys"/>) and the identities they stand for.
/// A presented key is hashed once and compared, in constant time, with the hash of every configured key;
/// a key file is compared by its contents at most once a second (<see cref="SecretFile"/>) (a rotated secret takes effect without a
/// restart), and its hash computed again only when its text changed.
/// </summary>
internal sealed class ApiKeyTable
{
    private readonly Entry[] _entries;

    public ApiKeyTable(InferenceAccessOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var entries = new List<Entry>(options.ApiKeys.Count);
        foreach (var (name, key) in options.ApiKeys)
        {
            if (string.IsNullOrEmpty(key.Key) && string.IsNullOrEmpty(key.KeyFile))
            {
                throw new OptionsValidationException($"Serving:Inference:ApiKeys:{name}", typeof(ApiKeyOptions), [$"Serving:Inference:ApiKeys:{name} has neither Key nor KeyFile."]);
            }
            entries.Add(new Entry(new InferenceIdentity(name, name), key.Key, key.KeyFile));
        }
        _entries = [.. entries];
    }

    /// <summary>The identity whose key is <paramref name="presented"/>, or null.</summary>
    public InferenceIdentity? Match(ReadOnlySpan<char> presented)
    {
        if (presented.IsEmpty)
        {
            return null;
        }
        Span<byte> hash = stackalloc byte[SecretComparison.HashLength];
        SecretComparison.Hash(presented, hash);
        InferenceIdentity? matched = null;
        // Every entry is compared, whichever matches, so the time taken does not say which key is close.
        foreach (var entry in _entries)
        {
            if (entry.Hash() is { } expected && CryptographicOperations.FixedTimeEquals(hash, expected))
            {
                matched ??= entry.Identity;
            }
        }
        return matched;
    }

    private sealed class Entry(InferenceIdentity identity, string? key, string? keyFile)
    {
        private readonly byte[]? _configuredHash = string.IsNullOrEmpty(key) ? null : SecretComparison.Hash(key);
        private Hashed? _fromFile;

        public InferenceIdentity Identity { get; } = identity;

        public byte[]? Hash()
        {
            if (string.IsNullOrEmpty(keyFile))
            {
                return _configuredHash;
            }
            if (SecretFile.Read(keyFile) is not { } text)
            {
                return null;
            }
            var cached = _fromFile;
            if (cached is not null && ReferenceEquals(cached.Text, text))
            {
                return cached.Hash;
            }
            cached = new Hashed(text, SecretComparison.Hash(text));
            _fromFile = cached;
            return cached.Hash;
        }

        private sealed record Hashed(string Text, byte[] Hash);
    }
}
