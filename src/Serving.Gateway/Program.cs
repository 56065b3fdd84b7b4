using Serving.Gateway.Hosting;

var builder = WebApplication.CreateSlimBuilder(args);
try
{
    // Checked inside the try: a value of the wrong type (an unknown role) read here is an invalid setting too.
    if ((StateDirectoryCheck.Problem(builder.Configuration) ?? ModelRepositoryCheck.Problem(builder.Configuration)) is { } problem)
    {
        Console.Error.WriteLine(problem);
        return InvalidSettings.ExitCode;
    }
    builder.AddServing();
    var app = builder.Build();
    app.UseServing();
    app.Run();
}
catch (Exception ex) when (InvalidSettings.Problems(ex) is { Count: > 0 } problems)
{
    foreach (var setting in problems)
    {
        Console.Error.WriteLine("Invalid setting: " + setting);
    }
    return InvalidSettings.ExitCode;
}
catch (Exception ex) when (ListenFailure.Problem(ex) is { } cannotListen)
{
    Console.Error.WriteLine(cannotListen);
    return ListenFailure.ExitCode;
}
return 0;

/// <summary>Entry point, visible to the functional tests.</summary>
public partial class Program;
