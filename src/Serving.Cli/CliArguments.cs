namespace Serving.Cli;

/// <summary>
/// A parsed command line: positionals in order, <c>--name value</c> / <c>--name=value</c> options
/// (repeatable), and boolean flags. Options may appear anywhere; <c>--</c> ends option parsing.
/// </summary>
internal sealed class CliArguments
{
    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "json", "force", "help" };

    private static readonly HashSet<string> ValueOptions = new(StringComparer.Ordinal)
    {
        "url", "token", "actor", "artifact", "version", "metrics", "tag", "sha256", "description", "features",
        "code-commit", "data-fingerprint", "approver", "reason", "force-reason", "file", "plan",
    };

    private readonly Dictionary<string, List<string>> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private CliArguments()
    {
    }

    /// <summary>The positional arguments.</summary>
    public List<string> Positionals { get; } = [];

    /// <summary>Parses <paramref name="args"/>; on failure returns <see langword="null"/> and the reason.</summary>
    public static CliArguments? Parse(IReadOnlyList<string> args, out string? error)
    {
        error = null;
        var parsed = new CliArguments();
        var optionsEnded = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!optionsEnded && arg == "-h")
            {
                parsed._flags.Add("help");
                continue;
            }

            if (optionsEnded || !arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                if (arg == "--" && !optionsEnded)
                {
                    optionsEnded = true;
                    continue;
                }

                parsed.Positionals.Add(arg);
                continue;
            }

            var name = arg[2..];
            string? value = null;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }

            if (Flags.Contains(name))
            {
                if (value is not null)
                {
                    error = $"--{name} takes no value";
                    return null;
                }

                parsed._flags.Add(name);
            }
            else if (ValueOptions.Contains(name))
            {
                if (value is null)
                {
                    if (i + 1 >= args.Count)
                    {
                        error = $"--{name} needs a value";
                        return null;
                    }

                    value = args[++i];
                }

                if (!parsed._options.TryGetValue(name, out var values))
                {
                    parsed._options[name] = values = [];
                }

                values.Add(value);
            }
            else
            {
                error = $"unknown option --{name}";
                return null;
            }
        }

        return parsed;
    }

    /// <summary>Whether a flag was given.</summary>
    public bool Has(string flag) => _flags.Contains(flag);

    /// <summary>The last value of an option, or <see langword="null"/>.</summary>
    public string? Get(string option) => _options.TryGetValue(option, out var values) ? values[^1] : null;

    /// <summary>Every value of a repeatable option.</summary>
    public IReadOnlyList<string> GetAll(string option) => _options.TryGetValue(option, out var values) ? values : [];

    /// <summary>The options given that are not in <paramref name="allowed"/> (global options are always allowed).</summary>
    public string? FirstUnexpected(params string[] allowed)
    {
        foreach (var name in _options.Keys)
        {
            if (name is not ("url" or "token" or "actor") && Array.IndexOf(allowed, name) < 0)
            {
                return "--" + name;
            }
        }

        foreach (var flag in _flags)
        {
            if (flag is not ("json" or "help") && Array.IndexOf(allowed, flag) < 0)
            {
                return "--" + flag;
            }
        }

        return null;
    }
}
