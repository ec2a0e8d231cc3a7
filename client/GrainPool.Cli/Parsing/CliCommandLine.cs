using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using GrainPool.Cli.Commands;

namespace GrainPool.Cli.Parsing;

/// <summary>
/// grainpool's command line on System.CommandLine: the command tree, and parsing that turns every mistake into one
/// <see cref="UsageException"/> (grainpool's one error line and exit code 2) instead of System.CommandLine's errors and help.
/// Help and <c>--version</c> are System.CommandLine's actions, printed on standard output.
/// </summary>
internal static class CliCommandLine
{
    private static readonly ParserConfiguration Configuration = new()
    {
        // Every argument is what the user typed: no @file expansion, no -abc bundles.
        ResponseFileTokenReplacer = null,
        EnablePosixBundling = false,
    };

    /// <summary>The whole command tree.</summary>
    public static RootCommand Root { get; } = CreateRoot();

    /// <summary>
    /// Parses <paramref name="args"/>. The result's action is help or the version when asked for; otherwise it has no
    /// errors and its command is a <see cref="JobCommand"/>, <see cref="SiloCommand"/>'s or <see cref="StackCommand"/>'s.
    /// </summary>
    /// <exception cref="UsageException">The arguments are wrong; the message names the option or word and the value.</exception>
    public static ParseResult Parse(IReadOnlyList<string> args)
    {
        var parse = Root.Parse(args, Configuration);
        if (parse.Action is SynchronousCommandLineAction { ClearsParseErrors: true })
        {
            return parse; // help or version: they win over mistakes in the rest of the line
        }

        if (FlagGivenAValue(args) is { } flagError)
        {
            throw flagError;
        }

        if (parse.Errors.Count > 0)
        {
            throw new UsageException(ErrorMessage(parse));
        }

        var command = parse.CommandResult.Command;
        if (command is not JobCommand && GlobalOptions.All.FirstOrDefault(parse.Given) is { } global)
        {
            throw new UsageException($"{global.Name}: 'grainpool {command.Name}' takes no global options; see 'grainpool {command.Name} --help'");
        }

        return parse;
    }

    /// <summary>Prints help or the version that <paramref name="parse"/> asks for on <paramref name="output"/>.</summary>
    public static int Invoke(ParseResult parse, TextWriter output) => parse.Invoke(new InvocationConfiguration { Output = output });

    private static RootCommand CreateRoot()
    {
        var root = new RootCommand(
            "grainpool: the multiprocessing tutorial's jobs (prime counts, Pool.map of is_prime, square-root and square sums),\n" +
            "computed exactly on every core.\n\n" +
            "Where the work runs (give at most one of these global options):\n" +
            $"  (none)               embedded: a one-silo GrainPool cluster started inside grainpool for the command\n" +
            $"  {GlobalOptions.InProcess}         threads of this process, no cluster (the baseline)\n" +
            $"  {GlobalOptions.SilosOption} N            N silo processes started on this machine, each pinned to its share of the CPUs\n" +
            $"  {GlobalOptions.ClusterOption} H:P,...    a running cluster, e.g. silos started with 'grainpool silo' in other terminals\n\n" +
            CliHelp.Numbers + "\n\n" +
            "Run 'grainpool <command> --help' for a command's options and an example.")
        {
            HelpName = "grainpool",
        };

        foreach (var option in root.Options)
        {
            switch (option)
            {
                case VersionOption version:
                    version.Action = new VersionAction();
                    break;
                case HelpOption { Action: HelpAction help } helpOption:
                    helpOption.Action = new DetailedHelpAction(help);
                    break;
            }
        }

        GlobalOptions.AddTo(root);
        var primes = new Command("primes", "Prime counts and Pool.map of is_prime") { PrimesCountCommand.Definition, PrimesMapCommand.Definition };
        GlobalOptions.AddTo(primes);
        root.Add(primes);
        root.Add(IsPrimeCommand.Definition);
        root.Add(SqrtSumCommand.Definition);
        root.Add(SquareSumCommand.Definition);
        root.Add(DemoCommand.Definition);
        root.Add(SiloCommand.Definition);
        root.Add(StackCommand.Definition);
        var load = new Command("load", "Load tests: scenarios against GrainPool, latency under load, the scaling run")
        {
            Load.LoadRunCommand.Definition,
            Load.LoadLatencyCommand.Definition,
            Load.LoadScaleCommand.Definition,
        };
        root.Add(load);
        return root;
    }

