using System.Text.Json.Nodes;
using Vgac.Copilot.Core.Jobs;

namespace Vgac.Copilot.Core.Tests;

/// <summary>Kubernetes workloads as job specs: GPUs times replicas per kind, and what is left out.</summary>
public sealed class WorkloadManifestTests
{
    private static Workload One(string yaml) => Assert.Single(WorkloadManifest.Read(yaml));

    private const string GpuPod = """
        containers:
            - name: c
              resources: {limits: {nvidia.com/gpu: 2}}
        """;

    [Theory]
    [InlineData("Deployment", "replicas: 3", 6)]
    [InlineData("StatefulSet", "replicas: 2", 4)]
    [InlineData("Job", "parallelism: 4", 8)]
    [InlineData("Job", "completions: 9", 2)]
    public void Read_ReplicatedKinds_MultiplyThePodsGpus(string kind, string count, int gpus)
    {
        var workload = One($"""
            kind: {kind}
            metadata: {"{name: w}"}
            spec:
              {count}
              template:
                spec:
                  {GpuPod.Replace("\n", "\n          ", StringComparison.Ordinal)}
            """);

        Assert.Equal(gpus, workload.Spec!.Gpus);
        Assert.Equal(gpus > 2, workload.Spec.Distributed);
    }

    [Fact]
    public void Read_RayJob_HeadAndWorkerGroups()
    {
        var workload = One("""
            kind: RayJob
            metadata: {name: tune}
            spec:
              rayClusterSpec:
                headGroupSpec:
                  template: {spec: {containers: [{name: h, resources: {limits: {nvidia.com/gpu: 1}}}]}}
                workerGroupSpecs:
                  - replicas: 3
                    template: {spec: {containers: [{name: w, resources: {limits: {nvidia.com/gpu: 2}}}]}}
            """);

        Assert.Equal(7, workload.Spec!.Gpus);
    }

    [Fact]
    public void Read_JobSet_ReplicatedJobsTimesParallelism()
    {
        var workload = One("""
            kind: JobSet
            metadata: {name: js, namespace: research}
            spec:
              replicatedJobs:
                - name: workers
                  replicas: 2
                  template:
                    spec:
                      parallelism: 2
                      template: {spec: {nodeSelector: {cloud.google.com/gke-accelerator: nvidia-h100-80gb}, containers: [{name: w, resources: {limits: {nvidia.com/gpu: 8}}}]}}
            """);

        Assert.Equal(32, workload.Spec!.Gpus);
        Assert.Equal("H100", workload.Spec.GpuType);
        Assert.Equal("research", workload.Spec.Namespace);
    }

    [Fact]
    public void Read_RequestsAndInitContainers_AreReadAsKubernetesDoes()
    {
        var workload = One("""
            kind: Pod
            metadata: {name: p}
            spec:
              initContainers: [{name: i, resources: {limits: {nvidia.com/gpu: 3}}}]
              containers:
                - {name: a, resources: {requests: {cpu: 500m, memory: 512Mi}, limits: {nvidia.com/gpu: 1}}}
                - {name: b, resources: {requests: {cpu: "1.5", memory: 1Gi, amd.com/gpu: 1}}}
            """);

        Assert.Equal(3, workload.Spec!.Gpus);
        Assert.Equal(2000, workload.Spec.CpuMillicores);
        Assert.Equal(1.5, workload.Spec.MemoryGb);
    }

    [Fact]
    public void Read_ListAndOtherKinds_EachNamedWithWhy()
    {
        var workloads = WorkloadManifest.Read("""
            kind: List
            items:
              - {kind: ConfigMap, metadata: {name: cfg}}
              - {kind: Pod, metadata: {name: cpu-only}, spec: {containers: [{name: c}]}}
            """);

        Assert.Equal(["ConfigMap/cfg", "Pod/cpu-only"], workloads.Select(w => w.Label));
        Assert.All(workloads, w => Assert.Null(w.Spec));
        Assert.Contains("not a workload vgac reads", workloads[0].Problem, StringComparison.Ordinal);
        Assert.Contains("asks for no GPU", workloads[1].Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HostileNames_AreLeftOut_NeverPassedOn()
    {
        var workload = One("""
            kind: Pod
            metadata: {name: "x; rm -rf /", namespace: "ns\u001b[31m", labels: {kueue.x-k8s.io/queue-name: "$(id)"}}
            spec: {nodeSelector: {accelerator: "`reboot`"}, containers: [{name: c, resources: {limits: {nvidia.com/gpu: 1}}}]}
            """, "fallback-ns");

        Assert.Equal("Pod/(unnamed)", workload.Label);
        Assert.Equal("fallback-ns", workload.Spec!.Namespace);
        Assert.Null(workload.Spec.Queue);
        Assert.Null(workload.Spec.GpuType);
    }

    [Fact]
    public void Read_NotYaml_SaysWhereAndWhat()
    {
        var ex = Assert.Throws<JobSpecException>(() => WorkloadManifest.Read("kind: Pod\n  metadata: [unclosed"));

        Assert.StartsWith("the manifest is not valid YAML (line ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromObject_AdmissionReviewsJson_ReadsTheSameAsYaml()
    {
        var pod = JsonNode.Parse("""{"kind":"Pod","metadata":{"name":"p","namespace":"ml"},"spec":{"containers":[{"name":"c","resources":{"limits":{"nvidia.com/gpu":"4"}}}]}}""")!.AsObject();

        var workload = WorkloadManifest.FromObject(pod);

        Assert.Equal(4, workload.Spec!.Gpus);
        Assert.Equal("ml", workload.Spec.Namespace);
    }

    private static Workload One(string yaml, string defaultNamespace) => Assert.Single(WorkloadManifest.Read(yaml, defaultNamespace));
}
