namespace Vgac.Copilot.Contracts;

/// <summary>
/// Paths of every endpoint in the VGAC API contract (<c>seed/vgac-context.md</c>), shared by the client
/// and the embedded simulator so the two cannot disagree on a route.
/// </summary>
public static class VgacRoutes
{
    public const string PredictWait = "/api/predict/wait";
    public const string PredictBatch = "/api/predict/batch";
    public const string PredictStats = "/api/predict/stats";
    public const string PredictClusterState = "/api/predict/cluster-state";
    public const string PredictWebhook = "/api/predict/webhook";
    public const string PredictHealth = "/api/predict/health";

    public const string JobsQueue = "/api/jobs/queue";
    public const string JobsPending = "/api/jobs/pending";
    public const string JobsRunning = "/api/jobs/running";
    public const string JobsHistory = "/api/jobs/history";
    public const string JobsHistoryStats = "/api/jobs/history/stats";
    public const string JobsHistoryFailures = "/api/jobs/history/failures";
    public const string JobById = "/api/jobs/{job_id}";
    public const string JobsPredict = "/api/jobs/predict";
    public const string JobsPredictBatch = "/api/jobs/predict/batch";
    public const string JobsPredictCalibration = "/api/jobs/predict/calibration";

    public const string ClusterSummary = "/api/cluster/summary";
    public const string ClusterSummaryQuick = "/api/cluster/summary/quick";
    public const string ClusterBifurcation = "/api/cluster/bifurcation";
    public const string ClusterNodes = "/api/cluster/nodes";
    public const string ClusterSlurmStatus = "/api/cluster/slurm/status";
    public const string ClusterSlurmQueue = "/api/cluster/slurm/queue";
    public const string ClusterCapacityForecast = "/api/cluster/capacity/forecast";
}
