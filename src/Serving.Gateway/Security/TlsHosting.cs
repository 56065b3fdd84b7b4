using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;

namespace Serving.Gateway.Security;

/// <summary>
/// HTTPS from PEM files (<see cref="TlsOptions"/>): every <c>https://</c> endpoint, from <c>--urls</c> or
/// <see cref="TlsOptions.Url"/>, presents the <see cref="ReloadingCertificate"/> and offers HTTP/1.1 and
/// HTTP/2 by ALPN, so REST and gRPC share it. With a client certificate authority, the endpoints ask
/// clients for a certificate (without requiring one); the admin API checks it.
/// </summary>
internal static class TlsHosting
{
    public static void AddServingTls(this WebApplicationBuilder builder)
    {
        var tls = builder.Configuration.GetSection(TlsOptions.Section).Get<TlsOptions>() ?? new TlsOptions();
        if (!tls.Enabled)
        {
            if (!string.IsNullOrEmpty(tls.Url) || !string.IsNullOrEmpty(tls.ClientCertificateAuthority)
                || (builder.Configuration[WebHostDefaults.ServerUrlsKey]?.Contains("https://", StringComparison.OrdinalIgnoreCase) ?? false))
            {
                throw new OptionsValidationException("Serving:Tls:CertificateFile", typeof(TlsOptions),
                    ["An https:// address, Serving:Tls:Url and Serving:Tls:ClientCertificateAuthority need Serving:Tls:CertificateFile and Serving:Tls:KeyFile (PEM)."]);
            }
            return;
        }
        // The slim builder leaves out Kestrel's HTTPS configuration until asked for.
        builder.WebHost.UseKestrelHttpsConfiguration();
        var services = builder.Services;
        services.AddSingleton(sp => new ReloadingCertificate(tls, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ReloadingCertificate>>()));
        var requestClientCertificates = !string.IsNullOrEmpty(tls.ClientCertificateAuthority);
        if (requestClientCertificates)
        {
            services.AddSingleton(sp => new ClientCertificateAuthority(tls, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ClientCertificateAuthority>>()));
            // Resolved with Kestrel's options, before the first connection: an authority that does not load stops the start-up.
            services.AddOptions<KestrelServerOptions>().Configure<ClientCertificateAuthority>(static (_, _) => { });
        }
        if (!string.IsNullOrEmpty(tls.Url))
        {
            var address = BindingAddress.Parse(tls.Url);
            if (!string.Equals(address.Scheme, "https", StringComparison.OrdinalIgnoreCase) || address.Port <= 0)
            {
                throw new OptionsValidationException("Serving:Tls:Url", typeof(TlsOptions), [$"Serving:Tls:Url must be https://host:port with a fixed port; got '{tls.Url}'."]);
            }
            var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
            builder.WebHost.UseUrls(string.IsNullOrEmpty(urls) ? $"http://localhost:5000;{tls.Url}" : $"{urls};{tls.Url}");
        }
        services.AddOptions<KestrelServerOptions>().Configure<ReloadingCertificate>((kestrel, certificate) => kestrel.ConfigureHttpsDefaults(https =>
        {
            // Kestrel wants a certificate or a selector before it accepts an https endpoint; the handshake
            // then takes the certificate context (leaf and intermediates) instead.
            https.ServerCertificateSelector = (_, _) => certificate.Certificate;
            https.OnAuthenticate = (_, ssl) =>
            {
                ssl.ServerCertificateSelectionCallback = null;
                ssl.ServerCertificate = null;
                ssl.ServerCertificateContext = certificate.Context;
            };
            if (requestClientCertificates)
            {
                https.ClientCertificateMode = ClientCertificateMode.AllowCertificate;
                // The handshake takes any certificate; the admin API checks it against the authority
                // and answers with a reason, where a failed handshake would say nothing.
                https.AllowAnyClientCertificate();
            }
        }));
    }
}
