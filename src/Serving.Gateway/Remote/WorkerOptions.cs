namespace Serving.Gateway.Remote;

/// <summary>One worker the gateway forwards to (<c>Serving:Workers:N:*</c>).</summary>
public sealed class WorkerOptions
{
    /// <summary>The worker's base address, e.g. <c>http://127.0.0.1:9001</c>. Required.</summary>
    public string Address { get; set; } = "";

    /// <summary>The models the worker hosts; empty (the default) means every model.</summary>
    public List<string> Models { get; set; } = [];
}
