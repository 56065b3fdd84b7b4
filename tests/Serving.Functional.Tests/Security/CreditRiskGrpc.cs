using System.Runtime.InteropServices;
using Serving.Gateway.Grpc.Protocol;
using Serving.Testing.Common;

namespace Serving.Functional.Tests.Security;

/// <summary>A one-applicant gRPC ModelInfer request for credit-risk, from the numpy fixture.</summary>
internal static class CreditRiskGrpc
{
    public static ModelInferRequest OneRow()
    {
        var request = new ModelInferRequest { ModelName = "credit-risk" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "features", Datatype = "FP32", Shape = { 1, 12 } };
        input.Contents = new InferTensorContents();
        input.Contents.Fp32Contents.Add(MemoryMarshal.Cast<byte, float>(ExpectedOutputs.CreditRisk.Float32Bytes([0])).ToArray());
        request.Inputs.Add(input);
        return request;
    }
}
