namespace Serving.Gateway.OnCall;

/// <summary>Settings of the on-call console at <c>/console</c> (<c>Serving:Console:*</c>).</summary>
public sealed class ConsoleOptions
{
    /// <summary>
    /// Where the console's runbook links point: the base URL under which <c>docs/runbooks/*.md</c> are
    /// published (a wiki, the repository's web view). Default <c>runbooks</c>: the copy this gateway
    /// ships and serves at <c>/console/runbooks/</c>.
    /// </summary>
    public string RunbookBaseUrl { get; set; } = "runbooks";
}
