using Serving.Core.Registry;
using Serving.Core.Storage;

namespace Serving.Gateway.Admin;

/// <summary>The one place where admin outcomes become HTTP responses.</summary>
internal static class AdminResults
{
    /// <summary>A <c>{"error": "..."}</c> response.</summary>
    public static IResult Error(int statusCode, string message) =>
        Results.Json(new ErrorResponse(message), AdminJsonContext.Default.ErrorResponse, statusCode: statusCode);

    /// <summary>Maps a registry or rollout error to its status code.</summary>
    public static IResult Error(StoreError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Error(StatusCode(error.Code), error.Message);
    }

    /// <summary>The HTTP status of each registry and rollout error.</summary>
    public static int StatusCode(StoreErrorCode code) => code switch
    {
        StoreErrorCode.InvalidArgument => StatusCodes.Status400BadRequest,
        StoreErrorCode.ApprovalRequired => StatusCodes.Status400BadRequest,
        StoreErrorCode.NotFound => StatusCodes.Status404NotFound,
        StoreErrorCode.AlreadyExists => StatusCodes.Status409Conflict,
        StoreErrorCode.InvalidTransition => StatusCodes.Status409Conflict,
        StoreErrorCode.NoPreviousProduction => StatusCodes.Status409Conflict,
        StoreErrorCode.Conflict => StatusCodes.Status409Conflict,
        StoreErrorCode.InvalidState => StatusCodes.Status409Conflict,
        StoreErrorCode.VersionUnavailable => StatusCodes.Status409Conflict,
        StoreErrorCode.GateRejected => StatusCodes.Status422UnprocessableEntity,
        _ => StatusCodes.Status500InternalServerError,
    };

    /// <summary>A model state as <see cref="ModelResponse"/>, or the error.</summary>
    public static IResult Model(StoreResult<ModelState> result) => result.IsSuccess
        ? Results.Json(ModelResponse.From(result.Value), AdminJsonContext.Default.ModelResponse)
        : Error(result.Error);
}
