using System.Collections.Immutable;

namespace Serving.Gateway.Admin;

/// <summary>The answer of <c>GET /admin/models</c>.</summary>
/// <param name="Models">Every model, by name.</param>
internal sealed record ModelListResponse(ImmutableArray<ModelResponse> Models);
