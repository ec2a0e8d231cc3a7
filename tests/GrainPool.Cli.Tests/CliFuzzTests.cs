using System.CommandLine;
using System.Diagnostics;
using GrainPool.Cli.Parsing;
using GrainPool.Cli.Running;
using GrainPool.Cli.Tests.Infrastructure;

namespace GrainPool.Cli.Tests;

/// <summary>
/// Random and malformed command lines for every job command and the global options (seeded, so a
/// failure repeats): each ends within seconds with exit 2 and one error line that names no stack frame and never echoes
/// a huge value whole; a line that happens to be valid reaches the runner (a stand-in that refuses to run, exit 1, one
/// line) or prints help. The commands that start servers or run for a set time (silo, stack, load) are left to
/// <see cref="BadValueTests"/> and <see cref="LoadCommandTests"/>.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class CliFuzzTests
{
    private const string RunnerRefusal = "fuzz: the runner refuses to run";

    private static readonly string[] NastyValues =
    [
        "", " ", "-", "--", "-1", "-0", "+5", "NaN", "nan", "Infinity", "-Infinity", "1e999", "1e-3", "1.5", "1,000", "0x10",
        "1_", "_1", "1__0", "0", "1", "5", "1e3", "18446744073709551615", "18446744073709551616", new string('9', 100_000),
        "١٢٣", "１２３", "٣e٣", "1e1e1", "e5", "10⁶", "1\u00A0000", "1\t2", "a b", "\u200B7", "🙂", "\u0000", "'", "\"", "--json",
        "127.0.0.1:99999", "::::", "[::1]:0", "127.0.0.1:", ":30000", ",", "0.5s", "-2s", "1d", "p99 < ", "p99 < 5 ms",
        "fail% < -1", "rps >= NaN", "is-prime,is-prime", "mix,everything", "txt,pdf", "50,,80", "/no/such/file.json",
    ];

    public static TheoryData<int> Seeds => new() { 1, 2, 3, 4 };

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Random_malformed_command_lines_end_with_one_clear_line_and_no_stack_trace(int seed)
    {
        var random = new Random(seed);
        var commands = JobCommands(CliCommandLine.Root).ToList();
        for (var i = 0; i < 250; i++)
        {
            var args = RandomArgs(random, commands[random.Next(commands.Count)]);
            var (exitCode, stdout, stderr) = await RunAsync(args);
            var shown = Shown(args);
            var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

            Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
            Assert.True(stderr.Length < 1_000, $"{shown}: an error line of {stderr.Length} characters");
            switch (exitCode)
            {
                case 2:
                    Assert.True(stdout.Length == 0, $"{shown}: printed on standard output: {stdout}");
                    Assert.True(lines is [var usage] && usage.StartsWith("grainpool: error: ", StringComparison.Ordinal), $"{shown}: {stderr}");
                    break;
                case 1:
                    Assert.True(lines is [var failure] && failure.StartsWith("grainpool: error: ", StringComparison.Ordinal), $"{shown}: {stderr}");
                    break;
                case 0:
                    Assert.True(stdout.Length > 0 && stderr.Length == 0, $"{shown}: exit 0 printed nothing, or an error: {stderr}");
                    break;
                default:
                    Assert.Fail($"{shown}: exit {exitCode}: {stderr}");
                    break;
            }
        }
    }

    [Fact]
    public async Task A_valid_line_reaches_the_runner_so_the_fuzzing_runner_is_really_in_the_way()
    {
        var (exitCode, _, stderr) = await RunAsync(["primes", "count", "--to", "10"]);

        Assert.Equal(1, exitCode);
        Assert.Equal($"grainpool: error: {RunnerRefusal}", stderr.TrimEnd());
    }

    // The commands whose run goes through the runner factory: every JobCommand but the load tests (a valid load line
    // runs for its duration; their bad values are LoadCommandTests').
    private static IEnumerable<(string[] Words, IReadOnlyList<Option> Options, IReadOnlyList<Argument> Arguments)> JobCommands(Command command)
    {
        foreach (var sub in command.Subcommands)
        {
            if (sub is JobCommand job && !job.Words.StartsWith("load ", StringComparison.Ordinal))
            {
                yield return (job.Words.Split(' '), [.. job.Options.Where(o => o.Name is not ("--help" or "--metrics-port" or GlobalOptions.VerboseOption))], [.. job.Arguments]);
            }

            foreach (var nested in JobCommands(sub))
            {
                yield return nested;
            }
        }
    }

    private static string[] RandomArgs(Random random, (string[] Words, IReadOnlyList<Option> Options, IReadOnlyList<Argument> Arguments) command)
    {
        var args = new List<string>(command.Words);
        var count = random.Next(0, 5);
        for (var i = 0; i < count; i++)
        {
            switch (random.Next(10))
            {
                case 0:
                    args.Add("--" + (char)('a' + random.Next(26)) + "frob"); // an unknown option
                    break;
                case 1 when command.Arguments.Count > 0:
                    args.Add(NastyValues[random.Next(NastyValues.Length)]); // a positional value
                    break;
                default:
                    var option = command.Options[random.Next(command.Options.Count)];
                    args.Add(option.Name);
                    if (option.Arity.MaximumNumberOfValues > 0 || random.Next(4) == 0)
                    {
                        args.Add(NastyValues[random.Next(NastyValues.Length)]);
                    }

                    break;
            }
        }

        return [.. args];
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(string[] args)
    {
        var stdout = new MemoryStream();
        var stderr = new StringWriter();
        var app = new CliApplication(new CliConsole(stdout, stderr, ErrorIsTerminal: false), (_, _) => Task.FromResult<IJobRunner>(new AnsweringRunner(new NotSupportedException(RunnerRefusal))));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var clock = Stopwatch.StartNew();
        var run = app.RunAsync(args, CancellationToken.None);
        var finished = await Task.WhenAny(run, Task.Delay(Timeout.Infinite, deadline.Token).ContinueWith(_ => 0, TaskScheduler.Default));
        Assert.True(finished == run, $"{Shown(args)}: still running after {clock.Elapsed.TotalSeconds:0} s");
        return (await run, System.Text.Encoding.UTF8.GetString(stdout.ToArray()), stderr.ToString());
    }

    private static string Shown(string[] args) =>
        "grainpool " + string.Join(' ', args.Select(a => a.Length > 40 ? $"<{a.Length} characters>" : $"'{a}'"));
}
