var builder = WebApplication.CreateSlimBuilder(args);
var app = builder.Build();
app.MapGet("/v2/health/live", static () => Results.Ok());
app.Run();

/// <summary>Entry point type, visible to the functional tests' host.</summary>
public partial class Program;
