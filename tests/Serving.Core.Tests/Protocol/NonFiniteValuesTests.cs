using System.Runtime.InteropServices;
using Serving.Core.Protocol;

namespace Serving.Core.Tests.Protocol;

public sealed class NonFiniteValuesTests
{
    /// <summary>The vectorised scan agrees with float.IsFinite element by element, wherever the bad value sits.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1001)]
    public void IndexOf_Fp32AtEveryPosition_MatchesIsFinite(int length)
    {
        var random = new Random(20261201);
        var specials = new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, BitConverter.Int32BitsToSingle(0x7FC0_1234) };
        for (var position = 0; position < length; position += Math.Max(1, length / 17))
        {
            var values = Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2e38 - 1e38)).ToArray();
            values[position] = specials[position % specials.Length];

            var index = NonFiniteValues.IndexOf(MemoryMarshal.AsBytes(values.AsSpan()), TensorDataType.Fp32);

            Assert.Equal(Array.FindIndex(values, static v => !float.IsFinite(v)), index);
        }
    }

    [Fact]
    public void IndexOf_FiniteExtremes_NoneFound()
    {
        float[] singles = [float.MaxValue, float.MinValue, float.Epsilon, -0f, 0f, 1f];
        double[] doubles = [double.MaxValue, double.MinValue, double.Epsilon, -0d];
        Half[] halves = [Half.MaxValue, Half.MinValue, Half.Epsilon, Half.NegativeZero];

        Assert.Equal(-1, NonFiniteValues.IndexOf(MemoryMarshal.AsBytes(singles.AsSpan()), TensorDataType.Fp32));
        Assert.Equal(-1, NonFiniteValues.IndexOf(MemoryMarshal.AsBytes(doubles.AsSpan()), TensorDataType.Fp64));
        Assert.Equal(-1, NonFiniteValues.IndexOf(MemoryMarshal.AsBytes(halves.AsSpan()), TensorDataType.Fp16));
    }

    [Fact]
    public void IndexOf_IntegerBitsThatLookLikeNaN_NotChecked()
    {
        int[] values = [0x7FC0_0000, -1];

        Assert.Equal(-1, NonFiniteValues.IndexOf(MemoryMarshal.AsBytes(values.AsSpan()), TensorDataType.Int32));
    }

    [Fact]
    public void IndexOf_Fp64AndFp16_FindTheFirst()
    {
        double[] doubles = [1, 2, double.NegativeInfinity, double.NaN];
        Half[] halves = [Half.One, Half.One, Half.One, Half.NaN];

        Assert.Equal(2, NonFiniteValues.IndexOf(MemoryMarshal.AsBytes(doubles.AsSpan()), TensorDataType.Fp64));
        Assert.Equal(3, NonFiniteValues.IndexOf(MemoryMarshal.AsBytes(halves.AsSpan()), TensorDataType.Fp16));
    }
}
