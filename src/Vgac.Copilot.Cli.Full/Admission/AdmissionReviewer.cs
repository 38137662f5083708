using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Vgac.Copilot.Client;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Core.Jobs;
using Vgac.Copilot.Core.Predictions;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Cli.Admission;

/// <summary>How the admission webhook answers (<c>vgac admission</c>'s flags).</summary>
/// <param name="Budget">How long a review may wait on VGAC; past it the review is allowed with no warning (fail open).</param>
/// <param name="DenyGated">Deny a workload the guards would gate (tier 4 allowed, confident); off by default.</param>
internal sealed record AdmissionOptions(TimeSpan Budget, bool DenyGated);

/// <summary>A request that is not an <c>admission.k8s.io/v1</c> AdmissionReview; the message says what is wrong.</summary>
internal sealed class AdmissionRequestException(string message) : Exception(message);

/// <summary>
/// Answers a validating webhook's <c>AdmissionReview</c> (<c>admission.k8s.io/v1</c>) for a pod or workload: always
/// allowed, with a warning of the guarded estimate (under 120 characters) when the guards allow the warn tier, and
/// audit annotations of the verdict; denied only when <see cref="AdmissionOptions.DenyGated"/> and the guards allow the
/// gate tier. A review never waits on VGAC beyond the budget: a slow or failing VGAC is allowed with no warning,
/// logged and counted (fail open). The Kubernetes C# client has no AdmissionReview type (only the objects inside it),
/// so the envelope is read as JSON and the object as the manifest reader reads any workload.
/// </summary>
internal sealed partial class AdmissionReviewer(GuardedPredictor predictor, AdmissionOptions options, ILogger<AdmissionReviewer> logger)
{
    /// <summary>The longest warning the API server shows in full (kubectl prints each on its own line).</summary>
    public const int MaxWarning = 119;

    public async Task<JsonObject> ReviewAsync(JsonNode? body, CancellationToken cancellationToken)
    {
        var request = Request(body);
        var uid = request["uid"]!.GetValue<string>();
        var operation = Text(request, "operation");
        if (operation != "CREATE" || request["object"] is not JsonObject obj)
        {
            return Answer(uid, allowed: true, "not_estimated");
        }

        var workload = WorkloadManifest.FromObject(obj, Text(request, "namespace"));
        if (workload.Spec is null)
        {
            return Answer(uid, allowed: true, "not_estimated");
        }

        GuardedPrediction prediction;
        using (var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            budget.CancelAfter(options.Budget);
            try
            {
                prediction = await predictor.PredictAsync(JobSpecSchema.Checked(workload.Spec, $"invalid job spec ({workload.Label})").ToContract(), budget.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or VgacApiException && !cancellationToken.IsCancellationRequested)
            {
                LogFailOpen(workload.Label, uid, ex is OperationCanceledException ? $"no answer within {options.Budget.TotalMilliseconds:0} ms" : ex.Message);
                return Answer(uid, allowed: true, "fail_open");
            }
        }

        if (prediction.IsFallback)
        {
            LogFailOpen(workload.Label, uid, prediction.Error ?? "VGAC gave no prediction");
            return Answer(uid, allowed: true, "fail_open");
        }

        var annotations = new JsonObject
        {
            ["vgac.io/shown-as"] = prediction.ShownAs.Wire(),
            ["vgac.io/p-long-wait"] = prediction.Probability.ToString("0.###", CultureInfo.InvariantCulture),
            ["vgac.io/confidence"] = prediction.Confidence.ToString("0.###", CultureInfo.InvariantCulture),
            ["vgac.io/highest-tier"] = prediction.Guards.HighestTier.ToString(CultureInfo.InvariantCulture),
        };
        var confident = prediction.ShownAs == ShownAs.Confident;
        if (options.DenyGated && confident && Allows(prediction, 4))
        {
            var why = Cut($"vgac: gated: P(long wait) {prediction.Probability:0.00} at confidence {prediction.Confidence:0.00}; ask for fewer GPUs or another queue");
            return Answer(uid, allowed: false, "denied", annotations, status: new JsonObject { ["code"] = 403, ["message"] = why });
        }

        var warnings = confident && Allows(prediction, 2) ? new JsonArray(Cut(Output.PredictionText.Line(PredictionView.From(prediction)))) : null;
        return Answer(uid, allowed: true, warnings is null ? "allowed" : "warned", annotations, warnings);
    }

    private static bool Allows(GuardedPrediction p, int tier) => p.Guards.Tiers.Any(t => t.Tier == tier && t.Allowed);

    private static string Cut(string text) => Core.Text.UntrustedText.Fit(text, MaxWarning);

    /// <summary>The review's request, checked to be what the API server sends.</summary>
    private static JsonObject Request(JsonNode? body)
    {
        if (body is not JsonObject review || Text(review, "apiVersion") != "admission.k8s.io/v1" || Text(review, "kind") != "AdmissionReview")
        {
            throw new AdmissionRequestException("expected an AdmissionReview of apiVersion admission.k8s.io/v1");
        }

        if (review["request"] is not JsonObject request || Text(request, "uid") is not { Length: > 0 and <= 128 })
        {
            throw new AdmissionRequestException("the AdmissionReview has no request with a uid");
        }

        return request;
    }

    private static string? Text(JsonNode? node, string key) =>
        node is JsonObject o && o[key] is JsonValue v && v.TryGetValue(out string? s) ? s : null;

    private static JsonObject Answer(string uid, bool allowed, string outcome, JsonObject? annotations = null, JsonArray? warnings = null, JsonObject? status = null)
    {
        CopilotTelemetry.Admissions.Add(1, new KeyValuePair<string, object?>("vgac.outcome", outcome));
        var response = new JsonObject { ["uid"] = uid, ["allowed"] = allowed };
        if (warnings is not null)
        {
            response["warnings"] = warnings;
        }

        if (annotations is not null)
        {
            response["auditAnnotations"] = annotations;
        }

        if (status is not null)
        {
            response["status"] = status;
        }

        return new JsonObject { ["apiVersion"] = "admission.k8s.io/v1", ["kind"] = "AdmissionReview", ["response"] = response };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Admission review {Uid} of {Workload} allowed without an estimate (fail open): {Reason}")]
    private partial void LogFailOpen(string workload, string uid, string reason);
}
