using System.CommandLine;

namespace GrainPool.Cli.Parsing;

/// <summary>A grainpool command whose help goes on, after System.CommandLine's, with what it does in detail and examples.</summary>
/// <param name="name">The command's word.</param>
/// <param name="summary">One line for the command list.</param>
/// <param name="details">What the command does, for its own help.</param>
/// <param name="examples">Example invocations, without the leading <c>grainpool</c>.</param>
/// <param name="numbers">True when the command takes numbers (help then explains their syntax).</param>
internal class DetailedCommand(string name, string summary, string details, IReadOnlyList<string> examples, bool numbers)
    : Command(name, summary)
{
    /// <summary>The text help prints after the options: the details, the number syntax, the examples.</summary>
    public string Details { get; } = CliHelp.Details(details, examples, numbers);
}
