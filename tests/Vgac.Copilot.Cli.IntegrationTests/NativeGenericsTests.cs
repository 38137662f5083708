using System.Xml.Linq;
using Vgac.Copilot.Simulator;
using Vgac.Copilot.Simulator.Hosting;
using Vgac.Copilot.Testing;
using Vgac.Copilot.Cli.Tests;

namespace Vgac.Copilot.Cli.IntegrationTests;

/// <summary>Tests that must see every service provider the process builds while they run, and only theirs.</summary>
[CollectionDefinition(nameof(AloneCollection), DisableParallelization = true)]
public sealed class AloneCollection;

/// <summary>
/// <c>NativeGenerics.rd.xml</c> names the generic types the container makes on the paths of <c>vgac predict</c>,
/// <c>doctor</c> and <c>config</c> in the one-shot program, so that the native build compiles them ahead instead of
/// building them on each start (about 20 ms of a native predict). This keeps the list whole as the wiring changes.
/// </summary>
[Collection(nameof(AloneCollection))]
public sealed class NativeGenericsTests
{
    private static readonly string Directives = Path.Combine(TestPaths.RepoRoot, "src", "Vgac.Copilot.Cli", "NativeGenerics.rd.xml");

    [Fact]
    public async Task PredictDoctorConfig_EveryGenericTypeTheContainerMakes_IsCompiledAheadForTheNativeBuild()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var vgac = await SimulatorHost.StartAsync(new SimulatorOptions { Speed = 0 }, cancellationToken: ct);
        var environment = new Dictionary<string, string>
        {
            ["VGAC_API_BASE_URL"] = vgac.Url.ToString(),
            ["VGAC_DATA_DIR"] = Vgac.Copilot.Testing.TestPaths.NewFolder("vgac-native-generics-"),
        };

        HashSet<(string Assembly, string Type)> made;
        using (var generics = new ContainerGenerics())
        {
            // Predict with a cold cache (calibration, history and audits read) and a warm one, then doctor and config.
            string[][] runs = [["predict", "--gpus", "2"], ["predict", "--gpus", "2"], ["doctor"], ["config"]];
            foreach (var run in runs)
            {
                var result = await CliHarness.RunAsync(Hosting.OneShotHost.Instance, run, environment, ct);
                Assert.True(result.ExitCode == ExitCodes.Success, $"vgac {string.Join(' ', run)}: {result}");
            }

            made = [.. generics.Made()];
        }

        var listed = XDocument.Load(Directives).Descendants().Where(e => e.Name.LocalName == "Type")
            .Select(t => ((string)t.Parent!.Attribute("Name")!, (string)t.Attribute("Name")!)).ToHashSet();
        List<(string Assembly, string Type)> missing = [.. made.Except(listed).Order()];

        Assert.NotEmpty(made);
        Assert.True(missing.Count == 0,
            $"{missing.Count} generic types made on the predict, doctor and config paths are not in {Directives}; add:\n"
            + string.Join("\n", missing.Select(m => $"    <Assembly Name=\"{m.Assembly}\"><Type Name=\"{m.Type}\" Dynamic=\"Required All\" /></Assembly>")));
    }
}
