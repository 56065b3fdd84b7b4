namespace Serving.Cli;

/// <summary>servingctl's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Ok = 0;

    /// <summary>The command line was wrong; nothing was sent.</summary>
    public const int Usage = 1;

    /// <summary>The server refused the request (HTTP 4xx).</summary>
    public const int Rejected = 2;

    /// <summary>The server failed (HTTP 5xx) or could not be reached.</summary>
    public const int ServerError = 3;
}
