using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Serving.LoadTests.Baseline;

// A hand-written KServe v2 (JSON only) server over the same models as the gateway: JsonDocument in,
// InferenceSession.Run with NamedOnnxValue/DenseTensor, a response object serialized by
// System.Text.Json. Kept deliberately ordinary: it is what the gateway is measured against.
// appsettings.json is the `dotnet new web` template's (Microsoft.AspNetCore logs at Warning); the
// content root is the build output so that it applies whatever directory the server starts from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
var repository = builder.Configuration["ModelRepository"] ?? "models";
var models = new Dictionary<string, LoadedModel>
{
    ["credit-risk"] = LoadedModel.Load(repository, "credit-risk", "2"),
    ["image-classifier"] = LoadedModel.Load(repository, "image-classifier", "1"),
};
var app = builder.Build();

app.MapGet("/v2/health/ready", () => Results.Ok());

app.MapPost("/v2/models/{model}/infer", async (string model, HttpRequest request) =>
{
    if (!models.TryGetValue(model, out var loaded))
    {
        return Results.NotFound(new ErrorResponse($"Unknown model '{model}'."));
    }
    using var document = await JsonDocument.ParseAsync(request.Body);
    var root = document.RootElement;
    string? id = root.TryGetProperty("id", out var idElement) ? idElement.GetString() : null;

    var inputs = new List<NamedOnnxValue>();
    foreach (var input in root.GetProperty("inputs").EnumerateArray())
    {
        var name = input.GetProperty("name").GetString()!;
        if (input.GetProperty("datatype").GetString() != "FP32")
        {
            return Results.BadRequest(new ErrorResponse("Only FP32 inputs are supported."));
        }
        var shape = input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
        var data = new List<float>();
        Flatten(input.GetProperty("data"), data);
        if (data.Count != shape.Aggregate(1, (a, b) => a * b))
        {
            return Results.BadRequest(new ErrorResponse($"Input '{name}' has {data.Count} values but shape [{string.Join(", ", shape)}]."));
        }
        inputs.Add(NamedOnnxValue.CreateFromTensor(name, new DenseTensor<float>(data.ToArray(), shape)));
    }

    using var results = loaded.Session.Run(inputs);
    var outputs = new List<OutputTensor>();
    foreach (var result in results)
    {
        var tensor = result.AsTensor<float>();
        outputs.Add(new OutputTensor(result.Name, "FP32", tensor.Dimensions.ToArray(), tensor.ToArray()));
    }
    return Results.Ok(new InferResponse(loaded.Name, loaded.Version, id, outputs));
});

app.Run();

static void Flatten(JsonElement element, List<float> into)
{
    if (element.ValueKind == JsonValueKind.Array)
    {
        foreach (var item in element.EnumerateArray())
        {
            Flatten(item, into);
        }
    }
    else
    {
        into.Add(element.GetSingle());
    }
}

namespace Serving.LoadTests.Baseline
{
    internal sealed record LoadedModel(string Name, string Version, InferenceSession Session)
    {
        public static LoadedModel Load(string repository, string name, string version) =>
            new(name, version, new InferenceSession(Path.Combine(repository, name, version, "model.onnx")));
    }

    internal sealed record InferResponse(
        [property: JsonPropertyName("model_name")] string ModelName,
        [property: JsonPropertyName("model_version")] string ModelVersion,
        [property: JsonPropertyName("id"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Id,
        [property: JsonPropertyName("outputs")] List<OutputTensor> Outputs);

    internal sealed record OutputTensor(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("datatype")] string Datatype,
        [property: JsonPropertyName("shape")] int[] Shape,
        [property: JsonPropertyName("data")] float[] Data);

    internal sealed record ErrorResponse([property: JsonPropertyName("error")] string Error);
}
