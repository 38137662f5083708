using Vgac.Copilot.Core.Text;

namespace Vgac.Copilot.Core.Tests;

public sealed class UntrustedTextTests
{
    [Theory]
    [InlineData("job-1\u202E5001-boj", "job-1<U+202E>5001-boj")]
    [InlineData("ml\u2066prod\u2069", "ml<U+2066>prod<U+2069>")]
    [InlineData("zero\u200Bwidth\uFEFF", "zero<U+200B>width<U+FEFF>")]
    [InlineData("tag\U000E0041\U000E0042", "tag<U+E0041><U+E0042>")]
    [InlineData("line\u2028break", "line<U+2028>break")]
    public void Clean_FormatCharacters_EscapedVisibly(string text, string expected) =>
        Assert.Equal(expected, UntrustedText.Clean(text));

    [Theory]
    [InlineData("a\u001b[2Jb\u0007c\u009bd", "a[2Jbcd")]
    public void Clean_ControlCharacters_Removed(string text, string expected) =>
        Assert.Equal(expected, UntrustedText.Clean(text));

    [Fact]
    public void Clean_LoneSurrogate_Removed() =>
        Assert.Equal("lonesurrogate", UntrustedText.Clean(string.Concat("lone", ((char)0xD800).ToString(), "surrogate")));

    [Theory]
    [InlineData("plain ascii\twith tab\nand newline")]
    [InlineData("café, naïve, 東京, Ωμέγα")]
    [InlineData("an emoji \U0001F680 outside the basic plane")]
    public void Clean_PrintableText_ReturnedUnchangedAndNotCopied(string text) =>
        Assert.Same(text, UntrustedText.Clean(text));
}
