namespace Serving.Gateway.Security;

/// <summary>What <see cref="AccessPaths.Classify"/> says a request needs.</summary>
internal enum RequestAccess
{
    /// <summary>No credential, no quota.</summary>
    Open,

    /// <summary>A credential when credentials are configured; no quota.</summary>
    Protected,

    /// <summary>A credential when credentials are configured, and the caller's quota.</summary>
    Inference,
}
