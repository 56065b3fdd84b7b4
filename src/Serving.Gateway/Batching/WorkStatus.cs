namespace Serving.Gateway.Batching;

/// <summary>How a queued inference ended.</summary>
internal enum WorkStatus
{
    /// <summary>Outputs are in the item's result.</summary>
    Completed,
    /// <summary>ONNX Runtime failed; the item's error says why.</summary>
    Failed,
    /// <summary>The client went away before the item ran; it was dropped.</summary>
    Cancelled,
}
