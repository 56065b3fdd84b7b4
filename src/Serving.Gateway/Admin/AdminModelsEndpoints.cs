using System.Collections.Immutable;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Serving.Core.Registry;
using Serving.Core.Repository;

namespace Serving.Gateway.Admin;

/// <summary>The registry part of the admin API, under <c>/admin/models</c> (see docs/registry.md).</summary>
public static class AdminModelsEndpoints
{
    /// <summary>
    /// Maps the registry admin routes behind <see cref="AdminAuthFilter"/>. Needs the services of
    /// <c>AddServingRegistry</c>. Logs which authentication mode is active.
    /// </summary>
    public static IEndpointRouteBuilder MapAdminModels(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        AdminAuthFilter.LogMode(
            app.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Serving.Gateway.Admin"),
            app.ServiceProvider.GetRequiredService<IConfiguration>());

        var models = app.MapGroup("/admin/models").AddEndpointFilter<AdminAuthFilter>().AddEndpointFilter<StoreUnavailableFilter>();
        models.MapGet("/", ListAsync);
        models.MapGet("/{model}", GetAsync);
        models.MapPost("/{model}/versions", RegisterAsync);
        models.MapPost("/{model}/versions/{version}/transition", TransitionAsync).WithMetadata(new AdminRequires(AdminRole.Approver));
        models.MapPut("/{model}/aliases/{alias}", SetAliasAsync);
        models.MapDelete("/{model}/aliases/{alias}", RemoveAliasAsync);
        models.MapPost("/{model}/rollback", RollbackAsync);
        models.MapGet("/{model}/audit", AuditAsync);
        models.MapGet("/{model}/audit/verify", VerifyAuditAsync);
        return app;
    }

    private static async Task<IResult> ListAsync([FromServices] IRegistryStore store, HttpContext context)
    {
        var states = await store.ListAsync(context.RequestAborted).ConfigureAwait(false);
        var models = ImmutableArray.CreateBuilder<ModelResponse>(states.Count);
        foreach (var state in states)
        {
            models.Add(ModelResponse.From(state));
        }

        return Results.Json(new ModelListResponse(models.MoveToImmutable()), AdminJsonContext.Default.ModelListResponse);
    }

    private static async Task<IResult> GetAsync(string model, [FromServices] IRegistryStore store, HttpContext context)
    {
        if (InvalidModel(model) is { } invalid)
        {
            return invalid;
        }

        var state = await store.GetAsync(model, context.RequestAborted).ConfigureAwait(false);
        return state is null
            ? ModelNotFound(model)
            : Results.Json(ModelResponse.From(state), AdminJsonContext.Default.ModelResponse);
    }

