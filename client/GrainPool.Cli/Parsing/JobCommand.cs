using System.CommandLine;

namespace GrainPool.Cli.Parsing;

/// <summary>
/// A command that runs a job: a System.CommandLine command with the global options, its longer help, and how its
/// parsed values become the runnable <see cref="Commands.ICliCommand"/>.
/// </summary>
internal sealed class JobCommand : DetailedCommand
{
    /// <summary>Declares the command <paramref name="words"/> (for example <c>primes count</c>; the last word is its name).</summary>
    /// <param name="words">The command's words as output reports them.</param>
    /// <param name="summary">One line for the command list.</param>
    /// <param name="details">What the command computes, for its own help.</param>
    /// <param name="symbols">The command's own options and arguments.</param>
    /// <param name="examples">Example invocations, without the leading <c>grainpool</c>.</param>
    /// <param name="bind">Checks the parsed values and returns the runnable command; throws <see cref="UsageException"/>.</param>
    public JobCommand(
        string words,
        string summary,
        string details,
        IEnumerable<Symbol> symbols,
        IReadOnlyList<string> examples,
        Func<ParseResult, GlobalOptions, Commands.ICliCommand> bind)
        : base(words.Split(' ')[^1], summary, details, examples, numbers: true)
    {
        Words = words;
        Bind = bind;
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Option option:
                    Add(option);
                    break;
                case Argument argument:
                    Add(argument);
                    break;
            }
        }

        GlobalOptions.AddTo(this);
    }

    /// <summary>The command's words as output reports them, for example <c>primes count</c>.</summary>
    public string Words { get; }

    /// <summary>Checks the parsed values and returns the runnable command.</summary>
    public Func<ParseResult, GlobalOptions, Commands.ICliCommand> Bind { get; }
}
