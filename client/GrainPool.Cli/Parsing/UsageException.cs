namespace GrainPool.Cli.Parsing;

/// <summary>
/// The user's arguments are wrong. The message is the whole error line after "grainpool: error: ", and names the option
/// and the offending value, for example <c>--to: '18446744073709551616' is larger than 18446744073709551615</c>.
/// </summary>
internal sealed class UsageException(string message) : Exception(message)
{
    /// <summary>The longest value an error line quotes whole; a longer one is cut (<see cref="Quote"/>).</summary>
    public const int MaxQuoted = 60;

    /// <summary>An error about one option's value: <c>option: 'value' problem</c>.</summary>
    public static UsageException ForValue(string option, string value, string problem) => new($"{option}: {Quote(value)} {problem}");

    /// <summary>
    /// A value as error lines quote it: <c>'value'</c>, or for one longer than <see cref="MaxQuoted"/> characters its
    /// start and its length (<c>'99999999999999999999999999999999999999999...' (100000 characters)</c>), so a pasted
    /// megabyte never comes back on the terminal.
    /// </summary>
    public static string Quote(string value) =>
        value.Length <= MaxQuoted ? $"'{value}'" : $"'{value[..(MaxQuoted - 3)]}...' ({value.Length} characters)";
}
