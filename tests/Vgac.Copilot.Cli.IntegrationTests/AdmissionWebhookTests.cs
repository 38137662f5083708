using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vgac.Copilot.Testing;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary>
/// <c>vgac admission</c> as the API server meets it: recorded <c>AdmissionReview</c> requests posted over real HTTPS
/// (a certificate made for the test, trusted by its thumbprint) to the real program, against a scripted VGAC. No
/// Kubernetes API server can run here; the requests are the documented v1 shape.
/// </summary>
public sealed partial class AdmissionWebhookTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Review_GpuPod_WarnTierAllowed_AllowedWithAShortWarningAndAnnotations()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6, Confidence = 0.9, FinishedJobs = 400, CalibratedHistory = true }.StartAsync(Ct);
        await using var server = await AdmissionServer.StartAsync(vgac.BaseAddress, []);

        var response = await server.ReviewAsync("pod-create-gpu.json");

        Assert.Equal("705ab4f5-6393-11e8-b7cc-42010a800002", response.GetProperty("uid").GetString());
        Assert.True(response.GetProperty("allowed").GetBoolean());
        var warning = Assert.Single(response.GetProperty("warnings").EnumerateArray()).GetString()!;
        Assert.StartsWith("vgac: ", warning, StringComparison.Ordinal);
        Assert.Contains("P(long wait) 0.60", warning, StringComparison.Ordinal);
        Assert.True(warning.Length < 120, warning);
        var annotations = response.GetProperty("auditAnnotations");
        Assert.Equal("confident", annotations.GetProperty("vgac.io/shown-as").GetString());
        Assert.Equal("0.6", annotations.GetProperty("vgac.io/p-long-wait").GetString());
    }

    [Fact]
    public async Task Review_SlowVgac_AllowedWithinTheBudget_WithoutAWarning()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.6, Confidence = 0.9, Latency = TimeSpan.FromSeconds(20) }.StartAsync(Ct);
        await using var server = await AdmissionServer.StartAsync(vgac.BaseAddress, ["--budget-ms", "300"]);

        var response = await server.ReviewAsync("job-create-gpu.json");

        Assert.True(response.GetProperty("allowed").GetBoolean());
        Assert.False(response.TryGetProperty("warnings", out _));
        Assert.Equal("0df28fbd-5f5f-11e8-bc74-36e6bb280816", response.GetProperty("uid").GetString());
    }

    [Fact]
    public async Task Review_DenyGated_GateTierAllowed_Denied403WithTheReason()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.95, Confidence = 0.95, Ece = 0.01 }.StartAsync(Ct);
        await using var server = await AdmissionServer.StartAsync(vgac.BaseAddress, ["--deny-gated"]);

        var response = await server.ReviewAsync("pod-create-gpu.json");

        Assert.False(response.GetProperty("allowed").GetBoolean());
        Assert.Equal(403, response.GetProperty("status").GetProperty("code").GetInt32());
        Assert.StartsWith("vgac: gated: P(long wait) 0.95", response.GetProperty("status").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Review_NoDenyFlag_GateTierAllowed_StillAllowed()
    {
        await using var vgac = await new ScriptedVgac { Probability = 0.95, Confidence = 0.95, Ece = 0.01 }.StartAsync(Ct);
        await using var server = await AdmissionServer.StartAsync(vgac.BaseAddress, []);

        var response = await server.ReviewAsync("pod-create-gpu.json");

        Assert.True(response.GetProperty("allowed").GetBoolean());
    }

    [Fact]
    public async Task Review_CpuOnlyPodAndMalformedBody_AllowedUntouched_And400()
    {
        await using var vgac = await new ScriptedVgac().StartAsync(Ct);
        await using var server = await AdmissionServer.StartAsync(vgac.BaseAddress, []);

        var cpu = await server.ReviewAsync("pod-create-cpu.json");
        using var bad = await server.Client.PostAsync(server.Url, new StringContent("""{"kind":"Pod"}""", Encoding.UTF8, "application/json"), Ct);

        Assert.True(cpu.GetProperty("allowed").GetBoolean());
        Assert.False(cpu.TryGetProperty("warnings", out _));
        Assert.False(cpu.TryGetProperty("auditAnnotations", out _));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("expected an AdmissionReview of apiVersion admission.k8s.io/v1", await bad.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithoutCertificate_RefusesWithTheFix_Exit2()
    {
        var run = await CliProcess.RunAsync(["admission", "--demo", "--port", "0"], cancellationToken: Ct);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("give --tls-cert FILE and --tls-key FILE (PEM), or --insecure-http for a local test", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_BadBind_UsageErrorNamingIt_Exit2()
    {
        var run = await CliProcess.RunAsync(["admission", "--demo", "--insecure-http", "--bind", "not-an-address"], cancellationToken: Ct);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--bind must be an IP address, got 'not-an-address'.", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PredictManifest_EndlessStdin_IsCutAndRefused_Exit2()
    {
        // `yes` never stops writing: read whole, this would run until the test's timeout; cut at the limit, it ends at once.
        Assert.SkipUnless(File.Exists("/usr/bin/yes") || File.Exists("/bin/yes"), "needs yes(1)");
        var run = await ProgramRun.RunAsync("/bin/sh", ["-c", $"yes '# comment' | dotnet '{CliProcess.VgacDll}' predict -f - --vgac-url http://127.0.0.1:1/"],
            TestPaths.NewFolder("endless-stdin-"), TimeSpan.FromMinutes(2), Ct);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("the manifest is larger than 1024 KB", run.Error, StringComparison.Ordinal);
    }

    /// <summary>The webhook as a child process over HTTPS, with a client that trusts exactly its certificate.</summary>
    private sealed partial class AdmissionServer : IAsyncDisposable
    {
        private readonly Process _process;

        private AdmissionServer(Process process, Uri url, HttpClient client) => (_process, Url, Client) = (process, url, client);

        public Uri Url { get; }

        public HttpClient Client { get; }

        public static async Task<AdmissionServer> StartAsync(Uri vgac, string[] args)
        {
            var folder = TestPaths.NewFolder("admission-");
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=vgac-admission.test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
            var (certFile, keyFile) = (Path.Combine(folder, "tls.crt"), Path.Combine(folder, "tls.key"));
            await File.WriteAllTextAsync(certFile, certificate.ExportCertificatePem(), Ct);
            await File.WriteAllTextAsync(keyFile, key.ExportPkcs8PrivateKeyPem(), Ct);

            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { CliProcess.VgacDll, "admission", "--port", "0", "--bind", "127.0.0.1", "--tls-cert", certFile, "--tls-key", keyFile, "--vgac-url", vgac.ToString() }.Concat(args))
            {
                info.ArgumentList.Add(arg);
            }

            TestEnvironment.Apply(info);
            var process = Process.Start(info)!;
            Uri? url = null;
            var said = new StringBuilder();
            while (url is null && await process.StandardOutput.ReadLineAsync(Ct) is { } line)
            {
                said.AppendLine(line);
                url = UrlLine().Match(line) is { Success: true } m ? new Uri(m.Groups[1].Value) : null;
            }

            if (url is null)
            {
                var error = await process.StandardError.ReadToEndAsync(Ct);
                process.Kill(entireProcessTree: true);
                Assert.Fail($"vgac admission did not start:\n{said}\n{error}");
            }

            var thumbprint = certificate.GetCertHashString(HashAlgorithmName.SHA256);
            var handler = new HttpClientHandler
            {
                // Real TLS; trust is this one certificate, as the API server trusts its caBundle.
                ServerCertificateCustomValidationCallback = (_, presented, _, _) => presented?.GetCertHashString(HashAlgorithmName.SHA256) == thumbprint,
            };
            return new AdmissionServer(process, url!, new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) });
        }

        /// <summary>Posts a recorded AdmissionReview and returns its response object.</summary>
        public async Task<JsonElement> ReviewAsync(string recorded)
        {
            var body = await File.ReadAllTextAsync(Path.Combine(TestPaths.RepoRoot, "tests", "Vgac.Copilot.Cli.IntegrationTests", "Admission", recorded), Ct);
            using var answer = await Client.PostAsync(Url, new StringContent(body, Encoding.UTF8, "application/json"), Ct);
            var text = await answer.Content.ReadAsStringAsync(Ct);
            Assert.True(answer.IsSuccessStatusCode, text);
            using var review = JsonDocument.Parse(text);
            Assert.Equal("admission.k8s.io/v1", review.RootElement.GetProperty("apiVersion").GetString());
            Assert.Equal("AdmissionReview", review.RootElement.GetProperty("kind").GetString());
            return review.RootElement.GetProperty("response").Clone();
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }

        [GeneratedRegex(@"on (https://\S+/validate)")]
        private static partial Regex UrlLine();
    }
}
