using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Serving.Core.Repository;
using Serving.Core.Storage;

namespace Serving.Core.Registry;

/// <summary>
/// The registry's rules as pure functions: current state in, next state and audit entries out (or an
/// error). Stores apply them inside their compare-and-swap loop, so the rules never see a stale state
/// that they then overwrite.
/// </summary>
internal static partial class RegistryRules
{
    /// <summary>The actor recorded for versions seeded from the model repository.</summary>
    public const string SeedActor = "seed";

    /// <summary>Registers a new version in <see cref="ModelStage.None"/>; creates the model when it does not exist.</summary>
    public static StoreResult<StateChange> Register(
        ModelState? current, string model, VersionRegistration registration, ChangeContext context, DateTimeOffset now)
    {
        if (ValidateModel(model) is { } modelError)
        {
            return modelError;
        }

        if (ValidateRegistration(registration) is { } invalid)
        {
            return invalid;
        }

        var state = current ?? new ModelState { Name = model };
        var number = registration.Version ?? state.LatestVersion + 1;
        if (state.FindVersion(number) is not null)
        {
            return Error(StoreErrorCode.AlreadyExists, $"model '{model}' already has version {number}");
        }

        var version = NewVersion(number, registration, ModelStage.None, now);
        var next = Next(state) with { Versions = Insert(state.Versions, version) };
        var entry = Entry(next, now, context.AuditActor, AuditAction.Register, number) with
        {
            After = nameof(ModelStage.None),
            Reason = context.AuditReason ?? $"artifact {registration.Artifact} sha256 {registration.Sha256}",
        };
        return new StateChange(next, [entry]);
    }

    /// <summary>
    /// Creates a model from the versions found in the model repository: the highest version becomes
    /// Production, every other version Staging (loaded, and callable by version as before the registry knew
    /// them). No earlier Production version is recorded, so <c>rollback</c> has nothing to return to until a
    /// promotion. Refused when the model already exists.
    /// </summary>
    public static StoreResult<StateChange> Seed(
        ModelState? current, string model, IReadOnlyList<VersionRegistration> versions, DateTimeOffset now)
    {
        if (ValidateModel(model) is { } modelError)
        {
            return modelError;
        }

        if (current is not null)
        {
            return Error(StoreErrorCode.AlreadyExists, $"model '{model}' is already registered");
        }

        if (versions.Count == 0)
        {
            return Error(StoreErrorCode.InvalidArgument, $"model '{model}' has no versions to seed");
        }

        var ordered = new List<VersionRegistration>(versions);
        foreach (var registration in ordered)
        {
            if (registration.Version is not > 0)
            {
                return Error(StoreErrorCode.InvalidArgument, "seeded versions need explicit positive numbers");
            }

            if (ValidateRegistration(registration) is { } invalid)
            {
                return invalid;
            }
        }

        ordered.Sort(static (a, b) => a.Version!.Value.CompareTo(b.Version!.Value));
        var next = new ModelState { Name = model, Revision = 1 };
        var built = ImmutableArray.CreateBuilder<ModelVersion>(ordered.Count);
        var audit = ImmutableArray.CreateBuilder<AuditEntry>(ordered.Count);
        for (var i = 0; i < ordered.Count; i++)
        {
            var number = ordered[i].Version!.Value;
            if (i > 0 && number == built[i - 1].Version)
            {
                return Error(StoreErrorCode.AlreadyExists, $"model '{model}' lists version {number} twice");
            }

            // The highest version serves by default; the others stay loaded in Staging so that they
            // can still be called by version, as they were before the registry knew them.
            var stage = i == ordered.Count - 1 ? ModelStage.Production : ModelStage.Staging;
            built.Add(NewVersion(number, ordered[i], stage, now));

            audit.Add(Entry(next, now, SeedActor, AuditAction.Register, number) with
            {
                After = stage.ToString(),
                Reason = "seeded from the model repository",
            });
        }

        next = next with { Versions = built.MoveToImmutable(), ProductionHistory = [] };
        return new StateChange(next, audit.ToImmutable());
    }

