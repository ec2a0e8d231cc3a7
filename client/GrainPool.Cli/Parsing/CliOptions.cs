using System.CommandLine;

namespace GrainPool.Cli.Parsing;

/// <summary>
/// Makes grainpool's options on System.CommandLine: numbers read by <see cref="NumberParser"/> (the one home of the
/// number grammar), text values and flags; and reads back what the user typed for an option, for error lines.
/// </summary>
internal static class CliOptions
{
    /// <summary>An option whose value is a number (<c>1e10</c>, <c>1_000_000</c>, ...); a bad one is an error naming both.</summary>
    public static Option<ulong> Number(string name, string valueName, string description, bool required = false) => new(name)
    {
        HelpName = valueName,
        Description = description,
        Required = required,
        CustomParser = NumberParser.ParseArgument,
    };

    /// <summary>An option whose value is text, checked by the command that reads it.</summary>
    public static Option<string> Text(string name, string valueName, string description) => new(name)
    {
        HelpName = valueName,
        Description = description,
    };

    /// <summary>A flag: present or not, never followed by a value.</summary>
    public static Option<bool> Flag(string name, string description) => new(name)
    {
        Description = description,
        Arity = ArgumentArity.Zero,
    };

    /// <summary>The text the user typed for <paramref name="option"/>, or null when it was not given.</summary>
    public static string? Typed(this ParseResult result, Option option) =>
        result.GetResult(option) is { Implicit: false, Tokens: [var token, ..] } ? token.Value : null;

    /// <summary>The text shown for an option's value in errors: what the user typed, or <paramref name="fallback"/>.</summary>
    public static string Shown(this ParseResult result, Option option, ulong fallback) =>
        result.Typed(option) ?? fallback.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="option"/> was given on the command line (a flag, or an option with its value).</summary>
    public static bool Given(this ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };
}
