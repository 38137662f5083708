using System.Globalization;

namespace Vgac.Copilot.Core.Settings;

/// <summary>What an options validator found wrong, each message naming the setting, the range it expected and the value it got.</summary>
public sealed class SettingFailures(string section)
{
    private readonly List<string> _failures = [];

    public IReadOnlyList<string> All => _failures;

    public void Add(string message) => _failures.Add(message);

    /// <summary>Refuses a value outside (min, max] (or [min, max] when <paramref name="minExclusive"/> is false), or not a finite number.</summary>
    public void Range(string field, double value, double min, double max, bool minExclusive = true)
    {
        if (!double.IsFinite(value) || (minExclusive ? value <= min : value < min) || value > max)
        {
            _failures.Add(string.Create(CultureInfo.InvariantCulture, $"{section}:{field} must be in {(minExclusive ? "(" : "[")}{min}, {max}], got {value}."));
        }
    }

    public Microsoft.Extensions.Options.ValidateOptionsResult Result() =>
        _failures.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(_failures);
}