    /// <summary>
    /// Moves a version to another stage. Production needs an approver and a reason, passes the
    /// promotion gate (or is forced with a force reason), and archives the previous Production version.
    /// </summary>
    public static StoreResult<StateChange> Transition(
        ModelState? current, string model, int version, TransitionRequest request, double tolerance, DateTimeOffset now)
    {
        if (Find(current, model, version, out var state, out var candidate) is { } missing)
        {
            return missing;
        }

        var from = candidate.Stage;
        var to = request.Target;
        if (from == to)
        {
            return Error(StoreErrorCode.InvalidTransition, $"{model} v{version} is already in {to}");
        }

        if (!StageTransitions.IsLegal(from, to))
        {
            return Error(StoreErrorCode.InvalidTransition,
                $"{model} v{version} cannot move from {from} to {to} (from {from}: {StageTransitions.LegalTargets(from)})");
        }

        var context = new ChangeContext(request.Approver, request.Reason);
        if (to != ModelStage.Production)
        {
            var moved = Next(state) with { Versions = Replace(state.Versions, candidate with { Stage = to, StageChanged = now }) };
            var entry = Entry(moved, now, context.AuditActor, AuditAction.Transition, version) with
            {
                Before = from.ToString(),
                After = to.ToString(),
                Reason = context.AuditReason,
            };
            return new StateChange(moved, [entry]);
        }

        if (string.IsNullOrWhiteSpace(request.Approver) || string.IsNullOrWhiteSpace(request.Reason))
        {
            return Error(StoreErrorCode.ApprovalRequired,
                $"promoting {model} v{version} to Production needs an approver and a reason");
        }

        if (request.Force && string.IsNullOrWhiteSpace(request.ForceReason))
        {
            return Error(StoreErrorCode.ApprovalRequired, "a forced promotion needs a force reason");
        }

        var previous = state.Production;
        if (previous is not null && !request.Force)
        {
            var regressions = PromotionGate.Evaluate(candidate.Metrics, previous.Metrics, tolerance);
            if (!regressions.IsEmpty)
            {
                return Error(StoreErrorCode.GateRejected,
                    $"promotion of {model} v{version} refused, it regresses against production v{previous.Version}: " +
                    $"{PromotionGate.Describe(regressions, tolerance)}; force it with a reason to override");
            }
        }

        var versions = Replace(state.Versions, candidate with { Stage = ModelStage.Production, StageChanged = now });
        var history = state.ProductionHistory;
        if (previous is not null)
        {
            versions = Replace(versions, previous with { Stage = ModelStage.Archived, StageChanged = now });
            history = history.Add(previous.Version);
        }

        var next = Next(state) with { Versions = versions, ProductionHistory = history };
        var audit = ImmutableArray.CreateBuilder<AuditEntry>(2);
        audit.Add(Entry(next, now, context.AuditActor, AuditAction.Transition, version) with
        {
            Before = from.ToString(),
            After = nameof(ModelStage.Production),
            Reason = context.AuditReason,
            Forced = request.Force,
            ForceReason = request.Force ? request.ForceReason!.Trim() : null,
        });
        if (previous is not null)
        {
            audit.Add(Entry(next, now, context.AuditActor, AuditAction.Transition, previous.Version) with
            {
                Before = nameof(ModelStage.Production),
                After = nameof(ModelStage.Archived),
                Reason = $"superseded by v{version}",
            });
        }

        return new StateChange(next, audit.ToImmutable());
    }

    /// <summary>
    /// Returns Production to the version the last promotion archived; the current Production version
    /// is archived. Repeated rollbacks walk further back. Needs a reason.
    /// </summary>
    public static StoreResult<StateChange> Rollback(ModelState? current, string model, ChangeContext context, DateTimeOffset now)
    {
        if (ValidateModel(model) is { } modelError)
        {
            return modelError;
        }

        if (current is null)
        {
            return Error(StoreErrorCode.NotFound, $"model '{model}' not found");
        }

        if (context.AuditReason is null)
        {
            return Error(StoreErrorCode.ApprovalRequired, $"rolling back {model} needs a reason");
        }

        var production = current.Production;
        var history = current.ProductionHistory;
        ModelVersion? target = null;
        while (!history.IsEmpty && target is null)
        {
            var candidate = current.FindVersion(history[^1]);
            history = history.RemoveAt(history.Length - 1);
            if (candidate is not null && candidate.Stage != ModelStage.Production)
            {
                target = candidate;
            }
        }

        if (target is null)
        {
            return Error(StoreErrorCode.NoPreviousProduction, $"model '{model}' has no previous Production version to roll back to");
        }

        var versions = Replace(current.Versions, target with { Stage = ModelStage.Production, StageChanged = now });
        if (production is not null)
        {
            versions = Replace(versions, production with { Stage = ModelStage.Archived, StageChanged = now });
        }

        var next = Next(current) with { Versions = versions, ProductionHistory = history };
        var audit = ImmutableArray.CreateBuilder<AuditEntry>(2);
        audit.Add(Entry(next, now, context.AuditActor, AuditAction.Rollback, target.Version) with
        {
            Before = target.Stage.ToString(),
            After = nameof(ModelStage.Production),
            Reason = context.AuditReason,
        });
        if (production is not null)
        {
            audit.Add(Entry(next, now, context.AuditActor, AuditAction.Rollback, production.Version) with
            {
                Before = nameof(ModelStage.Production),
                After = nameof(ModelStage.Archived),
                Reason = context.AuditReason,
            });
        }

        return new StateChange(next, audit.ToImmutable());
    }

