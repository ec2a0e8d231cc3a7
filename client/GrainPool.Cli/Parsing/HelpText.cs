using System.Text;

namespace GrainPool.Cli.Parsing;

/// <summary>Renders help from the command and option definitions, so help never drifts from what the parser accepts.</summary>
internal static class HelpText
{
    private const int Indent = 2;

    /// <summary>Help for the command (or group of commands, or the whole program) named by <paramref name="words"/>.</summary>
    public static string For(IReadOnlyList<string> words)
    {
        if (CommandCatalog.FindCommand(words) is { } command)
        {
            return ForCommand(command);
        }

        return words.Count == 0 ? ForProgram() : ForGroup(words);
    }

    private static string ForProgram()
    {
        var text = new StringBuilder();
        text.AppendLine("grainpool: the multiprocessing tutorial's jobs (prime counts, Pool.map of is_prime, square-root and");
        text.AppendLine("square sums), computed exactly on every core.");
        text.AppendLine();
        text.AppendLine("Usage: grainpool <command> [options]");
        text.AppendLine();
        text.AppendLine("Commands:");
        AppendTable(text, CommandCatalog.Commands.Select(c => (c.Name, c.Summary)));
        text.AppendLine();
        text.AppendLine("Where the work runs (give at most one of these global options):");
        AppendTable(text,
        [
            ("(none)", "embedded: a one-silo GrainPool cluster started inside grainpool for the command"),
            ($"{GlobalOptions.InProcess}", "threads of this process, no cluster (the baseline)"),
            ($"{GlobalOptions.SilosOption} N", "N silo processes started on this machine, each pinned to its share of the CPUs"),
            ($"{GlobalOptions.ClusterOption} H:P,...", "a running cluster, e.g. silos started with 'grainpool silo' in other terminals"),
        ]);
        AppendGlobalOptions(text);
        AppendNumbers(text);
        text.AppendLine();
        text.AppendLine("Run 'grainpool <command> --help' for a command's options and an example.");
        return text.ToString();
    }

    private static string ForGroup(IReadOnlyList<string> words)
    {
        var group = string.Join(' ', words);
        var text = new StringBuilder();
        text.AppendLine($"Usage: grainpool {group} <command> [options]");
        text.AppendLine();
        text.AppendLine("Commands:");
        AppendTable(text, CommandCatalog.CommandsUnder(words).Select(c => (c.Name, c.Summary)));
        text.AppendLine();
        text.AppendLine($"Run 'grainpool {group} <command> --help' for a command's options and an example.");
        return text.ToString();
    }

    private static string ForCommand(CommandDefinition command)
    {
        var text = new StringBuilder();
        text.AppendLine($"Usage: grainpool {command.Usage}");
        text.AppendLine();
        text.AppendLine(command.Description);
        if (command.Options.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("Options:");
            AppendTable(text, command.Options.Select(o => (o.Synopsis, o.Description)));
        }

        if (!command.TakesRawArguments)
        {
            AppendGlobalOptions(text);
            AppendNumbers(text);
        }

        text.AppendLine();
        text.AppendLine(command.Examples.Count == 1 ? "Example:" : "Examples:");
        foreach (var example in command.Examples)
        {
            text.AppendLine($"{new string(' ', Indent)}grainpool {example}");
        }

        return text.ToString();
    }

    private static void AppendGlobalOptions(StringBuilder text)
    {
        text.AppendLine();
        text.AppendLine("Global options (every command):");
        AppendTable(text, GlobalOptions.Definitions.Select(o => (o.Synopsis, o.Description)));
    }

    private static void AppendNumbers(StringBuilder text)
    {
        text.AppendLine();
        text.AppendLine($"Numbers: 0 to {ulong.MaxValue}, as digits with optional '_' separators (1_000_000)");
        text.AppendLine("or as exact powers of ten with an integer mantissa (1e9, 2e10, 1E6).");
    }

    private static void AppendTable(StringBuilder text, IEnumerable<(string Left, string Right)> rows)
    {
        var list = rows.ToList();
        var width = list.Max(r => r.Left.Length) + 2;
        foreach (var (left, right) in list)
        {
            text.Append(' ', Indent).Append(left.PadRight(width)).AppendLine(right);
        }
    }
}
