using Microsoft.Extensions.Options;

namespace Serving.Gateway.Hosting;

/// <summary>
/// A start that failed on a setting out of its range (<see cref="ICheckedOptions"/>): the process prints each
/// problem, naming the setting, and exits with <see cref="ExitCode"/> instead of serving with the value.
/// </summary>
public static class InvalidSettings
{
    /// <summary>The exit code of a process stopped by its configuration (EX_CONFIG of sysexits.h).</summary>
    public const int ExitCode = 78;

    /// <summary>
    /// The problems <paramref name="exception"/> reports, or none when it is not about settings. Several options
    /// classes that fail at once arrive together, in an <see cref="AggregateException"/>; a value that is not of the
    /// setting's type (a word for a number, an unknown role) comes from the configuration binder, whose message
    /// names the setting and the value.
    /// </summary>
    public static IReadOnlyList<string> Problems(Exception exception) => exception switch
    {
        OptionsValidationException options => [.. options.Failures],
        AggregateException aggregate => [.. aggregate.InnerExceptions.SelectMany(Problems)],
        InvalidOperationException { Source: BinderAssembly } binder => [binder.Message],
        _ => [],
    };

    private const string BinderAssembly = "Microsoft.Extensions.Configuration.Binder";
}
