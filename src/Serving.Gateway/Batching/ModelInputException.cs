namespace Serving.Gateway.Batching;

/// <summary>
/// Thrown by an <see cref="IBatchExecutor"/> when the model refused the values of a batch's inputs,
/// which already matched its signature (ONNX Runtime's InvalidArgument from a node, such as a Gather
/// index out of range). The batcher completes the requests as <see cref="WorkStatus.InvalidInput"/>.
/// </summary>
internal sealed class ModelInputException(string message, Exception inner) : Exception(message, inner);
