using Serving.Core.Registry;
using Serving.Core.Rollouts;

namespace Serving.Gateway.Admin;

/// <summary>The one place where admin outcomes become HTTP responses.</summary>
internal static class AdminResults
{
    /// <summary>A <c>{"error": "..."}</c> response.</summary>
    public static IResult Error(int statusCode, string message) =>
        Results.Json(new ErrorResponse(message), AdminJsonContext.Default.ErrorResponse, statusCode: statusCode);

    /// <summary>Maps a registry error to its status code.</summary>
    public static IResult Error(RegistryError error) => Error(StatusCode(error.Code), error.Message);

    /// <summary>The HTTP status of each registry error.</summary>
    public static int StatusCode(RegistryErrorCode code) => code switch
    {
        RegistryErrorCode.InvalidArgument => StatusCodes.Status400BadRequest,
        RegistryErrorCode.ApprovalRequired => StatusCodes.Status400BadRequest,
        RegistryErrorCode.NotFound => StatusCodes.Status404NotFound,
        RegistryErrorCode.AlreadyExists => StatusCodes.Status409Conflict,
        RegistryErrorCode.InvalidTransition => StatusCodes.Status409Conflict,
        RegistryErrorCode.NoPreviousProduction => StatusCodes.Status409Conflict,
        RegistryErrorCode.Conflict => StatusCodes.Status409Conflict,
        RegistryErrorCode.GateRejected => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>Maps a rollout error to its status code.</summary>
    public static IResult Error(RolloutError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Error(StatusCode(error.Code), error.Message);
    }

    /// <summary>The HTTP status of each rollout error.</summary>
    public static int StatusCode(RolloutErrorCode code) => code switch
    {
        RolloutErrorCode.Invalid => StatusCodes.Status400BadRequest,
        RolloutErrorCode.NotFound => StatusCodes.Status404NotFound,
        RolloutErrorCode.Conflict => StatusCodes.Status409Conflict,
        RolloutErrorCode.InvalidState => StatusCodes.Status409Conflict,
        RolloutErrorCode.VersionUnavailable => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>A model state as <see cref="ModelResponse"/>, or the error.</summary>
    public static IResult Model(RegistryResult<ModelState> result) => result.IsSuccess
        ? Results.Json(ModelResponse.From(result.Value), AdminJsonContext.Default.ModelResponse)
        : Error(result.Error);
}
