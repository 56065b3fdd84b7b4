using Serving.Gateway.Hosting;

var builder = WebApplication.CreateSlimBuilder(args);
if (StateDirectoryCheck.Problem(builder.Configuration) is { } problem)
{
    Console.Error.WriteLine(problem);
    return StateDirectoryCheck.ExitCode;
}
builder.AddServing();
var app = builder.Build();
app.UseServing();
app.Run();
return 0;

/// <summary>Entry point, visible to the functional tests.</summary>
public partial class Program;
