namespace GrainPool.Cli.Parsing;

/// <summary>The raw arguments of one command after parsing: option values by name, flags, and positional values.</summary>
internal sealed class ParsedArguments(
    CommandDefinition command,
    IReadOnlyDictionary<string, string> values,
    IReadOnlySet<string> flags,
    IReadOnlyList<string> positionals)
{
    /// <summary>The command being run.</summary>
    public CommandDefinition Command { get; } = command;

    /// <summary>Positional values in order.</summary>
    public IReadOnlyList<string> Positionals { get; } = positionals;

    /// <summary>The text given for <paramref name="option"/>, or null when it was not given.</summary>
    public string? Value(string option) => values.TryGetValue(option, out var text) ? text : null;

    /// <summary>True when the flag <paramref name="option"/> was given.</summary>
    public bool Flag(string option) => flags.Contains(option);

    /// <summary>The number given for a required option (the parser has already checked that it is present).</summary>
    public ulong Number(string option) =>
        NumberParser.Parse(option, Value(option) ?? throw new UsageException($"{option} is required"));

    /// <summary>The number given for <paramref name="option"/>, or <paramref name="fallback"/> when it was not given.</summary>
    public ulong NumberOrDefault(string option, ulong fallback) =>
        Value(option) is { } text ? NumberParser.Parse(option, text) : fallback;

    /// <summary>The text shown for an option's value in errors: what the user typed, or the default.</summary>
    public string Shown(string option, ulong fallback) => Value(option) ?? fallback.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