    private static async Task<IResult> RegisterAsync(
        string model, [FromServices] IRegistryStore store, [FromServices] ModelRepository repository, HttpContext context)
    {
        if (InvalidModel(model) is { } invalid)
        {
            return invalid;
        }

        var (body, error) = await AdminRequestBody.ReadAsync(context.Request, AdminJsonContext.Default.RegisterVersionBody).ConfigureAwait(false);
        if (body is null)
        {
            return error!;
        }

        if (body.Version is <= 0)
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest, $"version must be a positive integer, got {body.Version}");
        }

        var inspected = await repository.InspectAsync(body.Artifact, context.RequestAborted).ConfigureAwait(false);
        if (!inspected.IsSuccess)
        {
            return AdminResults.Error(inspected.Error);
        }

        var found = inspected.Value;
        if (body.Sha256 is { } expected && !string.Equals(expected, found.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest,
                $"sha256 mismatch: the request says {expected}, the artifact '{found.Artifact}' hashes to {found.Sha256}");
        }

        var registration = found with
        {
            Version = body.Version,
            Description = body.Description ?? found.Description,
            Features = body.Features ?? found.Features,
            Metrics = body.Metrics ?? found.Metrics,
            TrainingDataFingerprint = body.TrainingDataFingerprint ?? found.TrainingDataFingerprint,
            CodeCommit = body.CodeCommit ?? found.CodeCommit,
            Tags = body.Tags ?? found.Tags,
        };
        var result = await store.RegisterAsync(model, registration, new ChangeContext(AdminIdentity.ActorOr(context, body.Actor), body.Reason), context.RequestAborted).ConfigureAwait(false);
        if (!result.IsSuccess)
        {
            return AdminResults.Error(result.Error);
        }

        var number = body.Version ?? result.Value.LatestVersion;
        var version = VersionResponse.From(result.Value, result.Value.FindVersion(number)!);
        return Results.Json(version, AdminJsonContext.Default.VersionResponse, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> TransitionAsync(string model, string version, [FromServices] IRegistryStore store, HttpContext context)
    {
        if (InvalidModel(model) is { } invalidModel)
        {
            return invalidModel;
        }

        if (InvalidVersion(version, out var number) is { } invalidVersion)
        {
            return invalidVersion;
        }

        var (body, error) = await AdminRequestBody.ReadAsync(context.Request, AdminJsonContext.Default.TransitionBody).ConfigureAwait(false);
        if (body is null)
        {
            return error!;
        }

        if (!StageTransitions.TryParse(body.Stage, out var stage))
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest,
                $"unknown stage '{body.Stage}': expected Staging, Production or Archived");
        }

        if (stage == ModelStage.Production && await FourEyes.RefuseAsync(context, store, model, number).ConfigureAwait(false) is { } sameHands)
        {
            return sameHands;
        }

        var request = new TransitionRequest(stage, AdminIdentity.ActorOr(context, body.Approver), body.Reason, body.Force, body.ForceReason);
        return AdminResults.Model(await store.TransitionAsync(model, number, request, context.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<IResult> SetAliasAsync(string model, string alias, [FromServices] IRegistryStore store, HttpContext context)
    {
        if (InvalidModel(model) is { } invalid)
        {
            return invalid;
        }

        var (body, error) = await AdminRequestBody.ReadAsync(context.Request, AdminJsonContext.Default.SetAliasBody).ConfigureAwait(false);
        if (body is null)
        {
            return error!;
        }

        if (body.Version is not > 0)
        {
            return AdminResults.Error(StatusCodes.Status400BadRequest, "version must be a positive integer");
        }

        var result = await store.SetAliasAsync(model, alias, body.Version.Value, new ChangeContext(AdminIdentity.ActorOr(context, body.Actor), body.Reason), context.RequestAborted).ConfigureAwait(false);
        return AdminResults.Model(result);
    }

    private static async Task<IResult> RemoveAliasAsync(
        string model, string alias, [FromQuery] string? actor, [FromQuery] string? reason, [FromServices] IRegistryStore store, HttpContext context)
    {
        if (InvalidModel(model) is { } invalid)
        {
            return invalid;
        }

        return AdminResults.Model(await store.RemoveAliasAsync(model, alias, new ChangeContext(AdminIdentity.ActorOr(context, actor), reason), context.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<IResult> RollbackAsync(string model, [FromServices] IRegistryStore store, HttpContext context)
    {
        if (InvalidModel(model) is { } invalid)
        {
            return invalid;
        }

        var (body, error) = await AdminRequestBody.ReadAsync(context.Request, AdminJsonContext.Default.RollbackBody).ConfigureAwait(false);
        if (body is null)
        {
            return error!;
        }

        return AdminResults.Model(await store.RollbackAsync(model, new ChangeContext(AdminIdentity.ActorOr(context, body.Actor), body.Reason), context.RequestAborted).ConfigureAwait(false));
    }

    private static async Task<IResult> AuditAsync(string model, [FromServices] IRegistryStore store, HttpContext context)
    {
        if (InvalidModel(model) is { } invalid)
        {
            return invalid;
        }

        if (await store.GetAsync(model, context.RequestAborted).ConfigureAwait(false) is null)
        {
            return ModelNotFound(model);
        }

        var entries = await store.GetAuditAsync(model, context.RequestAborted).ConfigureAwait(false);
        return Results.Json(new AuditResponse(model, entries), AdminJsonContext.Default.AuditResponse);
    }

    private static async Task<IResult> VerifyAuditAsync(string model, [FromServices] IRegistryStore store, HttpContext context)
    {
        if (InvalidModel(model) is { } invalid)
        {
            return invalid;
        }

        var verification = await store.VerifyAuditAsync(model, context.RequestAborted).ConfigureAwait(false);
        if (verification.Entries == 0 && await store.GetAsync(model, context.RequestAborted).ConfigureAwait(false) is null)
        {
            return ModelNotFound(model);
        }

        return Results.Json(AuditVerifyResponse.From(model, verification), AdminJsonContext.Default.AuditVerifyResponse);
    }

    private static IResult? InvalidModel(string model) => ModelNames.IsValidModel(model)
        ? null
        : AdminResults.Error(StatusCodes.Status400BadRequest,
            $"invalid model name '{model}': a letter or digit, then up to 127 letters, digits, '-', '_' or '.'");

    private static IResult? InvalidVersion(string text, out int version) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out version) && version > 0
            ? null
            : AdminResults.Error(StatusCodes.Status400BadRequest, $"version must be a positive integer, got '{text}'");

    private static IResult ModelNotFound(string model) =>
        AdminResults.Error(StatusCodes.Status404NotFound, $"model '{model}' not found");
}
