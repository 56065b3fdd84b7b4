using System.IO.Pipelines;

// The floor: what Kestrel alone costs per request on this machine. It drains the request body and
// answers with a constant JSON document the size of a credit-risk response (~150 bytes), so wrk
// sees the same request and response sizes as against the gateway.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(static k => k.AddServerHeader = false);
var app = builder.Build();

var body = """{"model_name":"credit-risk","model_version":"2","outputs":[{"name":"probability","datatype":"FP32","shape":[1,1],"data":[0.0726283938]}]}"""u8.ToArray();

app.Run(async context =>
{
    var reader = context.Request.BodyReader;
    while (true)
    {
        var read = await reader.ReadAsync(context.RequestAborted);
        reader.AdvanceTo(read.Buffer.End);
        if (read.IsCompleted)
        {
            break;
        }
    }
    var response = context.Response;
    response.StatusCode = StatusCodes.Status200OK;
    response.ContentType = "application/json";
    response.ContentLength = body.Length;
    await response.BodyWriter.WriteAsync(body, context.RequestAborted);
});

app.Run();
