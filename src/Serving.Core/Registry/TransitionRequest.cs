namespace Serving.Core.Registry;

/// <summary>A request to move a version to another stage.</summary>
/// <param name="Target">The stage to move to.</param>
/// <param name="Approver">Who approves; required for <see cref="ModelStage.Production"/>, the actor otherwise.</param>
/// <param name="Reason">Why; required for <see cref="ModelStage.Production"/>.</param>
/// <param name="Force">Override a promotion gate refusal.</param>
/// <param name="ForceReason">Why the gate is overridden; required with <paramref name="Force"/>.</param>
internal sealed record TransitionRequest(
    ModelStage Target,
    string? Approver,
    string? Reason,
    bool Force = false,
    string? ForceReason = null);
