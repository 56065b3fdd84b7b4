namespace Serving.Gateway.Remote;

/// <summary>Matches the protocol's per-model GET paths (<c>/v2/models/{m}[/...]</c>), which a gateway forwards for models it does not host.</summary>
internal static class RemoteMetadata
{
    private const string Prefix = "/v2/models/";

    /// <summary>Whether <paramref name="path"/> is under <c>/v2/models/{m}</c>; gives the model name.</summary>
    public static bool TryMatchModel(string? path, out ReadOnlySpan<char> model)
    {
        model = default;
        if (path is null || !path.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }
        var rest = path.AsSpan(Prefix.Length);
        var slash = rest.IndexOf('/');
        model = slash < 0 ? rest : rest[..slash];
        return !model.IsEmpty;
    }
}
