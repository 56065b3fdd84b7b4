using System.Collections.Immutable;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Serving.Core.Registry;
using Serving.Core.Rollouts;
using Serving.Core.Storage;
using Serving.Gateway.Rollouts;

namespace Serving.Gateway.Admin;

/// <summary>
/// The rollout part of the admin API, under <c>/admin/rollouts</c> (docs/rollouts.md, "Admin API"): read
/// and replace a model's policy, set the canary weight, and drive its plan (start, pause, resume, promote,
/// abort) through <see cref="RolloutController"/>.
/// </summary>
/// <remarks>
/// Every write is a compare-and-swap on the stored revision. Commands and a PUT or DELETE without a
/// <c>revision</c> re-read and re-apply on a conflict (a command is re-judged against the state it finds),
/// up to <see cref="MaxAttempts"/> times (<see cref="CompareAndSwapRetry"/>); with a <c>revision</c> they
/// answer 409 at once. Every write
/// needs a non-empty <c>reason</c> (400 naming it otherwise) and records who (the authenticated admin
/// identity, else the request's <c>actor</c>, else <c>anonymous</c>), when (the injected
/// <see cref="TimeProvider"/>) and why in the policy's <c>updated_by</c>, <c>updated_at</c> and
/// <c>reason</c>, which the store writes to the model's audit trail; and logs it. The side
/// effects a command decides (registry promotion, analysis window reset, rollback record, alert) go to
/// <see cref="IRolloutActionSink"/> after the commit; the weight is already in the committed policy.
/// </remarks>
internal static partial class AdminRolloutsEndpoints
{
    /// <summary>How often a read-modify-write is retried on a conflicting concurrent write.</summary>
    public const int MaxAttempts = 8;

    private const string Anonymous = "anonymous";

    /// <summary>
    /// Maps the rollout admin routes behind <see cref="AdminAuthFilter"/>. Needs the services of
    /// <see cref="RolloutServiceCollectionExtensions.AddServingRollouts"/>.
    /// </summary>
    public static IEndpointRouteBuilder MapAdminRollouts(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var rollouts = app.MapGroup("/admin/rollouts").AddEndpointFilter<AdminAuthFilter>().AddEndpointFilter<StoreUnavailableFilter>();
        rollouts.MapGet("/", ListAsync);
        rollouts.MapGet("/{model}", GetAsync);
        rollouts.MapPut("/{model}", PutAsync);
        rollouts.MapDelete("/{model}", DeleteAsync);
        rollouts.MapPost("/{model}/weight", SetWeightAsync);
        rollouts.MapPost("/{model}/start", static (string model, HttpContext context) => CommandAsync(model, context, "start", Start));
        rollouts.MapPost("/{model}/pause", static (string model, HttpContext context) => CommandAsync(model, context, "pause", Pause));
        rollouts.MapPost("/{model}/resume", static (string model, HttpContext context) => CommandAsync(model, context, "resume", Resume));
        rollouts.MapPost("/{model}/promote", static (string model, HttpContext context) => CommandAsync(model, context, "promote", Promote))
            .WithMetadata(new AdminRequires(AdminRole.Approver)).AddEndpointFilter(FourEyes.RolloutPromoteFilterAsync);
        rollouts.MapPost("/{model}/abort", static (string model, HttpContext context) => CommandAsync(model, context, "abort", Abort));
        return app;
    }

    private static async Task<IResult> ListAsync([FromServices] IRolloutStore store, HttpContext context)
    {
        var policies = await store.ListAsync(context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new RolloutListResponse([.. policies]), RolloutAdminJsonContext.WithPolicyOptions.RolloutListResponse);
    }

    private static async Task<IResult> GetAsync(string model, HttpContext context)
    {
        if (InvalidModel(model) is { } invalid)
        {
            return invalid;
        }

        var services = Services.From(context);
        var policy = await services.Store.GetAsync(model, context.RequestAborted).ConfigureAwait(false);
        return policy is null ? AdminResults.Error(NoPolicy(model)) : Respond(services, policy, null);
    }

