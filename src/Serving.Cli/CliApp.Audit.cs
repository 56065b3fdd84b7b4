using System.Globalization;

namespace Serving.Cli;

internal static partial class CliApp
{
    private static Task<int> DispatchAuditAsync(string command, CommandContext context) => command switch
    {
        "verify" => AuditVerifyAsync(context),
        _ => Task.FromResult(UsageError(context.Error, $"unknown command 'audit {command}'")),
    };

    /// <summary>
    /// <c>audit verify</c>: checks the model's hash-chained audit trail and its head record; exit 0 when
    /// intact, 2 when broken (naming the first entry that breaks it, or how many the newest were removed),
    /// 3 when the server cannot answer.
    /// </summary>
    private static async Task<int> AuditVerifyAsync(CommandContext context)
    {
        if (Expect(context, 1, "audit verify <model>") is { } usage)
        {
            return usage;
        }

        var model = context.Args.Positionals[2];
        var response = await context.Client.SendAsync(HttpMethod.Get, $"/admin/models/{AdminClient.Segment(model)}/audit/verify", null, default)
            .ConfigureAwait(false);
        var code = Outcome(context, response, out var body);
        if (code != ExitCodes.Ok)
        {
            return code;
        }

        var valid = body!["valid"]?.GetValue<bool>() ?? false;
        var entries = body["entries"]?.GetValue<int>() ?? 0;
        if (valid)
        {
            if (!context.Json)
            {
                context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"audit trail of {model}: {entries} entries, chain intact"));
            }

            return ExitCodes.Ok;
        }

        if (!context.Json)
        {
            // A broken chain names its first broken entry; a trail cut short, how many entries its head record counts.
            var where = (body["expectedEntries"], body["firstBroken"]) switch
            {
                ({ } expected, _) => $"expected {Text(expected)} entries, found {entries}",
                (null, { } first) => $"at entry {Text(first)} of {entries}",
                _ => $"{entries} entries",
            };
            context.Output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"audit trail of {model} is BROKEN {where}: {Text(body["reason"])}"));
        }

        return ExitCodes.Rejected;
    }
}
