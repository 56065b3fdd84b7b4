using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Serving.Gateway.Tests.Common;

namespace Serving.Gateway.Tests.Security;

/// <summary>
/// JWTs checked with a PEM public key (<c>Serving:Inference:Jwt:PublicKeyFile</c>): a key pair made here, the
/// public half in the file; tokens signed with its private half are accepted, tokens signed with another key of
/// the same kind are refused with 401.
/// </summary>
public sealed class JwtPublicKeyTests : IDisposable
{
    private readonly string _publicKeyFile = Path.GetTempFileName();

    [Theory]
    [InlineData(SecurityAlgorithms.RsaSha256, "spki")]
    [InlineData(SecurityAlgorithms.RsaSha256, "pkcs1")]
    [InlineData(SecurityAlgorithms.RsaSha512, "spki")]
    [InlineData(SecurityAlgorithms.RsaSsaPssSha256, "spki")]
    [InlineData(SecurityAlgorithms.RsaSsaPssSha512, "spki")]
    [InlineData(SecurityAlgorithms.EcdsaSha256, "spki")]
    [InlineData(SecurityAlgorithms.EcdsaSha384, "spki")]
    [InlineData(SecurityAlgorithms.EcdsaSha512, "spki")]
    public async Task Infer_TokenSignedWithTheKeysPrivateHalf_AcceptedAnotherKeys401(string algorithm, string pemFormat)
    {
        using var key = KeyFor(algorithm);
        using var otherKey = KeyFor(algorithm);
        File.WriteAllText(_publicKeyFile, pemFormat == "pkcs1" ? ((RSA)key).ExportRSAPublicKeyPem() : key.ExportSubjectPublicKeyInfoPem());
        await using var host = await GatewayHost.StartAsync(RepositoryPaths.Models, settings:
        [
            $"--Serving:Inference:Jwt:PublicKeyFile={_publicKeyFile}",
            "--Serving:Inference:Jwt:Issuer=https://issuer.test",
            "--Serving:Inference:Jwt:Audience=serving",
        ]);

        using var signed = await InferAsync(host.Client, Token(key, algorithm));
        using var foreign = await InferAsync(host.Client, Token(otherKey, algorithm));
        using var none = await InferAsync(host.Client, token: null);

        Assert.True(signed.StatusCode == HttpStatusCode.OK, await signed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, foreign.StatusCode);
        Assert.Equal("Bearer", foreign.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
    }

    private static AsymmetricAlgorithm KeyFor(string algorithm) => algorithm switch
    {
        SecurityAlgorithms.EcdsaSha256 => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        SecurityAlgorithms.EcdsaSha384 => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        SecurityAlgorithms.EcdsaSha512 => ECDsa.Create(ECCurve.NamedCurves.nistP521),
        _ => RSA.Create(2048),
    };

    private static string Token(AsymmetricAlgorithm key, string algorithm)
    {
        SecurityKey signingKey = key is RSA rsa ? new RsaSecurityKey(rsa) : new ECDsaSecurityKey((ECDsa)key);
        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "https://issuer.test",
            Audience = "serving",
            Subject = new ClaimsIdentity([new Claim("sub", "svc-scoring")]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(signingKey, algorithm),
        });
    }

    private static async Task<HttpResponseMessage> InferAsync(HttpClient client, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Infer.Path("credit-risk"))
        {
            Content = new StringContent(Infer.CreditRiskJson([0]), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await client.SendAsync(request);
    }

    public void Dispose() => File.Delete(_publicKeyFile);
}
