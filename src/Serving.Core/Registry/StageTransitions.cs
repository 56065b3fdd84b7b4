namespace Serving.Core.Registry;

/// <summary>
/// The explicit table of legal stage transitions.
/// </summary>
/// <remarks>
/// <code>
/// None       → Staging, Archived
/// Staging    → Production, Archived
/// Production → Archived
/// Archived   → Staging
/// </code>
/// A version reaches Production only from Staging (so every promoted version was a candidate
/// first); an archived version comes back through Staging, or directly to Production only by
/// <c>rollback</c>. Promoting a version archives the current Production version as a side effect,
/// and staying in the same stage is not a transition.
/// </remarks>
internal static class StageTransitions
{
    /// <summary>Whether a version in <paramref name="from"/> may be moved to <paramref name="to"/>.</summary>
    public static bool IsLegal(ModelStage from, ModelStage to) => (from, to) switch
    {
        (ModelStage.None, ModelStage.Staging) => true,
        (ModelStage.None, ModelStage.Archived) => true,
        (ModelStage.Staging, ModelStage.Production) => true,
        (ModelStage.Staging, ModelStage.Archived) => true,
        (ModelStage.Production, ModelStage.Archived) => true,
        (ModelStage.Archived, ModelStage.Staging) => true,
        _ => false,
    };

    /// <summary>The stages a version in <paramref name="from"/> may move to, for error messages.</summary>
    public static string LegalTargets(ModelStage from) => from switch
    {
        ModelStage.None => "Staging, Archived",
        ModelStage.Staging => "Production, Archived",
        ModelStage.Production => "Archived",
        ModelStage.Archived => "Staging",
        _ => "none",
    };

    /// <summary>Parses a stage name case-insensitively; numeric strings are refused.</summary>
    public static bool TryParse(string? text, out ModelStage stage)
    {
        stage = default;
        if (string.IsNullOrWhiteSpace(text) || !char.IsLetter(text[0]))
        {
            return false;
        }

        return Enum.TryParse(text, ignoreCase: true, out stage) && Enum.IsDefined(stage);
    }
}
