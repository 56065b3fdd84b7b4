using System.Buffers;

namespace Serving.Gateway.Outcomes;

/// <summary>
/// A prediction on its way from the request path to the background writer: no allocation beyond the id the
/// response already needed. A single-row request carries its score inline; a multi-row one its scores in an array
/// rented from <see cref="ArrayPool{T}.Shared"/>, which the writer returns.
/// </summary>
internal readonly record struct PendingPrediction(
    string Model, string Version, string Variant, string RequestId, double Score, double[]? RowScores, int Rows, long UnixMilliseconds);
