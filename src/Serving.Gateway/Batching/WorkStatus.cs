namespace Serving.Gateway.Batching;

/// <summary>How a queued inference ended.</summary>
internal enum WorkStatus
{
    /// <summary>Outputs are in the item's result.</summary>
    Completed,
    /// <summary>ONNX Runtime failed; the item's error says why (for the log, not the client).</summary>
    Failed,
    /// <summary>The client went away before the item ran; it was dropped.</summary>
    Cancelled,
    /// <summary>
    /// The model refused the request's values (an index past the end of a lookup table, ...): the
    /// request is at fault, not the server. The item's error has ONNX Runtime's words, for the log.
    /// </summary>
    InvalidInput,
}
