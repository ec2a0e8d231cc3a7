namespace GrainPool.Cli.Parsing;

/// <summary>One option a command accepts, as the parser and the help text see it.</summary>
/// <param name="Name">The option as typed, for example <c>--to</c>.</param>
/// <param name="ValueName">The placeholder of its value in help (for example <c>B</c>); null for a flag.</param>
/// <param name="Description">One line of help, defaults included.</param>
/// <param name="Required">True when the command cannot run without it.</param>
/// <param name="ShortName">A one-letter form such as <c>-h</c>, or null.</param>
internal sealed record OptionDefinition(string Name, string? ValueName, string Description, bool Required = false, string? ShortName = null)
{
    /// <summary>True when the option is followed by a value.</summary>
    public bool TakesValue => ValueName is not null;

    /// <summary>The option as help shows it, for example <c>--to B</c>.</summary>
    public string Synopsis => (ShortName is null ? string.Empty : ShortName + ", ") + (ValueName is null ? Name : $"{Name} {ValueName}");
}
