using Microsoft.AspNetCore.Connections;

namespace Serving.Gateway.Hosting;

/// <summary>
/// A start that could not open one of its listening addresses (the HTTP or gRPC URL) because another process
/// holds the port. The process prints the address and the reason and exits with
/// <see cref="ExitCode"/>, instead of ending on an unhandled exception and its stack trace.
/// </summary>
public static class ListenFailure
{
    /// <summary>The exit code of a process that could not listen (EX_UNAVAILABLE of sysexits.h).</summary>
    public const int ExitCode = 69;

    /// <summary>What to print when <paramref name="exception"/> is a failure to listen; null when it is not.</summary>
    public static string? Problem(Exception exception) => exception switch
    {
        // Kestrel names the address: "Failed to bind to address http://127.0.0.1:8000: address already in use."
        IOException { InnerException: AddressInUseException } inUse => "Cannot listen: " + inUse.Message,
        _ => null,
    };
}
