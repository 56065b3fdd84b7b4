using System.Text.Json.Serialization;

namespace Serving.Gateway.Outcomes;

/// <summary>Source-generated JSON of the feedback API and the performance report: snake_case, nulls written.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = false)]
[JsonSerializable(typeof(FeedbackResponse))]
[JsonSerializable(typeof(ModelPerformance))]
internal sealed partial class OutcomesJsonContext : JsonSerializerContext;
