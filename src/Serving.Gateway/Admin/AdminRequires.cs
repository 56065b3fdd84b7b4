namespace Serving.Gateway.Admin;

/// <summary>
/// Endpoint metadata naming the role an admin endpoint needs; without it reads need
/// <see cref="AdminRole.Viewer"/> and changes <see cref="AdminRole.Operator"/>.
/// </summary>
internal sealed record AdminRequires(AdminRole Role);
