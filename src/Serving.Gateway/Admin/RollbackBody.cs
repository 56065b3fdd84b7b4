namespace Serving.Gateway.Admin;

/// <summary>The body of <c>POST /admin/models/{model}/rollback</c>.</summary>
internal sealed record RollbackBody
{
    /// <summary>Who.</summary>
    public string? Actor { get; init; }

    /// <summary>Why (required).</summary>
    public string? Reason { get; init; }
}
