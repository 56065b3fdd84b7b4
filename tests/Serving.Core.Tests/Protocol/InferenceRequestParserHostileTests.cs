using System.Buffers;
using System.Text;
using Serving.Core.Protocol;
using Serving.Core.Tests.Common;
using static Serving.Core.Tests.Protocol.InferenceRequestParserTests;

namespace Serving.Core.Tests.Protocol;

/// <summary>
/// Text that Utf8JsonReader reads without complaint but cannot decode (invalid UTF-8 bytes, escaped lone
/// surrogates) and non-finite binary tensors: each is a named error, never an exception.
/// </summary>
public sealed class InferenceRequestParserHostileTests
{
    private const string Row12 = "[1,2,3,4,5,6,7,8,9,10,11,12]";

    /// <summary>JSON templates with a slot (<c>@</c>) for a string's raw bytes, and the error that names the field.</summary>
    private static readonly (string Template, string Expected)[] Fields =
    [
        ($$"""{"id":"@","inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""", "'id' is not valid text"),
        ($$"""{"inputs":[{"name":"@","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""", "Input 'name' is not valid text"),
        ($$"""{"inputs":[{"name":"features","datatype":"@","shape":[1,12],"data":{{Row12}}}]}""", "Input 'datatype' is not valid text"),
        ($$"""{"outputs":[{"name":"@"}],"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""", "Output 'name' is not valid text"),
        ($$"""{"@":1,"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""", "A property name is not valid text"),
        ($$"""{"inputs":[{"@":1,"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""", "A property name is not valid text"),
    ];

    /// <summary>Bad text: lone surrogates escaped, bytes that are not UTF-8, and both after a valid escape.</summary>
    private static readonly byte[][] BadText =
    [
        Encoding.ASCII.GetBytes("\\ud800"),
        Encoding.ASCII.GetBytes("\\udfff"),
        Encoding.ASCII.GetBytes("a\\ud800b"),
        Encoding.ASCII.GetBytes("\\ud800\\u0041"),
        new byte[] { 0xFF },
        new byte[] { 0xC3, 0x28 },
        new byte[] { 0xED, 0xA0, 0x80 },
        new byte[] { (byte)'\\', (byte)'n', 0xF8, 0x88, 0x80, 0x80, 0x80 },
    ];

    public static IEnumerable<object[]> Cases() =>
        from field in Fields
        from text in BadText
        select new object[] { field.Template, field.Expected, text };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Parse_FieldWithBadText_NamesTheField(string template, string expected, byte[] text)
    {
        var body = Splice(template, text);
        foreach (var sequence in new[] { new ReadOnlySequence<byte>(body), SegmentedSequence.Create(body, 3) })
        {
            var request = Bind(Signatures.CreditRisk);

            var error = InferenceRequestParser.Parse(sequence, -1, request);

            Assert.NotNull(error);
            Assert.Contains(expected, error, StringComparison.Ordinal);
            request.Release();
        }
    }

    [Theory]
    [InlineData("\\ud83d\\ude00", "\U0001F600")]
    [InlineData("caf\\u00e9", "café")]
    public void Parse_IdWithValidEscapes_Accepted(string escaped, string decoded)
    {
        var request = Bind(Signatures.CreditRisk);

        var error = Parse(request, $$"""{"id":"{{escaped}}","inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""");

        Assert.Null(error);
        Assert.Equal(decoded, Encoding.UTF8.GetString(request.Id));
        request.Release();
    }

    [Fact]
    public void Parse_LongUnknownName_QuotedShort()
    {
        var request = Bind(Signatures.CreditRisk);
        var name = new string('x', 10_000);

        var error = Parse(request, $$"""{"inputs":[{"name":"{{name}}","datatype":"FP32","shape":[1,12],"data":{{Row12}}}]}""");

        Assert.NotNull(error);
        Assert.Contains("Unknown input 'xxxx", error, StringComparison.Ordinal);
        Assert.True(error.Length < 300, error);
    }

    [Theory]
    [InlineData(float.NaN, 5)]
    [InlineData(float.PositiveInfinity, 0)]
    [InlineData(float.NegativeInfinity, 11)]
    public void Parse_BinaryFp32NonFinite_NamesTheElement(float value, int index)
    {
        var row = Enumerable.Range(1, 12).Select(static v => (float)v).ToArray();
        row[index] = value;
        var request = Bind(Signatures.CreditRisk);
        var (body, headerLength) = BinaryBody("""{"inputs":[{"name":"features","datatype":"FP32","shape":[1,12],"parameters":{"binary_data_size":48}}]}""", Bytes(row));

        var error = InferenceRequestParser.Parse(new ReadOnlySequence<byte>(body), headerLength, request);

        Assert.Equal($"Input 'features' has a non-finite value (NaN or infinity) at element {index}; inputs must be finite numbers.", error);
        request.Release();
    }

    [Fact]
    public void Parse_RawBodyWithNaN_Refused()
    {
        var rows = Enumerable.Range(0, 24).Select(static v => (float)v).ToArray();
        rows[13] = float.NaN;
        var request = Bind(Signatures.CreditRisk);

        var error = InferenceRequestParser.Parse(new ReadOnlySequence<byte>(Bytes(rows)), 0, request);

        Assert.Contains("non-finite value (NaN or infinity) at element 13", error, StringComparison.Ordinal);
        request.Release();
    }

    [Theory]
    [InlineData(TensorDataType.Fp16)]
    [InlineData(TensorDataType.Fp64)]
    public void Parse_BinaryOtherFloatTypesNonFinite_Refused(TensorDataType type)
    {
        byte[] data = type == TensorDataType.Fp16 ? Bytes(Half.One, Half.PositiveInfinity, Half.Zero, Half.One) : Bytes(1.0, 2.0, double.NaN, 4.0);
        var name = TensorDataTypes.Name(type);
        var request = Bind(Signatures.Single(type));
        var (body, headerLength) = BinaryBody($$$"""{"inputs":[{"name":"in","datatype":"{{{name}}}","shape":[2,2],"parameters":{"binary_data_size":{{{data.Length}}}}}]}""", data);

        var error = InferenceRequestParser.Parse(new ReadOnlySequence<byte>(body), headerLength, request);

        Assert.Contains("Input 'in' has a non-finite value", error, StringComparison.Ordinal);
        request.Release();
    }

    private static byte[] Splice(string template, byte[] text)
    {
        var at = template.IndexOf('@', StringComparison.Ordinal);
        return [.. Encoding.ASCII.GetBytes(template[..at]), .. text, .. Encoding.ASCII.GetBytes(template[(at + 1)..])];
    }
}
