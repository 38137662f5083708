namespace Vgac.Copilot.Tools.Catalog;

/// <summary>Every tool name, in one place: <c>&lt;plugin&gt;_&lt;action&gt;</c>, the same in Semantic Kernel and MCP.</summary>
public static class ToolNames
{
    public const string ObserverClusterSummary = "observer_cluster_summary";
    public const string ObserverQuickSummary = "observer_quick_summary";
    public const string ObserverNodes = "observer_nodes";
    public const string ObserverBifurcation = "observer_bifurcation";
    public const string ObserverSlurmStatus = "observer_slurm_status";
    public const string ObserverSlurmQueue = "observer_slurm_queue";
    public const string ObserverCapacityForecast = "observer_capacity_forecast";
    public const string ObserverJobQueue = "observer_job_queue";
    public const string ObserverJobs = "observer_jobs";
    public const string ObserverJobDetails = "observer_job_details";
    public const string ObserverJobHistory = "observer_job_history";
    public const string ObserverHistoryStats = "observer_history_stats";
    public const string ObserverFailurePatterns = "observer_failure_patterns";
    public const string ObserverAnomalies = "observer_anomalies";

    public const string PredictorPredictWait = "predictor_predict_wait";
    public const string PredictorWhatIf = "predictor_what_if";
    public const string PredictorPredictBatch = "predictor_predict_batch";
    public const string PredictorPendingJobs = "predictor_pending_jobs";
    public const string PredictorPredictJobs = "predictor_predict_jobs";
    public const string PredictorClusterState = "predictor_cluster_state";
    public const string PredictorServiceStats = "predictor_service_stats";

    public const string CalibratorStatus = "calibrator_status";
    public const string CalibratorLiveAudit = "calibrator_live_audit";
    public const string CalibratorTierVerdict = "calibrator_tier_verdict";

    public const string ActorRecommendPolicy = "actor_recommend_policy";
    public const string ActorAdmissionPreview = "actor_admission_preview";
    public const string ActorProposeAction = "actor_propose_action";
    public const string ActorApplyAction = "actor_apply_action";

    /// <summary>The whole catalogue, in order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        ObserverClusterSummary, ObserverQuickSummary, ObserverNodes, ObserverBifurcation, ObserverSlurmStatus, ObserverSlurmQueue,
        ObserverCapacityForecast, ObserverJobQueue, ObserverJobs, ObserverJobDetails, ObserverJobHistory, ObserverHistoryStats,
        ObserverFailurePatterns, ObserverAnomalies,
        PredictorPredictWait, PredictorWhatIf, PredictorPredictBatch, PredictorPendingJobs, PredictorPredictJobs, PredictorClusterState,
        PredictorServiceStats,
        CalibratorStatus, CalibratorLiveAudit, CalibratorTierVerdict,
        ActorRecommendPolicy, ActorAdmissionPreview, ActorProposeAction, ActorApplyAction,
    ];

    /// <summary>Tool groups (<c>--toolsets</c>): the plugin prefix of a name.</summary>
    public static IReadOnlyList<string> Toolsets { get; } = ["observer", "predictor", "calibrator", "actor"];
}
