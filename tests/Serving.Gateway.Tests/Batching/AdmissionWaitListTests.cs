using Serving.Gateway.Batching;
using Serving.Testing.Common;

namespace Serving.Gateway.Tests.Batching;

/// <summary>The wait list behind <c>Serving:Limits:AdmissionWait</c>: woken by room, bounded in number and in time.</summary>
public sealed class AdmissionWaitListTests
{
    [Fact]
    public async Task WaitAsync_RoomMadeWhileWaiting_WaiterProceeds()
    {
        var list = new AdmissionWaitList();
        var room = false;
        var waiting = list.WaitAsync(() => Volatile.Read(ref room), 4, TimeSpan.FromMinutes(5), CancellationToken.None).AsTask();
        await Polling.UntilAsync(() => list.Waiting == 1, "the request waits");
        Assert.False(waiting.IsCompleted);

        Volatile.Write(ref room, true);
        list.RoomMade(1);

        Assert.True(await waiting);
        Assert.Equal(0, list.Waiting);
    }

    [Fact]
    public async Task WaitAsync_WakeWithoutRoom_WaitsOnUntilThereIsRoom()
    {
        var list = new AdmissionWaitList();
        var room = false;
        var waiting = list.WaitAsync(() => Volatile.Read(ref room), 4, TimeSpan.FromMinutes(5), CancellationToken.None).AsTask();
        await Polling.UntilAsync(() => list.Waiting == 1, "the request waits");

        // Room made and taken by another request before the waiter looked: it goes on waiting.
        list.RoomMade(1);
        await Polling.UntilAsync(() => list.Waiting == 1 && !waiting.IsCompleted, "the waiter still waits");
        Volatile.Write(ref room, true);
        list.RoomMade(1);

        Assert.True(await waiting);
    }

    [Fact]
    public async Task WaitAsync_MoreThanMaxWaiting_RefusedAtOnceOthersKeepWaiting()
    {
        var list = new AdmissionWaitList();
        var first = list.WaitAsync(static () => false, 1, TimeSpan.FromMinutes(5), CancellationToken.None).AsTask();
        await Polling.UntilAsync(() => list.Waiting == 1, "the first request waits");

        Assert.False(await list.WaitAsync(static () => false, 1, TimeSpan.FromMinutes(5), CancellationToken.None));
        Assert.Equal(1, list.Waiting);
        Assert.False(first.IsCompleted);
    }

    [Fact]
    public async Task WaitAsync_NoRoomWithinTheWait_Refused()
    {
        var list = new AdmissionWaitList();

        Assert.False(await list.WaitAsync(static () => false, 4, TimeSpan.FromMilliseconds(20), CancellationToken.None));
        Assert.Equal(0, list.Waiting);
    }

    [Fact]
    public async Task WaitAsync_ClientGone_ThrowsAndStopsWaiting()
    {
        var list = new AdmissionWaitList();
        using var aborted = new CancellationTokenSource();
        var waiting = list.WaitAsync(static () => false, 4, TimeSpan.FromMinutes(5), aborted.Token).AsTask();
        await Polling.UntilAsync(() => list.Waiting == 1, "the request waits");

        await aborted.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.Equal(0, list.Waiting);
    }
}
