namespace Serving.Functional.Tests.Batching;

/// <summary>
/// <see cref="HeldBatchGatewayFixture"/> with admission waiting on: a request that finds the queue full
/// waits for room (for as long as a test needs), at most <see cref="MaxWaiting"/> of them at once.
/// </summary>
public sealed class WaitingBatchGatewayFixture : HeldBatchGatewayFixture
{
    public const int MaxWaiting = 2;

    protected override string[] LimitArgs => ["--Serving:Limits:AdmissionWait=00:05:00", $"--Serving:Limits:MaxWaitingRequests={MaxWaiting}"];
}
