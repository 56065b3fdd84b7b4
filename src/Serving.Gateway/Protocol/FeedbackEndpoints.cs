using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Serving.Gateway.Inference;
using Serving.Gateway.Outcomes;
using Serving.Gateway.Remote;
using StackExchange.Redis;

namespace Serving.Gateway.Protocol;

/// <summary>
/// <c>POST /v2/models/{model}/feedback</c>: ground truth for earlier predictions, joined by request id
/// (docs/outcomes.md). Unknown, expired and duplicate ids are reported in the 200 answer, never as errors; a
/// malformed body is 400, an unknown model 404, a model without outcomes 409, an unreachable Redis 503.
/// </summary>
internal static class FeedbackEndpoints
{
    public static IEndpointRouteBuilder MapFeedback(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v2/models/{model}/feedback", static (string model, HttpContext context) => HandleAsync(model, context));
        return app;
    }

    private static async Task<IResult> HandleAsync(string model, HttpContext context)
    {
        var services = context.RequestServices;
        var host = services.GetRequiredService<ModelHost>();
        var workers = services.GetRequiredService<WorkerPool>();
        if (!host.Catalog.TryGetModel(model, out _) && !(workers.HasWorkers && workers.TryGetCluster(model, out _)))
        {
            return ProtocolErrors.Result(StatusCodes.Status404NotFound, $"Unknown model '{model}'.");
        }
        var options = services.GetRequiredService<IOptions<OutcomeOptions>>().Value;
        if (options.For(model) is not { } settings || services.GetService<FeedbackJoiner>() is not { } joiner)
        {
            return ProtocolErrors.Result(StatusCodes.Status409Conflict,
                $"Outcomes are not enabled for model '{model}': set Serving:Outcomes:Enabled or Serving:Outcomes:Models:{model}:Enabled.");
        }
        List<Feedback> feedback;
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted);
            if (FeedbackParser.TryParse(body.RootElement, settings.Kind, out feedback) is { } error)
            {
                return ProtocolErrors.Result(StatusCodes.Status400BadRequest, error);
            }
        }
        catch (JsonException e)
        {
            return ProtocolErrors.Result(StatusCodes.Status400BadRequest, $"The body is not valid JSON: {e.Message}");
        }
        try
        {
            var answer = await joiner.JoinAsync(model, feedback, context.RequestAborted);
            services.GetService<OnlinePerformance>()?.Publish();
            return Results.Json(answer, OutcomesJsonContext.Default.FeedbackResponse);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return ProtocolErrors.Result(StatusCodes.Status503ServiceUnavailable,
                $"The prediction log is unavailable ({e.Message}); feedback joined before the failure is kept, send the rest again later.");
        }
    }
}