    private static async Task<IResult> PutAsync(string model, [FromQuery] string? actor, [FromQuery] string? reason, HttpContext context)
    {
        if (InvalidModel(model) is { } invalid)
        {
            return invalid;
        }

        var (body, readError) = await AdminRequestBody.ReadBytesAsync(context.Request).ConfigureAwait(false);
        if (readError is not null)
        {
            return readError;
        }

        if (body.IsEmpty)
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest, "a JSON rollout policy is required (docs/rollouts.md)");
        }

        var (policy, policyError) = AdminRequestBody.Deserialize(body.Span, RolloutAdminJsonContext.WithPolicyOptions.RolloutPolicy);
        if (policy is null)
        {
            return policyError!;
        }

        var (envelope, envelopeError) = AdminRequestBody.Deserialize(body.Span, RolloutAdminJsonContext.WithPolicyOptions.RolloutPolicyEnvelope);
        if (envelope is null)
        {
            return envelopeError!;
        }

        if (!string.Equals(policy.Model, model, StringComparison.Ordinal))
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest,
                $"the policy's model '{policy.Model}' is not the model of the route, '{model}'");
        }

        if (policy is { Mode: RolloutMode.Canary, Canary.CanaryVersion: null })
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest,
                "mode canary needs canary.canary_version, the version to roll out; for no split use mode none");
        }

        var services = Services.From(context);
        if (await CheckVersionsAsync(services, policy, context.RequestAborted).ConfigureAwait(false) is { } unavailable)
        {
            return AdminResults.Error(unavailable);
        }

        if ((NonEmpty(reason) ?? NonEmpty(policy.Reason)) is not { } why)
        {
            return MissingReason("a rollout policy", "the policy's \"reason\" or ?reason=");
        }

        var who = Actor(context, NonEmpty(envelope.Actor) ?? actor);
        var created = false;
        var result = await CompareAndSwapRetry.RunAsync<RolloutPolicy>(envelope.Revision is null ? MaxAttempts : 1, async _ =>
        {
            var current = await services.Store.GetAsync(model, context.RequestAborted).ConfigureAwait(false);
            created = current is null;
            var next = policy with
            {
                Revision = envelope.Revision ?? current?.Revision ?? 0,

                // The plan's place is the controller's; a policy edit keeps it unless it says otherwise.
                Progress = policy.Progress ?? (policy.Plan is null ? null : current?.Progress),
                UpdatedBy = who,
                UpdatedAt = services.Time.GetUtcNow(),
                Reason = why,
            };
            return await services.Store.CompareAndSwapAsync(next, context.RequestAborted).ConfigureAwait(false);
        }, context.RequestAborted).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            return AdminResults.Error(result.Error);
        }

        LogPolicySet(services.Logger, model, result.Value.Revision, ModeName(result.Value.Mode), who, why);
        return Respond(services, result.Value, null, created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
    }

    private static async Task<IResult> DeleteAsync(
        string model, [FromQuery(Name = "revision")] string? revisionText, [FromQuery] string? actor, [FromQuery] string? reason, HttpContext context)
    {
        if (InvalidModel(model) is { } invalid)
        {
            return invalid;
        }

        long? revision = null;
        if (revisionText is not null)
        {
            if (!long.TryParse(revisionText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                return AdminResults.Error(StatusCodes.Status400BadRequest, $"revision must be a non-negative integer, got '{revisionText}'");
            }

            revision = parsed;
        }

        if (NonEmpty(reason) is not { } why)
        {
            return MissingReason("deleting a rollout policy", "?reason=");
        }

        var services = Services.From(context);
        var who = Actor(context, actor);
        var result = await CompareAndSwapRetry.RunAsync<RolloutPolicy>(revision is null ? MaxAttempts : 1, async _ =>
        {
            var current = await services.Store.GetAsync(model, context.RequestAborted).ConfigureAwait(false);
            return current is null
                ? NoPolicy(model)
                : await services.Store.DeleteAsync(model, revision ?? current.Revision, new ChangeContext(who, why), context.RequestAborted).ConfigureAwait(false);
        }, context.RequestAborted).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            return AdminResults.Error(result.Error);
        }

        LogPolicyDeleted(services.Logger, model, result.Value.Revision, who, why);
        return Respond(services, result.Value, null);
    }

    private static async Task<IResult> SetWeightAsync(string model, HttpContext context)
    {
        if (InvalidModel(model) is { } invalid)
        {
            return invalid;
        }

        var (body, error) = await AdminRequestBody.ReadAsync(context.Request, RolloutAdminJsonContext.WithPolicyOptions.SetWeightBody).ConfigureAwait(false);
        if (body is null)
        {
            return error!;
        }

        if (body.Weight is not { } weight)
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest, "weight is required: the canary percentage, 0-100 in steps of 0.01");
        }

        if (!(weight >= 0 && weight <= 100))
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest, Format($"weight {weight} is outside 0-100"));
        }

        if (!CohortHash.IsOnGrid(weight))
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest,
                Format($"weight {weight} is finer than the {CohortHash.WeightResolution} resolution; round it to two decimals"));
        }

        if (NonEmpty(body.Reason) is not { } why)
        {
            return MissingReason("a canary weight change", "the body's \"reason\"");
        }

        var who = Actor(context, body.Actor);
        return await MutateAsync(model, context, "set-weight", who, why, weight > 0, (policy, now) =>
        {
            if (policy.Mode != RolloutMode.Canary || policy.Canary is null)
            {
                return Failure(StoreErrorCode.InvalidState,
                    $"the rollout policy of '{policy.Model}' is in mode {ModeName(policy.Mode)}; a canary weight needs mode canary");
            }

            if (policy.Progress is { IsActive: true } progress)
            {
                return Failure(StoreErrorCode.InvalidState, Format(
                    $"the plan of '{policy.Model}' is under way ({StatusName(progress.Status)} at step {progress.StepIndex + 1}) and moves the weight itself; abort it first, or let it run"));
            }

            var next = policy with { Canary = policy.Canary with { Weight = weight }, UpdatedBy = who, UpdatedAt = now, Reason = why };
            return new RolloutMutation(next, []);
        }).ConfigureAwait(false);
    }

    private static async Task<IResult> CommandAsync(
        string model, HttpContext context, string command, Func<RolloutPolicy, DateTimeOffset, string?, StoreResult<RolloutTransition>> decide)
    {
        if (InvalidModel(model) is { } invalid)
        {
            return invalid;
        }

        var (bytes, readError) = await AdminRequestBody.ReadBytesAsync(context.Request).ConfigureAwait(false);
        if (readError is not null)
        {
            return readError;
        }

        // An empty body is read as {} and then refused for its missing reason, with the message that says so.
        var body = RolloutCommandBody.Empty;
        if (!bytes.IsEmpty)
        {
            var (parsed, error) = AdminRequestBody.Deserialize(bytes.Span, RolloutAdminJsonContext.WithPolicyOptions.RolloutCommandBody);
            if (parsed is null)
            {
                return error!;
            }

            body = parsed;
        }

        if (NonEmpty(body.Reason) is not { } why)
        {
            return MissingReason("rollout " + command, "the body's \"reason\"");
        }

        var who = Actor(context, body.Actor);
        // Pause and abort only hold or take traffic away: they never need the registry's approval.
        var sendsTraffic = command is not ("pause" or "abort");
        return await MutateAsync(model, context, command, who, why, sendsTraffic, (policy, now) =>
        {
            var decided = decide(policy, now, why);
            if (!decided.IsSuccess)
            {
                return decided.Error;
            }

            var applied = RolloutController.Apply(policy, decided.Value, now, who);
            return new RolloutMutation(applied with { Reason = why }, decided.Value.Actions);
        }).ConfigureAwait(false);
    }

    private static StoreResult<RolloutTransition> Start(RolloutPolicy policy, DateTimeOffset now, string? reason) =>
        policy.Plan is { } plan ? RolloutController.Start(plan, policy.Progress, now) : NoPlan(policy, "start");

    private static StoreResult<RolloutTransition> Pause(RolloutPolicy policy, DateTimeOffset now, string? reason) =>
        policy.Plan is null
            ? NoPlan(policy, "pause")
            : RolloutController.Pause(policy.Progress ?? RolloutProgress.NotStarted, now, reason ?? string.Empty);

    private static StoreResult<RolloutTransition> Resume(RolloutPolicy policy, DateTimeOffset now, string? reason) =>
        policy.Plan is { } plan ? RolloutController.Resume(plan, policy.Progress ?? RolloutProgress.NotStarted, now) : NoPlan(policy, "resume");

    private static StoreResult<RolloutTransition> Promote(RolloutPolicy policy, DateTimeOffset now, string? reason) =>
        policy is { Mode: RolloutMode.Canary, Canary.CanaryVersion: not null }
            ? RolloutController.Promote(policy.Progress ?? RolloutProgress.NotStarted, now, reason ?? string.Empty)
            : StoreResult<RolloutTransition>.Failure(StoreErrorCode.InvalidState,
                $"the rollout policy of '{policy.Model}' has no canary version to promote (mode {ModeName(policy.Mode)})");

    private static StoreResult<RolloutTransition> Abort(RolloutPolicy policy, DateTimeOffset now, string? reason) =>
        policy.Mode == RolloutMode.Canary && policy.Canary is not null
            ? RolloutController.Abort(policy.Progress ?? RolloutProgress.NotStarted, now, reason ?? string.Empty)
            : StoreResult<RolloutTransition>.Failure(StoreErrorCode.InvalidState,
                $"the rollout policy of '{policy.Model}' is in mode {ModeName(policy.Mode)}; abort applies to a canary (write the policy to switch blue-green back)");

    /// <summary>
    /// Read, decide, check the versions against the registry when the change sends traffic, compare-and-swap;
    /// on a conflict re-read and decide again. Then carry out the side effects.
    /// </summary>
    private static async Task<IResult> MutateAsync(
        string model, HttpContext context, string command, string actor, string reason, bool sendsTraffic,
        Func<RolloutPolicy, DateTimeOffset, StoreResult<RolloutMutation>> decide)
    {
        var services = Services.From(context);
        var actions = ImmutableArray<RolloutAction>.Empty;
        var result = await CompareAndSwapRetry.RunAsync<RolloutPolicy>(MaxAttempts, async _ =>
        {
            var current = await services.Store.GetAsync(model, context.RequestAborted).ConfigureAwait(false);
            if (current is null)
            {
                return NoPolicy(model);
            }

            var decided = decide(current, services.Time.GetUtcNow());
            if (!decided.IsSuccess)
            {
                return decided.Error;
            }

            if (sendsTraffic && await CheckVersionsAsync(services, decided.Value.Policy, context.RequestAborted).ConfigureAwait(false) is { } unavailable)
            {
                return unavailable;
            }

            actions = decided.Value.Actions;
            return await services.Store.CompareAndSwapAsync(decided.Value.Policy, context.RequestAborted).ConfigureAwait(false);
        }, context.RequestAborted).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            return AdminResults.Error(result.Error);
        }

        var stored = result.Value;
        LogCommand(services.Logger, model, command, stored.Revision, actor, reason,
            StatusName(stored.Progress?.Status ?? RolloutStatus.NotStarted), stored.Canary?.Weight ?? 0);
        if (!actions.IsEmpty)
        {
            await services.Actions.ExecuteAsync(stored, actions, context.RequestAborted).ConfigureAwait(false);
        }

        return Respond(services, stored, actions);
    }

    private static IResult Respond(Services services, RolloutPolicy policy, ImmutableArray<RolloutAction>? actions, int statusCode = StatusCodes.Status200OK) =>
        Results.Json(
            new RolloutResponse(policy, services.Status.Get(policy.Model), actions),
            RolloutAdminJsonContext.WithPolicyOptions.RolloutResponse,
            statusCode: statusCode);

    /// <summary>
    /// The 400 for a policy that breaks a rule, else the 409 for one that names a version the registry does
    /// not allow to take traffic (docs/rollouts.md, "Which versions a policy may name"), else null.
    /// </summary>
    private static async Task<StoreError?> CheckVersionsAsync(Services services, RolloutPolicy policy, CancellationToken cancellationToken)
    {
        if (RolloutPolicyValidator.Check(policy) is { } invalid)
        {
            return invalid;
        }

        var registry = await services.Registry.GetAsync(policy.Model, cancellationToken).ConfigureAwait(false);
        return RolloutPolicyValidator.CheckVersions(policy, registry);
    }

    private static StoreResult<RolloutTransition> NoPlan(RolloutPolicy policy, string command) =>
        StoreResult<RolloutTransition>.Failure(StoreErrorCode.InvalidState,
            $"the rollout policy of '{policy.Model}' has no plan to {command}; put a policy with a plan first");

    private static StoreResult<RolloutMutation> Failure(StoreErrorCode code, string message) =>
        StoreResult<RolloutMutation>.Failure(code, message);

    private static IResult? InvalidModel(string model) => RolloutPolicyValidator.IsValidModelName(model)
        ? null
        : AdminResults.Error(StatusCodes.Status400BadRequest,
            $"invalid model name '{model}': a letter or digit, then up to 127 letters, digits, '-', '_' or '.'");

    private static StoreError NoPolicy(string model) => RolloutStoreErrors.NotFound(model);

    private static string ModeName(RolloutMode mode) => mode switch
    {
        RolloutMode.Canary => "canary",
        RolloutMode.BlueGreen => "blue_green",
        _ => "none",
    };

    private static string StatusName(RolloutStatus status) => status switch
    {
        RolloutStatus.Progressing => "progressing",
        RolloutStatus.Paused => "paused",
        RolloutStatus.Analyzing => "analyzing",
        RolloutStatus.Promoted => "promoted",
        RolloutStatus.Aborted => "aborted",
        _ => "not_started",
    };

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Who makes the change: the authenticated admin identity, else the request's actor, else anonymous.</summary>
    private static string Actor(HttpContext context, string? fromRequest) =>
        NonEmpty(AdminIdentity.ActorOr(context, NonEmpty(fromRequest))) ?? Anonymous;

    /// <summary>The 400 for a rollout change without a reason; every rollout change says why, as the audit trail records it.</summary>
    private static IResult MissingReason(string change, string where) =>
        AdminResults.Error(StatusCodes.Status400BadRequest,
            $"reason is required for {change}: say why in {where}; it is recorded in the model's audit trail");

    private static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>The services one admin request uses, resolved from its scope.</summary>
    private sealed record Services(IRolloutStore Store, IRegistryStore Registry, TimeProvider Time, IRolloutStatusSource Status, IRolloutActionSink Actions, ILogger Logger)
    {
        public static Services From(HttpContext context)
        {
            var provider = context.RequestServices;
            return new Services(
                provider.GetRequiredService<IRolloutStore>(),
                provider.GetRequiredService<IRegistryStore>(),
                provider.GetRequiredService<TimeProvider>(),
                provider.GetRequiredService<IRolloutStatusSource>(),
                provider.GetRequiredService<IRolloutActionSink>(),
                provider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(AdminRolloutsEndpoints)));
        }
    }
}
