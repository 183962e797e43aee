using System.Globalization;
using Microsoft.Extensions.Options;

namespace DomainAdaptation.Training;

/// <summary>Collects option failures as "Prefix.Option must be RULE, but was VALUE." messages.</summary>
internal sealed class OptionChecks(string prefix)
{
    private readonly List<string> _failures = [];

    public string Prefix { get; } = prefix;

    public IReadOnlyList<string> Failures => _failures;

    public void Fail(string option, string rule, object? value) =>
        _failures.Add(string.Create(CultureInfo.InvariantCulture, $"{Prefix}{option} must be {rule}, but was {Show(value)}."));

    public void Add(string message) => _failures.Add(message);

    public void AddRange(IEnumerable<string> messages) => _failures.AddRange(messages);

    public void Defined<TEnum>(TEnum value, string option)
        where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
        {
            _failures.Add($"{Prefix}{option} must be one of {string.Join(", ", Enum.GetNames<TEnum>())}, but was {value}.");
        }
    }

    public ValidateOptionsResult Result() => _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);

    public static string Show(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "null",
    };
}
