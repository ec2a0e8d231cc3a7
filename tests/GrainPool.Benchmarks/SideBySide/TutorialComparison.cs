using System.Globalization;
using System.Text.Json;

namespace GrainPool.Benchmarks.SideBySide;

/// <summary>
/// The tutorial's three examples end to end: its Python programs (python/*.py) beside the GrainPool CLI doing the
/// same work, both timed as whole processes (Stopwatch from start to exit, best of N). The CLI's own elapsedMs from
/// its JSON, which leaves out .NET start-up, is shown beside its wall time.
/// </summary>
internal static class TutorialComparison
{
    public const int DefaultRuns = 5;

    public static async Task<int> RunAsync(RepoLayout layout, SideBySideOptions options)
    {
        var runs = options.Runs ?? DefaultRuns;
        var cores = Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture);
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var examples = Examples(cores);
        var python = await ResolvePythonAsync(options.Python);

        Console.WriteLine("## The tutorial's examples: Python multiprocessing vs the GrainPool CLI");
        Console.WriteLine();
        Console.WriteLine($"best of {runs} wall times of whole processes (Stopwatch from Process.Start to exit); " +
            $"{python} for the tutorial's programs, `dotnet GrainPool.Cli.dll <command> --json --in-process` " +
            "(framework-dependent, so every run pays .NET start-up) for the CLI. ratio = python / grainpool.");
        Console.WriteLine($"load average now (1, 5, 15 min): {MachineReport.LoadAverage()}");
        Console.WriteLine();

        var cli = await PrepareCliAsync(layout, options, dotnet);
        var table = new TextTable("example", "python s", "grainpool s", "python/grainpool", "cli elapsedMs", "grainpool s outside elapsedMs", "results");
        var failed = false;
        foreach (var example in examples)
        {
            var py = await BestOfAsync(runs, example.Name + " python", () =>
                ProcessRunner.RunConcurrentlyAsync(python, [[example.PythonScript]], layout.PythonDir));
            var pythonOk = py?.AllRuns.All(r => r.Succeeded && r.StdOut.Contains(example.PythonExpect, StringComparison.Ordinal)) ?? false;

            Measured? grain = null;
            if (cli is not null)
            {
                grain = await BestOfAsync(runs, example.Name + " grainpool", () =>
                    ProcessRunner.RunConcurrentlyAsync(dotnet, [.. example.CliArguments.Select(a => (string[])[cli, .. a])], layout.Root));
            }

            var grainOk = grain?.AllRuns.All(r => r.Succeeded && r.StdOut.Contains(example.CliExpect, StringComparison.Ordinal)) ?? false;
            failed |= !pythonOk || (cli is not null && !grainOk);
            var elapsed = grain?.Best.Select(r => ElapsedMs(r.StdOut)).ToList();
            var elapsedMax = elapsed is null || elapsed.Any(e => e is null) ? (double?)null : elapsed.Max(e => e!.Value);
            table.Add(
                example.Name,
                Seconds(py?.Wall),
                cli is null ? "not built" : Seconds(grain?.Wall),
                py is not null && grain is not null ? (py.Wall / grain.Wall).ToString("F2", CultureInfo.InvariantCulture) + "x" : "n/a",
                elapsedMax is null ? "n/a" : elapsedMax.Value.ToString("F1", CultureInfo.InvariantCulture),
                grain is null || elapsedMax is null ? "n/a" : Seconds(grain.Wall - elapsedMax.Value / 1000),
                $"python {Verdict(py, pythonOk)}, grainpool {(cli is null ? "not run" : Verdict(grain, grainOk))}");
        }

        // Start-up alone, for scale: an interpreter that does nothing, and a framework-dependent .NET app that does nothing.
        var pythonIdle = await BestOfAsync(runs, "python -c pass", () =>
            ProcessRunner.RunConcurrentlyAsync(python, [["-c", "pass"]]));
        var dotnetIdle = await BestOfAsync(runs, "dotnet noop", () =>
            ProcessRunner.RunConcurrentlyAsync(dotnet, [[typeof(TutorialComparison).Assembly.Location, "noop"]]));
        table.Add("start-up only (`python -c pass`; `dotnet GrainPool.Benchmarks.dll noop`)",
            Seconds(pythonIdle?.Wall), Seconds(dotnetIdle?.Wall), "", "", "", "");

        table.Print(Console.Out);
        Console.WriteLine();
        Console.WriteLine("heavy_task: the tutorial starts two Process workers that each compute the full sum, so the CLI runs as two " +
            "processes at once (`square-sum --n 10000000 --threads 1` each); its time is from the first start to the last exit " +
            "and its elapsedMs is the larger of the two.");
        Console.WriteLine($"the other two use every core: Pool(processes=os.cpu_count()) / ProcessPoolExecutor() in Python, --threads {cores} in the CLI.");
        if (cli is null)
        {
            Console.WriteLine("the GrainPool CLI was not available, so only Python was measured (see above).");
        }

