using System.Buffers;
using System.Text;
using Serving.Core.Protocol;
using Serving.Gateway.Batching;

namespace Serving.Gateway.Tests.Batching;

/// <summary>The shared pool of work items; not run beside other tests so that no request rents an item under inspection.</summary>
[Collection(nameof(WorkItemPoolCollection))]
public sealed class InferenceWorkItemTests
{
    private static readonly ModelSignature Signature = new(
        [new TensorSpec("query", TensorDataType.Fp32, [-1, 4]), new TensorSpec("doc_ids", TensorDataType.Int64, [-1, 3])],
        [new TensorSpec("score", TensorDataType.Fp32, [-1, 1])]);

    [Fact]
    public void Return_AfterSuccessfulParse_ReleasesEveryRequestAndResultBuffer()
    {
        var item = InferenceWorkItem.Rent();
        item.Request.Bind(Signature);
        Assert.Null(Parse(item, """{"id":"abc","inputs":[{"name":"query","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]},{"name":"doc_ids","datatype":"INT64","shape":[1,3],"data":[1,2,3]}]}"""));
        item.Result.Bind(1);
        item.Result.Output(0).Allocate(TensorDataType.Fp32, TensorShape.From([1, 1]), 4);
        var query = item.Request.Input(0);
        var ids = item.Request.Input(1);
        var score = item.Result.Output(0);
        Assert.NotNull(query.Array);
        Assert.NotNull(ids.Array);

        InferenceWorkItem.Return(item);

        Assert.Null(query.Array);
        Assert.Null(ids.Array);
        Assert.Null(score.Data.Array);
        Assert.True(item.Request.Id.IsEmpty);
        Assert.Null(item.Error);
    }

    [Fact]
    public void Return_AfterParseError_ReleasesTheBuffersFilledBeforeTheError()
    {
        var item = InferenceWorkItem.Rent();
        item.Request.Bind(Signature);
        Assert.NotNull(Parse(item, """{"inputs":[{"name":"query","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]},{"name":"doc_ids","datatype":"INT64","shape":[1,3],"data":[1,2,"x"]}]}"""));
        var query = item.Request.Input(0);
        var ids = item.Request.Input(1);
        Assert.NotNull(query.Array);
        Assert.NotNull(ids.Array);

        InferenceWorkItem.Return(item);

        Assert.Null(query.Array);
        Assert.Null(ids.Array);
    }

    [Fact]
    public async Task Rent_AfterReturn_ItemIsReusableAndCompletesAgain()
    {
        var item = InferenceWorkItem.Rent();
        item.Complete(WorkStatus.Failed);
        Assert.Equal(WorkStatus.Failed, await item.Completion);
        item.Error = "old";
        InferenceWorkItem.Return(item);

        var reused = InferenceWorkItem.Rent();
        reused.Request.Bind(Signature);

        Assert.Null(reused.Error);
        Assert.False(reused.Completion.IsCompleted);
        Assert.False(reused.Request.HasId);
        reused.Complete(WorkStatus.Completed);
        Assert.Equal(WorkStatus.Completed, await reused.Completion);
        InferenceWorkItem.Return(reused);
    }

    private static string? Parse(InferenceWorkItem item, string json) =>
        InferenceRequestParser.Parse(new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), -1, item.Request);
}

[CollectionDefinition(nameof(WorkItemPoolCollection), DisableParallelization = true)]
public sealed class WorkItemPoolCollection;
