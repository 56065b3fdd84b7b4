using Serving.Gateway.Hosting;

var builder = WebApplication.CreateSlimBuilder(args);
builder.AddServing();
var app = builder.Build();
app.UseServing();
app.Run();

/// <summary>Entry point, visible to the functional tests.</summary>
public partial class Program;