    private static StoreError? ValidateModel(string model) => ModelNames.IsValidModel(model)
        ? null
        : new StoreError(StoreErrorCode.InvalidArgument,
            $"invalid model name '{model}': a letter or digit, then up to 127 letters, digits, '-', '_' or '.'");

    private static StoreError? ValidateRegistration(VersionRegistration registration)
    {
        if (registration.Version is <= 0)
        {
            return new StoreError(StoreErrorCode.InvalidArgument, $"version must be a positive integer, got {registration.Version}");
        }

        if (ArtifactPath.Validate(registration.Artifact) is { } pathError)
        {
            return new StoreError(StoreErrorCode.InvalidArgument, pathError);
        }

        if (!IsSha256Hex(registration.Sha256))
        {
            return new StoreError(StoreErrorCode.InvalidArgument, "sha256 must be 64 lower-case hex digits");
        }

        foreach (var (name, value) in registration.Metrics)
        {
            if (string.IsNullOrWhiteSpace(name) || !double.IsFinite(value))
            {
                return new StoreError(StoreErrorCode.InvalidArgument, $"metric '{name}' must have a name and a finite value");
            }
        }

        foreach (var (key, _) in registration.Tags)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                return new StoreError(StoreErrorCode.InvalidArgument, "tag names must not be empty");
            }
        }

        return null;
    }

    private static bool IsSha256Hex(string value)
    {
        if (value.Length != 64)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static StoreError? Find(ModelState? current, string model, int version, out ModelState state, out ModelVersion found)
    {
        state = current!;
        found = null!;
        if (ValidateModel(model) is { } modelError)
        {
            return modelError;
        }

        if (version <= 0)
        {
            return new StoreError(StoreErrorCode.InvalidArgument, $"version must be a positive integer, got {version}");
        }

        if (current is null)
        {
            return new StoreError(StoreErrorCode.NotFound, $"model '{model}' not found");
        }

        if (current.FindVersion(version) is not { } match)
        {
            return new StoreError(StoreErrorCode.NotFound, $"model '{model}' has no version {version}");
        }

        found = match;
        return null;
    }

    private static ModelVersion NewVersion(int number, VersionRegistration registration, ModelStage stage, DateTimeOffset now) => new()
    {
        Version = number,
        Artifact = registration.Artifact,
        Sha256 = registration.Sha256,
        Created = registration.Created ?? now,
        Stage = stage,
        StageChanged = now,
        Description = registration.Description,
        Features = registration.Features,
        Metrics = registration.Metrics,
        TrainingDataFingerprint = registration.TrainingDataFingerprint,
        CodeCommit = registration.CodeCommit,
        Tags = registration.Tags,
    };

    private static ModelState Next(ModelState state) => state with { Revision = state.Revision + 1 };

    private static AuditEntry Entry(ModelState next, DateTimeOffset now, string actor, AuditAction action, int? version) => new()
    {
        Model = next.Name,
        Revision = next.Revision,
        Timestamp = now,
        Actor = actor,
        Action = action,
        Version = version,
    };

    private static ImmutableArray<ModelVersion> Insert(ImmutableArray<ModelVersion> versions, ModelVersion version)
    {
        var index = 0;
        while (index < versions.Length && versions[index].Version < version.Version)
        {
            index++;
        }

        return versions.Insert(index, version);
    }

    private static ImmutableArray<ModelVersion> Replace(ImmutableArray<ModelVersion> versions, ModelVersion version)
    {
        for (var i = 0; i < versions.Length; i++)
        {
            if (versions[i].Version == version.Version)
            {
                return versions.SetItem(i, version);
            }
        }

        Debug.Fail($"version {version.Version} not in the state it was found in");
        return versions;
    }

    private static StoreError Error(StoreErrorCode code, string message) => new(code, message);
}
