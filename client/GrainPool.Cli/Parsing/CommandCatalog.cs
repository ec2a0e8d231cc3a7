using GrainPool.Cli.Commands;

namespace GrainPool.Cli.Parsing;

/// <summary>Every command grainpool has, and the lookup of command words.</summary>
internal static class CommandCatalog
{
    /// <summary>All commands, in the order help lists them.</summary>
    public static IReadOnlyList<CommandDefinition> Commands { get; } =
    [
        PrimesCountCommand.Definition,
        PrimesMapCommand.Definition,
        IsPrimeCommand.Definition,
        SqrtSumCommand.Definition,
        SquareSumCommand.Definition,
        DemoCommand.Definition,
        SiloCommand.Definition,
        StackCommand.Definition,
    ];

    /// <summary>The command whose words are exactly <paramref name="words"/>, or null.</summary>
    public static CommandDefinition? FindCommand(IReadOnlyList<string> words) =>
        Commands.FirstOrDefault(c => c.Words.SequenceEqual(words, StringComparer.Ordinal));

    /// <summary>The commands whose words start with <paramref name="prefix"/> (a group such as <c>primes</c> has several).</summary>
    public static IReadOnlyList<CommandDefinition> CommandsUnder(IReadOnlyList<string> prefix) =>
        [.. Commands.Where(c => c.Words.Count > prefix.Count && c.Words.Take(prefix.Count).SequenceEqual(prefix, StringComparer.Ordinal))];
}
