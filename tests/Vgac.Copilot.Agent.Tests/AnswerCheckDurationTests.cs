using Vgac.Copilot.Agent.Planning;
using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Agent.Tests;

/// <summary>Durations in one human form, and the answer check grounding that form in the seconds a tool returned.</summary>
public sealed class AnswerCheckDurationTests
{
    [Theory]
    [InlineData(45, "45 s")]
    [InlineData(89.4, "89 s")]
    [InlineData(600, "10 min")]
    [InlineData(5340, "89 min")]
    [InlineData(9615, "2 h 40 min")]
    [InlineData(10800, "3 h")]
    [InlineData(24222, "6 h 44 min")]
    public void Duration_Seconds_OneHumanForm(double seconds, string expected) => Assert.Equal(expected, Words.Duration(seconds));

    [Fact]
    public void Ungrounded_HoursAndMinutesOfAToolsSeconds_Grounded()
    {
        Assert.Empty(AnswerChecker.Ungrounded("The oldest has waited 2 h 40 min.", ["""{"oldest_pending_seconds":9615}"""], "how long", []));
        Assert.Empty(AnswerChecker.Ungrounded("p95 is 3 h.", ["""{"p95_seconds":10790}"""], "p95", []));
    }

    [Fact]
    public void Ungrounded_HoursAndMinutesNoToolReturned_Flagged()
    {
        Assert.Equal(["2", "41"], AnswerChecker.Ungrounded("The oldest has waited 2 h 41 min.", ["""{"oldest_pending_seconds":9615}"""], "how long", []));
    }

    [Fact]
    public void Ungrounded_AHalfWayNumberShownAsItsWriterRoundsIt_Grounded()
    {
        // 0.285 is written "0.29" (its decimal digits round up), though the double nearest it lies just below.
        Assert.Empty(AnswerChecker.Ungrounded("P(long wait) at 0.29", ["""{"p_long_wait_at_submit":0.285}"""], "tell me", []));
        Assert.Equal("0.29", 0.285.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
    }
}
