using System.Text.Json;
using System.Text.Json.Serialization;
using Vgac.Copilot.Evals.Cassettes;
using Vgac.Copilot.Evals.Running;

namespace Vgac.Copilot.Evals;

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CassetteManifest))]
[JsonSerializable(typeof(EvalReport))]
internal sealed partial class EvalJson : JsonSerializerContext;
