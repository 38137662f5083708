using System.CommandLine;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vgac.Copilot.Cli.Admission;
using Vgac.Copilot.Cli.Composition;
using Vgac.Copilot.Cli.Hosting;

namespace Vgac.Copilot.Cli.Commands;

/// <summary>
/// <c>vgac admission</c>: a validating admission webhook at <c>POST /validate</c> over HTTPS (the API server calls
/// nothing else), answering every review within its budget (<see cref="AdmissionReviewer"/>).
/// </summary>
internal sealed class AdmissionCommand : VgacCommand
{
    private static readonly Option<int> Port = new("--port") { Description = "Port to listen on (0 picks a free one).", DefaultValueFactory = _ => 8443, HelpName = "port" };
    private static readonly Option<string?> Bind = new("--bind") { Description = "Address to listen on (default 0.0.0.0: the API server calls in from outside the pod).", HelpName = "address" };
    private static readonly Option<string?> TlsCert = new("--tls-cert") { Description = "The serving certificate (PEM), signed by the CA in the webhook's caBundle.", HelpName = "file" };
    private static readonly Option<string?> TlsKey = new("--tls-key") { Description = "The certificate's private key (PEM).", HelpName = "file" };
    private static readonly Option<bool> InsecureHttp = new("--insecure-http") { Description = "Serve plain HTTP, for local tests only (the API server calls webhooks over HTTPS)." };
    private static readonly Option<int> BudgetMs = new("--budget-ms") { Description = "How long a review may wait on VGAC before it is allowed with no warning (default 2000; keep it under the webhook's timeoutSeconds).", DefaultValueFactory = _ => 2000, HelpName = "ms" };
    private static readonly Option<bool> DenyGated = new("--deny-gated") { Description = "Deny a workload the guards would gate (tier 4 allowed on a confident prediction); otherwise every review is allowed." };

    public AdmissionCommand(CliContext context)
        : base(context, FullCommands.Admission, CommandNeeds.Vgac | CommandNeeds.Demo)
    {
        foreach (var option in new Option[] { Port, Bind, TlsCert, TlsKey, InsecureHttp, BudgetMs, DenyGated })
        {
            Options.Add(option);
        }

        Examples =
        [
            ("vgac admission --tls-cert /tls/tls.crt --tls-key /tls/tls.key", "serve POST /validate on :8443 for a ValidatingWebhookConfiguration"),
            ("vgac admission --demo --insecure-http --port 9443", "try it locally against the demo (plain HTTP: not for a cluster)"),
        ];
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CommandSession session, CancellationToken cancellationToken)
    {
        var (address, port, certificate) = Listening(parse);
        var budget = parse.GetValue(BudgetMs);
        if (budget is < 50 or > 30_000)
        {
            throw new ConfigurationException($"--budget-ms must be between 50 and 30000, got {budget}.");
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(address, port, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
            k.Limits.MaxRequestBodySize = 3 * 1024 * 1024; // the API server's largest object is about 1.5 MB
        });
        builder.Services.AddSingleton(session.Context.Secrets);
        builder.Services.AddSingleton<Core.Clusters.IClusterDirectory>(session.Clusters);
        builder.Services.AddCopilotServices(session.Configuration);
        session.Context.Host.AddServices(builder.Services);
        builder.Services.AddSingleton(new AdmissionOptions(TimeSpan.FromMilliseconds(budget), parse.GetValue(DenyGated)));
        builder.Services.AddSingleton<AdmissionReviewer>();
        await using var app = builder.Build();
        app.MapPost("/validate", (RequestDelegate)ValidateAsync);
        app.MapGet("/healthz", (RequestDelegate)(context => context.Response.WriteAsync("ok", context.RequestAborted)));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var url = app.Urls.First().TrimEnd('/') + "/validate";
        if (certificate is null)
        {
            await session.Context.Error.WriteLineAsync("vgac admission: serving plain HTTP (--insecure-http): for local tests only; the API server calls webhooks over HTTPS.").ConfigureAwait(false);
        }

        await session.Out.WriteLineAsync($"vgac admission webhook on {url} (budget {budget} ms, {(parse.GetValue(DenyGated) ? "denies what the guards would gate" : "never denies")})").ConfigureAwait(false);
        await session.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        return ExitCodes.Success;
    }

    private static async Task ValidateAsync(HttpContext context)
    {
        JsonObject answer;
        try
        {
            var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            answer = await context.RequestServices.GetRequiredService<AdmissionReviewer>().ReviewAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JsonException or AdmissionRequestException or Core.Jobs.JobSpecException)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync($"vgac admission: {(ex is JsonException ? "the body is not JSON" : ex.Message)}", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>Where to listen, and the serving certificate (none only with <c>--insecure-http</c>).</summary>
    private static (IPAddress Address, int Port, X509Certificate2? Certificate) Listening(ParseResult parse)
    {
        var (address, port) = ListenAddress.Resolve(parse.GetValue(Bind), parse.GetValue(Port), IPAddress.Any);

        var (cert, key, insecure) = (parse.GetValue(TlsCert), parse.GetValue(TlsKey), parse.GetValue(InsecureHttp));
        if (insecure)
        {
            return cert is null && key is null
                ? (address, port, null)
                : throw new ConfigurationException("--insecure-http serves plain HTTP; do not give it --tls-cert or --tls-key.");
        }

        if (cert is null || key is null)
        {
            throw new ConfigurationException("the API server calls webhooks over HTTPS: give --tls-cert FILE and --tls-key FILE (PEM), or --insecure-http for a local test.");
        }

        try
        {
            return (address, port, X509Certificate2.CreateFromPemFile(cert, key));
        }
        catch (Exception ex) when (ex is IOException or CryptographicException or UnauthorizedAccessException)
        {
            throw new ConfigurationException($"cannot load the certificate {Core.Guards.Identifiers.Echo(cert)} with its key: {(ex is FileNotFoundException ? "no such file" : Core.Text.UntrustedText.Clean(ex.Message, 160))}.");
        }
    }
}
