using System.Text.Json;
using System.Text.Json.Serialization;
using Vgac.Copilot.Core.Guards;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Core.Tests;

public sealed class WireNamesTests
{
    [JsonConverter(typeof(WireNameConverter<Sample>))]
    public enum Sample
    {
        Plain,
        AwaitingApproval,
        ExecutionStarted,
    }

    public sealed record Holder(Sample Value);

    [Theory]
    [InlineData(Sample.Plain, "plain")]
    [InlineData(Sample.AwaitingApproval, "awaiting_approval")]
    [InlineData(Sample.ExecutionStarted, "execution_started")]
    public void Wire_EachMember_IsItsSnakeCaseNameAndParsesBack(Sample value, string wire)
    {
        Assert.Equal(wire, value.Wire());
        Assert.True(WireNames.TryParse(wire, out Sample parsed));
        Assert.Equal(value, parsed);
        Assert.Equal(wire.Replace('_', ' '), value.Spoken());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("AwaitingApproval")]
    [InlineData("awaiting approval")]
    [InlineData("1")]
    public void TryParse_AnythingButAWireName_IsFalse(string? text)
    {
        Assert.False(WireNames.TryParse(text, out Sample _));
    }

    [Fact]
    public void Converter_WritesWireNames_AndRefusesNumbers()
    {
        Assert.Equal("""{"Value":"execution_started"}""", JsonSerializer.Serialize(new Holder(Sample.ExecutionStarted)));
        Assert.Equal(Sample.AwaitingApproval, JsonSerializer.Deserialize<Holder>("""{"Value":"awaiting_approval"}""")!.Value);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Holder>("""{"Value":1}"""));
    }

    [Fact]
    public void Wire_AnEnumOfTheProduct_UsesTheSameRule()
    {
        Assert.Equal("low_confidence", ShownAs.LowConfidence.Wire());
    }
}
