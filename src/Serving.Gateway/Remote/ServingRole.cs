namespace Serving.Gateway.Remote;

/// <summary>What one process of the binary does (<c>Serving:Role</c>).</summary>
public enum ServingRole
{
    /// <summary>Gateway and models in one process: every version the registry names is loaded and served in-process. The default.</summary>
    All,

    /// <summary>Routes only: loads no model, forwards every request to the workers in <c>Serving:Workers</c>.</summary>
    Gateway,

    /// <summary>Hosts versions for gateways: loads and serves like <see cref="All"/>; gateways send it requests that name a version.</summary>
    Worker,
}