        Console.WriteLine();
        return failed ? 1 : 0;
    }

    // The interpreter itself rather than a launcher in front of it (a pyenv shim is a shell script that adds ~0.1 s a run).
    private static async Task<string> ResolvePythonAsync(string python)
    {
        var executable = await ProcessRunner.FirstLineAsync(python, "-c", "import sys; print(sys.executable)");
        return executable is not null && File.Exists(executable) ? executable : python;
    }

    private sealed record Example(string Name, string PythonScript, string PythonExpect, IReadOnlyList<string[]> CliArguments, string CliExpect);

    /// <param name="Wall">The best wall time in seconds.</param>
    /// <param name="Best">The processes of the best run (two for heavy_task).</param>
    /// <param name="AllRuns">The processes of every run, whose results are all checked.</param>
    private sealed record Measured(double Wall, IReadOnlyList<ProcessRun> Best, IReadOnlyList<ProcessRun> AllRuns);

    // Expected results are the tutorial's own (see tests/reference/seed-expected.md).
    private static Example[] Examples(string cores) =>
    [
        new("heavy_task (2 x Process, sum of i^2 < 10^7)", "heavy_task.py", "sum=333333283333335000000",
            [SquareSum(), SquareSum()], "333333283333335000000"),
        new("Pool.map(is_prime, 1..100,000), trial division", "pool_map_is_prime.py", "Found 9592 primes",
            [["primes", "map", "--upto", "100000", "--method", "trial", "--json", "--in-process", "--threads", cores]], "9592"),
        // Python prints the left-to-right sum rounded to 2 places; the CLI's exact sum 666666166.4588221 shares these digits.
        new("ProcessPoolExecutor compute([1_000_000] * 8)", "process_pool_compute.py", "First result: 666666166.46",
            [["sqrt-sum", "--n", "1000000", "--repeat", "8", "--json", "--in-process", "--threads", cores]], "666666166.4588"),
    ];

    private static string[] SquareSum() => ["square-sum", "--n", "10000000", "--json", "--in-process", "--threads", "1"];

    // Builds the CLI (incrementally) unless told not to, and returns its dll when there is one.
    internal static async Task<string?> PrepareCliAsync(RepoLayout layout, SideBySideOptions options, string dotnet)
    {
        var dll = options.CliPath ?? layout.DefaultCliDll;
        if (!options.NoBuild && options.CliPath is null)
        {
            Console.Error.WriteLine($"building {layout.CliProject} (Release) ...");
            var build = await ProcessRunner.RunAsync(dotnet, ["build", layout.CliProject, "-c", "Release", "-nologo", "-v", "q"], layout.Root);
            if (!build.Succeeded)
            {
                Console.WriteLine($"`dotnet build {Path.GetRelativePath(layout.Root, layout.CliProject)} -c Release` failed (exit {build.ExitCode}):");
                Console.WriteLine(build.StdOut.Split('\n').Where(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)).Distinct().Take(8)
                    .Aggregate("", (text, line) => text + "    " + line.Trim() + Environment.NewLine));
                return null; // a stale dll would measure old code
            }
        }

        if (!File.Exists(dll))
        {
            Console.WriteLine($"the GrainPool CLI is not built: {dll} does not exist.");
            return null;
        }

        return dll;
    }

    private static async Task<Measured?> BestOfAsync(int runs, string label, Func<Task<IReadOnlyList<ProcessRun>>> measure)
    {
        Measured? best = null;
        var all = new List<ProcessRun>();
        for (var run = 1; run <= runs; run++)
        {
            IReadOnlyList<ProcessRun> group;
            try
            {
                group = await measure();
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                Console.WriteLine($"{label}: cannot start: {ex.Message}");
                return null;
            }

            all.AddRange(group);
            var wall = group[0].Wall.TotalSeconds;
            Console.Error.WriteLine($"  {label} run {run}/{runs}: {wall:F3} s" + (group.All(r => r.Succeeded) ? "" : $" FAILED: {group.First(r => !r.Succeeded).FailureTail()}"));
            if (best is null || wall < best.Wall)
            {
                best = new Measured(wall, group, all);
            }
        }

        return best; // its AllRuns is the shared list, complete by now
    }

    // The CLI's own elapsed time: an "elapsedMs" number anywhere in its JSON output.
    private static double? ElapsedMs(string stdout)
    {
        var start = stdout.IndexOf('{', StringComparison.Ordinal);
        var end = stdout.LastIndexOf('}');
        if (start < 0 || end < start)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(stdout.AsMemory(start, end - start + 1));
            return Find(document.RootElement);
        }
        catch (JsonException)
        {
            return null;
        }

        static double? Find(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        if (property.Name.Equals("elapsedMs", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.Number)
                        {
                            return property.Value.GetDouble();
                        }
                    }

                    foreach (var property in element.EnumerateObject())
                    {
                        if (Find(property.Value) is { } nested)
                        {
                            return nested;
                        }
                    }

                    return null;
                case JsonValueKind.Array:
                    return element.EnumerateArray().Select(Find).FirstOrDefault(e => e is not null);
                default:
                    return null;
            }
        }
    }

    private static string Verdict(Measured? measured, bool ok) => measured is null ? "not run" : ok ? "ok" : "WRONG or failed";

    private static string Seconds(double? seconds) =>
        seconds is { } s ? s.ToString("F3", CultureInfo.InvariantCulture) : "n/a";
}
