namespace GrainPool.Cli.Parsing;

/// <summary>
/// The user's arguments are wrong. The message is the whole error line after "grainpool: error: ", and names the option
/// and the offending value, for example <c>--to: '18446744073709551616' is larger than 18446744073709551615</c>.
/// </summary>
internal sealed class UsageException(string message) : Exception(message)
{
    /// <summary>An error about one option's value: <c>option: 'value' problem</c>.</summary>
    public static UsageException ForValue(string option, string value, string problem) => new($"{option}: '{value}' {problem}");
}
