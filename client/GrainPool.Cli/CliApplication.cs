using System.CommandLine;
using System.Diagnostics;
using System.Reflection;
using System.Text;
using System.Text.Json;
using GrainPool.Cli.Commands;
using GrainPool.Cli.Load;
using GrainPool.Cli.Output;
using GrainPool.Cli.Parsing;
using GrainPool.Cli.Running;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli;

/// <summary>
/// The program: parses the arguments, runs the command on the selected runner, prints text or JSON, and maps every
/// failure to one line on standard error and an exit code (<see cref="ExitCodes"/>).
/// </summary>
/// <param name="console">Where output goes.</param>
/// <param name="createRunner">
/// Creates the runner for the global options, starting or joining its cluster (default: <see cref="JobRunnerFactory.CreateAsync"/>).
/// </param>
internal sealed class CliApplication(CliConsole console, Func<GlobalOptions, CancellationToken, Task<IJobRunner>>? createRunner = null)
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private readonly Func<GlobalOptions, CancellationToken, Task<IJobRunner>> _createRunner = createRunner ?? JobRunnerFactory.CreateAsync;
    private bool _verbose;

    /// <summary>Runs grainpool with <paramref name="args"/> and returns the process exit code.</summary>
    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        // Read before parsing, so that an error in parsing itself can be shown whole too.
        _verbose = args.Contains(GlobalOptions.VerboseOption, StringComparer.Ordinal);
        try
        {
            var parse = CliCommandLine.Parse(args);
            if (parse.Action is not null)
            {
                return PrintHelpOrVersion(parse);
            }

            switch (parse.CommandResult.Command)
            {
                case JobCommand job:
                    var global = GlobalOptions.Bind(parse);
                    return await RunCommandAsync(job.Bind(parse, global), global, cancellationToken);
                case var command when command == SiloCommand.Definition:
                    return await SiloCommand.RunAsync(SiloCommand.Arguments(parse, args), cancellationToken);
                case var command when command == StackCommand.Definition:
                    return await RunStackAsync(StackCommand.Parse(parse), cancellationToken);
                case var command when command == LoadScaleCommand.Definition:
                    return await RunScaleAsync(LoadScaleCommand.Parse(parse), cancellationToken);
                default:
                    throw new UnreachableException($"No way to run '{parse.CommandResult.Command.Name}'.");
            }
        }
        catch (UsageException ex)
        {
            return Fail(ErrorLine.For(ex.Message), ExitCodes.Usage, ex);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is not UsageException)
        {
            // Ctrl+C: the job's OperationCanceledException, or whatever a half-started cluster threw while being stopped
            // (an embedded silo cancelled before it ran refuses to shut down): the user asked to stop, and it stopped.
            return Fail(ErrorLine.Cancelled, ExitCodes.Cancelled);
        }
        catch (Exception ex) when (ex is ArgumentException or ItemFailedException or OverflowException)
        {
            // A value the arguments' checks let through but a kernel refused: still the caller's input, still one line.
            return Fail(ErrorLine.For(ex), ExitCodes.Usage, ex);
        }
        catch (Exception ex) when (ex is CliFailureException or NotSupportedException)
        {
            // Messages written for users: a cluster that cannot be started or reached, a kernel the cluster lacks.
            return Fail(ErrorLine.For(ex.Message), ExitCodes.Failure, ex);
        }
        catch (Exception ex)
        {
            return Fail(ErrorLine.For($"{ex.GetType().Name}: {ex.Message}"), ExitCodes.Failure, ex);
        }
    }

    /// <summary>grainpool's version: the package version (VersionPrefix in Directory.Build.props), without build metadata.</summary>
    public static string Version => InformationalVersion.Split('+')[0];

    /// <summary>The commit grainpool was built from (the SDK's SourceRevisionId), or null for a build outside git.</summary>
    public static string? Commit => InformationalVersion.Split('+') is [_, var commit, ..] && commit.Length > 0 ? commit : null;

    /// <summary>What <c>--version</c> prints after the program's name: <c>0.1.0 (commit 0123abc)</c>.</summary>
    public static string VersionLine => Commit is { } commit ? $"{Version} (commit {commit[..Math.Min(7, commit.Length)]})" : Version;

    private static string InformationalVersion =>
        typeof(CliApplication).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private async Task<int> RunStackAsync(StackOptions options, CancellationToken cancellationToken)
    {
        console.SilenceLibraryConsoleOutput();
        await using var text = new StreamWriter(console.Out, Utf8, leaveOpen: true) { AutoFlush = true };
        return await StackCommand.RunAsync(options, text, Console.In, cancellationToken);
    }

    private async Task<int> RunScaleAsync(LoadScaleCommand.Settings settings, CancellationToken cancellationToken)
    {
        console.SilenceLibraryConsoleOutput();
        await using var text = new StreamWriter(console.Out, Utf8, leaveOpen: true) { AutoFlush = true };
        return await LoadScaleCommand.RunAsync(settings, text, console.Error, cancellationToken);
    }

    private async Task<int> RunCommandAsync(ICliCommand command, GlobalOptions global, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        console.SilenceLibraryConsoleOutput();
        global = _verbose ? global with { ClientLog = new VerboseLog(console.Error) } : global;
        await using var metrics = await CliMetrics.StartAsync(global, cancellationToken);
        // Disposing the runner stops the cluster it started, whichever way the command ends (Ctrl+C and errors included).
        await using var runner = await _createRunner(global, cancellationToken);
        var clock = Stopwatch.StartNew();
        var outcome = command switch
        {
            // A load test prints a line per reporting interval on standard error instead of a progress bar.
            ILiveCommand live => await live.RunLiveAsync(runner, global.Json ? null : console.Error, cancellationToken),
            _ when !global.Json && console.ErrorIsTerminal =>
                await JobProgressBar.RunAsync(console.Error, progress => command.RunAsync(runner, progress, cancellationToken)),
            _ => await command.RunAsync(runner, null, cancellationToken),
        };
        var elapsed = clock.Elapsed;

        var usage = runner.Usage;
        var summary = new RunSummary(runner.Mode, usage.Workers, usage.Silos, elapsed, usage.Chunks);
        if (global.Json)
        {
            WriteJson(command, global, outcome, summary);
        }
        else
        {
            using var text = new StreamWriter(console.Out, Utf8, leaveOpen: true);
            outcome.WriteText(text, summary);
        }

        // A command may print its results and still fail (the demo's check against independent values).
        return outcome.Failure is { } failure ? Fail(ErrorLine.For(failure), outcome.FailureExitCode) : ExitCodes.Success;
    }

    private void WriteJson(ICliCommand command, GlobalOptions global, ICommandOutcome outcome, RunSummary summary)
    {
        using (var json = new Utf8JsonWriter(console.Out))
        {
            json.WriteStartObject();
            json.WriteString("command", command.Name);
            json.WriteString("mode", summary.Mode);
            outcome.WriteJson(json);
            json.WriteIntegerOrNull("chunkSize", global.ChunkSize);
            // The chunks actually used (numbers or items each), over every job the command ran.
            json.WriteNumber("chunks", summary.Chunks?.Count ?? 0);
            json.WriteIntegerOrNull("smallestChunk", summary.Chunks?.Smallest);
            json.WriteIntegerOrNull("medianChunk", summary.Chunks?.Median);
            json.WriteIntegerOrNull("largestChunk", summary.Chunks?.Largest);
            json.WriteNumber("workers", summary.Workers);
            json.WriteNumber("silos", summary.Silos);
            json.WriteNumber("elapsedMs", summary.Elapsed.TotalMilliseconds);
            json.WriteEndObject();
        }

        console.Out.Write("\n"u8);
        console.Out.Flush();
    }

    private int PrintHelpOrVersion(ParseResult parse)
    {
        using var writer = new StreamWriter(console.Out, Utf8, leaveOpen: true);
        return CliCommandLine.Invoke(parse, writer);
    }

    // The one error line; with --verbose, the whole exception after it.
    private int Fail(string line, int exitCode, Exception? exception = null)
    {
        console.Error.WriteLine(line);
        if (_verbose && exception is not null)
        {
            console.Error.WriteLine(exception.ToString());
        }

        console.Error.Flush();
        return exitCode;
    }
}
