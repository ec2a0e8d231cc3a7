using GrainPool.Cli.Commands;

namespace GrainPool.Cli.Parsing;

/// <summary>A command users run: its words, its options, its help, and how its arguments become an <see cref="ICliCommand"/>.</summary>
/// <param name="Name">The command's words, for example <c>primes count</c>.</param>
/// <param name="Summary">One line for the command list.</param>
/// <param name="Usage">The usage line after <c>grainpool </c>.</param>
/// <param name="Description">What the command computes, for its help.</param>
/// <param name="Options">The command's own options (the global options come on top).</param>
/// <param name="PositionalName">The placeholder of positional values, or null when the command takes none.</param>
/// <param name="Examples">Example invocations (without the leading <c>grainpool</c>).</param>
/// <param name="Bind">Validates the parsed arguments and returns the runnable command; throws <see cref="UsageException"/>.</param>
/// <param name="TakesRawArguments">
/// True for a command that hands every argument after its words to another program's own parser (<c>silo</c>): no
/// global options, and <see cref="Bind"/> is not used.
/// </param>
internal sealed record CommandDefinition(
    string Name,
    string Summary,
    string Usage,
    string Description,
    IReadOnlyList<OptionDefinition> Options,
    string? PositionalName,
    IReadOnlyList<string> Examples,
    Func<ParsedArguments, GlobalOptions, ICliCommand> Bind,
    bool TakesRawArguments = false)
{
    /// <summary>The command's words one by one.</summary>
    public IReadOnlyList<string> Words { get; } = Name.Split(' ');

    /// <summary>The command's own option or a global one, or null when the name is neither.</summary>
    public OptionDefinition? FindOption(string name) =>
        Options.FirstOrDefault(o => o.Name == name) ?? GlobalOptions.Definitions.FirstOrDefault(o => o.Name == name);
}
