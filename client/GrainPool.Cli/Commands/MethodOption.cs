using System.CommandLine;
using GrainPool.Cli.Parsing;

namespace GrainPool.Cli.Commands;

/// <summary>One value of <c>--method</c>: the name users type and the handle of the kernel it runs.</summary>
/// <typeparam name="THandle">The handle type of the command's kernels.</typeparam>
internal sealed record MethodChoice<THandle>(string Name, THandle Kernel);

/// <summary>The <c>--method</c> option: chooses the kernel handle a command runs, by the name users type.</summary>
internal static class MethodOption
{
    /// <summary>The option's name.</summary>
    public const string Name = "--method";

    /// <summary>The <c>--method</c> option of a command whose methods are <paramref name="choices"/> (the first is the default).</summary>
    public static Option<string> Create<THandle>(IReadOnlyList<MethodChoice<THandle>> choices, string description)
    {
        var option = CliOptions.Text(Name, "M", description);
        option.CompletionSources.Add([.. choices.Select(c => c.Name)]);
        return option;
    }

    /// <summary>The method given for <c>--method</c>, one of <paramref name="choices"/>; the first when none is given.</summary>
    public static MethodChoice<THandle> Read<THandle>(ParseResult parse, Option<string> option, IReadOnlyList<MethodChoice<THandle>> choices, string command)
    {
        if (parse.GetValue(option) is not { } text)
        {
            return choices[0];
        }

        return choices.FirstOrDefault(c => c.Name == text)
            ?? throw UsageException.ForValue(
                Name, text, $"is not a method {command} takes; it takes {string.Join(", ", choices.Select(c => c.Name))}");
    }
}
