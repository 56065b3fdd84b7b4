namespace Serving.Gateway.Admin;

/// <summary>The body of <c>PUT /admin/models/{model}/aliases/{alias}</c>.</summary>
internal sealed record SetAliasBody
{
    /// <summary>The version the alias points at.</summary>
    public int? Version { get; init; }

    /// <summary>Who.</summary>
    public string? Actor { get; init; }

    /// <summary>Why.</summary>
    public string? Reason { get; init; }
}