    private static string ErrorMessage(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var scope = Scope(parse);
        if (command.TreatUnmatchedTokensAsErrors && parse.UnmatchedTokens is [var token, ..])
        {
            return token.StartsWith('-') && token.Length > 1 && !char.IsAsciiDigit(token[1])
                ? $"{UsageException.Quote(token)[1..^1]}: unknown option for '{scope}'; see '{scope} --help'"
                : $"{UsageException.Quote(token)} is not a command or argument of '{scope}'; see '{scope} --help'";
        }

        if (command is not JobCommand && command.Subcommands.Count > 0)
        {
            return command is RootCommand
                ? "no command given; see 'grainpool --help'"
                : $"'{scope["grainpool ".Length..]}' needs a subcommand ({string.Join(" or ", command.Subcommands.Select(c => c.Name))}); see '{scope} --help'";
        }

        // The number parsers' own lines (option: 'value' problem) first: they name what the user typed.
        if (parse.Errors.FirstOrDefault(e => e.SymbolResult is OptionResult { Tokens.Count: 1 } or ArgumentResult { Tokens.Count: > 0 }) is { } valueError)
        {
            return valueError.Message;
        }

        // System.CommandLine's own checks, said the way grainpool's other errors are: the option first.
        foreach (var error in parse.Errors)
        {
            switch (error.SymbolResult)
            {
                case OptionResult { IdentifierToken: null } option:
                    return $"{option.Option.Name} is required; see '{scope} --help'";
                case OptionResult { Tokens.Count: 0 } option:
                    return $"{option.Option.Name}: missing value {option.Option.HelpName}; see '{scope} --help'";
                case OptionResult option:
                    return $"{option.Option.Name}: given more than once";
                case ArgumentResult argument:
                    return $"{argument.Argument.Name}: missing; '{scope}' needs at least one value; see '{scope} --help'";
            }
        }

        return parse.Errors[0].Message;
    }

    // "grainpool primes count": the words of the command parsed so far.
    private static string Scope(ParseResult parse)
    {
        var words = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as CommandResult)
        {
            words.Insert(0, result.Command is RootCommand ? "grainpool" : result.Command.Name);
        }

        return string.Join(' ', words);
    }

    // System.CommandLine splits --json=yes into the flag and a stray 'yes'; say what went wrong in the user's terms.
    private static UsageException? FlagGivenAValue(IReadOnlyList<string> args)
    {
        foreach (var arg in args.TakeWhile(a => a != "--"))
        {
            var equals = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && equals > 0 && IsFlag(Root, arg[..equals]))
            {
                return UsageException.ForValue(arg[..equals], arg[(equals + 1)..], "was given to a flag, which takes no value");
            }
        }

        return null;
    }

    private static bool IsFlag(Command command, string name) =>
        command.Options.Any(o => o.Name == name && o.Arity.MaximumNumberOfValues == 0) || command.Subcommands.Any(c => IsFlag(c, name));

    /// <summary>System.CommandLine's help, then a command's details and examples (<see cref="DetailedCommand"/>).</summary>
    private sealed class DetailedHelpAction(HelpAction help) : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            var exitCode = help.Invoke(parseResult);
            if (parseResult.CommandResult.Command is DetailedCommand command)
            {
                parseResult.InvocationConfiguration.Output.WriteLine(command.Details);
                parseResult.InvocationConfiguration.Output.WriteLine();
            }

            return exitCode;
        }
    }

    /// <summary><c>--version</c>: <c>grainpool X.Y.Z (commit 0123abc)</c> on one line.</summary>
    private sealed class VersionAction : SynchronousCommandLineAction
    {
        public override bool ClearsParseErrors => true;

        public override int Invoke(ParseResult parseResult)
        {
            parseResult.InvocationConfiguration.Output.WriteLine($"grainpool {CliApplication.VersionLine}");
            return ExitCodes.Success;
        }
    }
}

/// <summary>Help text that several commands share.</summary>
internal static class CliHelp
{
    /// <summary>The number syntax every number option and value takes.</summary>
    public static readonly string Numbers =
        $"Numbers: 0 to {ulong.MaxValue}, as digits with optional '_' separators (1_000_000)\n" +
        "or as exact powers of ten with an integer mantissa (1e9, 2e10, 1E6).";

    /// <summary>The end of a command's help: what it does, the number syntax, and its examples.</summary>
    public static string Details(string details, IReadOnlyList<string> examples, bool numbers)
    {
        var text = "Details:\n  " + details.Replace("\n", "\n  ", StringComparison.Ordinal);
        if (numbers)
        {
            text += "\n\n" + Numbers;
        }

        text += "\n\n" + (examples.Count == 1 ? "Example:" : "Examples:");
        foreach (var example in examples)
        {
            text += "\n  grainpool " + example;
        }

        return text;
    }
}
