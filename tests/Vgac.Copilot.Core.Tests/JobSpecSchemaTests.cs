using System.Text.Json;
using Vgac.Copilot.Core.Jobs;

namespace Vgac.Copilot.Core.Tests;

public sealed class JobSpecSchemaTests
{
    [Fact]
    public void Fields_AreTheDocumentedNamesInOrder_WithKinds()
    {
        Assert.Equal(["gpus", "cpu_millicores", "memory_gb", "priority", "namespace", "queue", "gpu_type", "distributed", "duration_minutes"], JobSpecSchema.Names);
        Assert.Equal(JobFieldKind.WholeNumber, JobSpecSchema.Get("gpus", "t").Kind);
        Assert.Equal(JobFieldKind.Number, JobSpecSchema.Get("memory_gb", "t").Kind);
        Assert.Equal(JobFieldKind.Flag, JobSpecSchema.Get("distributed", "t").Kind);
        Assert.Equal(JobFieldKind.Text, JobSpecSchema.Get("gpu_type", "t").Kind);
        Assert.Equal(["gpus"], JobSpecSchema.Fields.Where(f => f.Required).Select(f => f.Name));
        Assert.Equal(["queue", "gpu_type", "duration_minutes"], JobSpecSchema.Fields.Where(f => f.Nullable).Select(f => f.Name));
        Assert.Equal("--duration-minutes", JobSpecSchema.Get("duration_minutes", "t").Flag);
    }

    [Fact]
    public void Fields_AgreeWithJobSpecInputsDeclaration_EveryPropertyOnceWithItsKindNullabilityAndAccessors()
    {
        // The table is written out in JobSpecSchema; here the same facts come from the record itself, by reflection.
        var nullability = new System.Reflection.NullabilityInfoContext();
        var properties = typeof(JobSpecInput).GetProperties();
        var declared = properties.Select(p => p.GetCustomAttributes(typeof(System.Text.Json.Serialization.JsonPropertyNameAttribute), false)
            .Cast<System.Text.Json.Serialization.JsonPropertyNameAttribute>().Single().Name).ToList();

        Assert.Equal(declared, JobSpecSchema.Names);
        foreach (var (property, field) in properties.Zip(JobSpecSchema.Fields))
        {
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            var kind = type == typeof(int) ? JobFieldKind.WholeNumber : type == typeof(double) ? JobFieldKind.Number : type == typeof(bool) ? JobFieldKind.Flag : JobFieldKind.Text;
            Assert.Equal((kind, nullability.Create(property).WriteState == System.Reflection.NullabilityState.Nullable, property.IsDefined(typeof(System.Runtime.CompilerServices.RequiredMemberAttribute), false)), (field.Kind, field.Nullable, field.Required));

            // The accessors reach this property and no other.
            object sample = kind switch { JobFieldKind.WholeNumber => 7, JobFieldKind.Number => 7.5, JobFieldKind.Flag => true, _ => "seven" };
            var spec = JobSpecSchema.With(new JobSpecInput { Gpus = 1 }, field, Convert.ToString(sample, System.Globalization.CultureInfo.InvariantCulture)!, "t");
            Assert.Equal(sample, property.GetValue(spec));
            Assert.Equal(sample, field.ValueOf(spec));
            Assert.Equal(properties.Where(p => p != property).Select(p => p.GetValue(new JobSpecInput { Gpus = 1 })), properties.Where(p => p != property).Select(p => p.GetValue(spec)));
        }

        Assert.Equal("GPUs requested.", JobSpecSchema.Get("gpus", "t").Description);
        Assert.Equal(1000.0, JobSpecSchema.Get("cpu_millicores", "t").Default);
        Assert.Null(JobSpecSchema.Get("queue", "t").Default);
    }

    [Fact]
    public void Parse_LeftOutFields_KeepTheirDefaults_AndMapToTheContract()
    {
        using var json = JsonDocument.Parse("""{"gpus": 4, "gpu_type": "H100", "duration_minutes": 45, "distributed": true}""");

        var spec = JobSpecSchema.Parse(json.RootElement, "t").ToContract();

        Assert.Equal(4, spec.Gpus);
        Assert.Equal(1000, spec.Cpu);
        Assert.Equal(1, spec.MemoryGb);
        Assert.Equal("default", spec.Namespace);
        Assert.Equal("H100", spec.GpuType);
        Assert.Equal(45, spec.EstimatedDurationMinutes);
        Assert.True(spec.IsDistributed);
    }

    [Theory]
    [InlineData("""{"gpus": 1, "gpu": "A100"}""", "t: unknown field 'gpu'; did you mean 'gpus'?")]
    [InlineData("""{"gpus": 1, "memory_gib": 4}""", "did you mean 'memory_gb'?")]
    [InlineData("""{"gpus": 1, "colour": "red"}""", "t: unknown field 'colour'. The fields are: gpus, cpu_millicores")]
    [InlineData("""{"gpus": "2"}""", "t: gpus must be a whole number, got the string '2'.")]
    [InlineData("""{"gpus": 1.5}""", "t: gpus must be a whole number, got the number '1.5'.")]
    [InlineData("""{"gpus": 1, "memory_gb": "8"}""", "memory_gb must be a number, got the string '8'.")]
    [InlineData("""{"gpus": 1, "namespace": 7}""", "namespace must be a string, got the number '7'.")]
    [InlineData("""{"gpus": 1, "namespace": null}""", "namespace must be a string, got null.")]
    [InlineData("""{"gpus": 1, "gpus": 2}""", "\"gpus\" is given twice")]
    [InlineData("""{"gpus": 1, "memory_gb": 0}""", "t: memory_gb must be greater than 0, got 0.")]
    [InlineData("""{"priority": 1}""", "t: \"gpus\" is required")]
    [InlineData("""7""", "t: expected a JSON object")]
    public void Parse_BadSpec_NamesTheFieldWhatWasExpectedAndWhatCame(string text, string message)
    {
        using var json = JsonDocument.Parse(text);

        var error = Assert.Throws<JobSpecException>(() => JobSpecSchema.Parse(json.RootElement, "t"));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_SetsOneFieldOnACopy_AndRejectsTextThatIsNotItsKind()
    {
        var spec = new JobSpecInput { Gpus = 1 };

        var varied = JobSpecSchema.With(spec, JobSpecSchema.Get("memory_gb", "t"), "16", "t");

        Assert.Equal(16, varied.MemoryGb);
        Assert.Equal(1, spec.MemoryGb);
        var error = Assert.Throws<JobSpecException>(() => JobSpecSchema.With(spec, JobSpecSchema.Get("distributed", "t"), "yes", "--what-if"));
        Assert.Equal("--what-if: distributed must be true or false, got 'yes'.", error.Message);
        Assert.Throws<JobSpecException>(() => JobSpecSchema.With(spec, JobSpecSchema.Get("gpu_type", "t"), new string('a', JobSpecSchema.MaxTextLength + 1), "t"));
    }
}
