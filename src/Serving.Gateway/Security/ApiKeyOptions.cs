namespace Serving.Gateway.Security;

/// <summary>One named API key (<c>Serving:Inference:ApiKeys:{name}</c>).</summary>
public sealed class ApiKeyOptions
{
    /// <summary>The key itself (prefer <see cref="KeyFile"/>: configuration values show up in process listings).</summary>
    public string? Key { get; set; }

    /// <summary>A file holding the key, compared by its contents at most once a second (a rotated key applies within a second); it wins over <see cref="Key"/>.</summary>
    public string? KeyFile { get; set; }
}
