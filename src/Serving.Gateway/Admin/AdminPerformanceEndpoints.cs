using Microsoft.AspNetCore.Http;
using Serving.Gateway.Inference;
using Serving.Gateway.Outcomes;
using Serving.Gateway.Protocol;

namespace Serving.Gateway.Admin;

/// <summary>
/// <c>GET /admin/performance/{model}</c> (viewer): online performance per version and variant on the window of
/// labelled predictions, beside the offline metrics and the label-free estimate (docs/outcomes.md).
/// </summary>
internal static class AdminPerformanceEndpoints
{
    public static IEndpointRouteBuilder MapAdminPerformance(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/admin/performance").AddEndpointFilter<AdminAuthFilter>()
            .MapGet("/{model}", static (string model, HttpContext context) => Describe(model, context.RequestServices));
        return app;
    }

    private static IResult Describe(string model, IServiceProvider services)
    {
        var performance = services.GetService<OnlinePerformance>();
        if (performance?.Describe(model) is { } described)
        {
            return Results.Json(described, OutcomesJsonContext.Default.ModelPerformance);
        }
        return services.GetRequiredService<ModelHost>().Catalog.TryGetModel(model, out _)
            ? ProtocolErrors.Result(StatusCodes.Status409Conflict,
                $"Outcomes are not enabled for model '{model}': set Serving:Outcomes:Enabled or Serving:Outcomes:Models:{model}:Enabled.")
            : ProtocolErrors.Result(StatusCodes.Status404NotFound, $"Unknown model '{model}'.");
    }
}
