using GrainPool.Cli.Commands;

namespace GrainPool.Cli.Parsing;

/// <summary>
/// Turns the argument list into a <see cref="ParseResult"/>. Command words come first (global options may stand before or
/// among them); then the command's options in any order, as <c>--name value</c> or <c>--name=value</c>; <c>--</c> ends
/// options. <c>--help</c>/<c>-h</c> anywhere wins over everything but an unknown command word.
/// Every problem is a <see cref="UsageException"/> whose message is one line.
/// </summary>
internal static class CommandLineParser
{
    /// <summary>Parses <paramref name="args"/>.</summary>
    public static ParseResult Parse(IReadOnlyList<string> args)
    {
        var optionArgs = args.TakeWhile(a => a != "--").ToList();
        var helpRequested = optionArgs.Any(a => a is GlobalOptions.Help or GlobalOptions.HelpShort);
        var versionRequested = optionArgs.Contains(GlobalOptions.Version);

        // With help asked for, only the command words matter: option mistakes must not hide the help.
        var lenient = helpRequested;
        var words = new List<string>();
        CommandDefinition? command = null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        var positionals = new List<string>();
        var optionsEnded = false;

        for (var i = 0; i < args.Count; i++)
        {
            var token = args[i];
            if (!optionsEnded && token == "--")
            {
                optionsEnded = true;
                continue;
            }

            if (!optionsEnded && IsOptionToken(token))
            {
                if (token is GlobalOptions.Help or GlobalOptions.HelpShort or GlobalOptions.Version)
                {
                    continue;
                }

                i = ReadOption(args, i, command, words, values, flags, lenient);
                continue;
            }

            if (command is null)
            {
                words.Add(token);
                command = CommandCatalog.FindCommand(words);
                if (command is null && CommandCatalog.CommandsUnder(words).Count == 0)
                {
                    words.RemoveAt(words.Count - 1);
                    throw UnknownCommand(words, token);
                }

                if (command is { TakesRawArguments: true } && !helpRequested && !versionRequested)
                {
                    return RawRequest(command, args.Skip(i + 1).ToList(), values.Keys.Concat(flags));
                }

                continue;
            }

            if (command.PositionalName is null)
            {
                if (lenient)
                {
                    continue;
                }

                throw new UsageException($"'{token}' is not an argument of 'grainpool {command.Name}'; see 'grainpool {command.Name} --help'");
            }

            positionals.Add(token);
        }

        if (helpRequested)
        {
            return new HelpRequest(HelpText.For(words));
        }

        if (versionRequested)
        {
            return new VersionRequest();
        }

        if (command is null)
        {
            throw words.Count == 0
                ? new UsageException("no command given; see 'grainpool --help'")
                : new UsageException($"'{string.Join(' ', words)}' needs a subcommand ({string.Join(" or ", CommandCatalog.CommandsUnder(words).Select(c => c.Words[words.Count]))}); see 'grainpool {string.Join(' ', words)} --help'");
        }

        if (command.Options.FirstOrDefault(o => o.Required && !values.ContainsKey(o.Name)) is { } missing)
        {
            throw new UsageException($"{missing.Name} is required: grainpool {command.Usage}");
        }

        var arguments = new ParsedArguments(command, values, flags, positionals);
        var global = GlobalOptions.Bind(arguments);
        return new RunRequest(command.Bind(arguments, global), global);
    }

    private static ParseResult RawRequest(CommandDefinition command, IReadOnlyList<string> rest, IEnumerable<string> globalsGiven)
    {
        if (globalsGiven.FirstOrDefault() is { } global)
        {
            throw new UsageException($"{global}: 'grainpool {command.Name}' takes no global options; see 'grainpool {command.Name} --help'");
        }

        return command.Name == StackCommand.Definition.Name
            ? new StackRequest(StackCommand.Parse(rest))
            : new SiloRequest(SiloCommand.CheckArguments(rest));
    }

    // An option starts with '-' but is not a negative number such as -5 (that is a value, and reported as negative).
    private static bool IsOptionToken(string token) =>
        token.Length > 1 && token[0] == '-' && !char.IsAsciiDigit(token[1]);

    private static int ReadOption(
        IReadOnlyList<string> args,
        int index,
        CommandDefinition? command,
        List<string> words,
        Dictionary<string, string> values,
        HashSet<string> flags,
        bool lenient)
    {
        var token = args[index];
        var equals = token.StartsWith("--", StringComparison.Ordinal) ? token.IndexOf('=') : -1;
        var name = equals < 0 ? token : token[..equals];
        var inline = equals < 0 ? null : token[(equals + 1)..];

        var definition = command is null
            ? GlobalOptions.Definitions.FirstOrDefault(o => o.Name == name)
            : command.FindOption(name);
        if (definition is null)
        {
            if (lenient)
            {
                return index;
            }

            var scope = command is null ? string.Join(' ', ["grainpool", .. words]) : $"grainpool {command.Name}";
            throw new UsageException($"{name}: unknown option for '{scope}'; see '{scope} --help'");
        }

        if (!lenient && (values.ContainsKey(name) || flags.Contains(name)))
        {
            throw new UsageException($"{name}: given more than once");
        }

        if (!definition.TakesValue)
        {
            if (inline is not null && !lenient)
            {
                throw UsageException.ForValue(name, inline, "was given to a flag, which takes no value");
            }

            flags.Add(name);
            return index;
        }

        if (inline is null)
        {
            if (index + 1 >= args.Count || IsOptionToken(args[index + 1]) || args[index + 1] == "--")
            {
                if (lenient)
                {
                    return index;
                }

                throw new UsageException($"{name}: missing value {definition.ValueName}");
            }

            inline = args[++index];
        }

        values[name] = inline;
        return index;
    }

    private static UsageException UnknownCommand(List<string> knownWords, string word)
    {
        var scope = string.Join(' ', ["grainpool", .. knownWords]);
        return new UsageException($"'{word}' is not a command of '{scope}'; see '{scope} --help'");
    }
}
