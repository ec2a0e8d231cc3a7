using System.Globalization;
using GrainPool.Benchmarks.SideBySide;

namespace GrainPool.Benchmarks.Scaling;

/// <summary>The jobs the scale command can run.</summary>
internal enum ScaleJobKind
{
    /// <summary>The seed's trial-division prime count over a range (CountPrimesAsync with Trial).</summary>
    Trial,

    /// <summary>The exact square-root sum over a range.</summary>
    SqrtSum,

    /// <summary>Pool.map of the seed's is_prime over the items 1..n.</summary>
    Map,
}

/// <summary>Options of the <c>scale</c> command; every one has a default, so a bare <c>scale</c> runs the whole comparison.</summary>
internal sealed record ScaleOptions
{
    public const int DefaultRuns = 3;
    public const double DefaultTrialSeconds = 5;
    public const double DefaultSqrtSeconds = 4;
    public const ulong DefaultTrialStart = 100_000_000_000;
    public const int DefaultMapItems = 1_000_000;

    /// <summary>Measured runs per (configuration, job), after one warm-up run; the best is tabled.</summary>
    public int Runs { get; init; } = DefaultRuns;

    /// <summary>Jobs to run, in this order.</summary>
    public IReadOnlyList<ScaleJobKind> Jobs { get; init; } = [ScaleJobKind.Trial, ScaleJobKind.SqrtSum, ScaleJobKind.Map];

    /// <summary>Single-thread seconds the trial-division range is calibrated to (ignored with <see cref="TrialWidth"/>).</summary>
    public double TrialSeconds { get; init; } = DefaultTrialSeconds;

    /// <summary>First number of the trial-division range: 10^11, where every number costs about the same.</summary>
    public ulong TrialStart { get; init; } = DefaultTrialStart;

    /// <summary>Numbers in the trial-division range; null calibrates it to <see cref="TrialSeconds"/>.</summary>
    public ulong? TrialWidth { get; init; }

    /// <summary>Single-thread seconds the sqrt-sum range [1, n] is calibrated to (ignored with <see cref="SqrtWidth"/>).</summary>
    public double SqrtSeconds { get; init; } = DefaultSqrtSeconds;

    /// <summary>n of the sqrt-sum range [1, n]; null calibrates it to <see cref="SqrtSeconds"/>.</summary>
    public ulong? SqrtWidth { get; init; }

    /// <summary>Items of the map: 1..MapItems.</summary>
    public int MapItems { get; init; } = DefaultMapItems;

    /// <summary>Chunks a cluster worker has in flight (<c>JobOptions.InFlightPerWorker</c>); null keeps the client's default.</summary>
    public int? InFlightPerWorker { get; init; }

    /// <summary>Numbers per chunk of the trial-division job, for every configuration; null keeps each runner's default.</summary>
    public ulong? TrialChunk { get; init; }

    /// <summary>Numbers per chunk of the sqrt-sum job, for every configuration; null keeps each runner's default.</summary>
    public ulong? SqrtChunk { get; init; }

    /// <summary>Items per chunk of the map, for every configuration; null keeps each runner's default.</summary>
    public int? MapChunk { get; init; }

    /// <summary>Only these configurations (by <see cref="ScaleConfiguration.Key"/>); null runs all of them.</summary>
    public IReadOnlySet<string>? Only { get; init; }

    /// <summary>Adds a row for an embedded silo (this process, co-hosted client, no network) with every core.</summary>
    public bool Embedded { get; init; }

    public static ScaleOptions Parse(IReadOnlyList<string> args)
    {
        var options = new ScaleOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            options = name switch
            {
                "--runs" => options with { Runs = Int(Value(args, ref i), name) },
                "--jobs" => options with { Jobs = ParseJobs(Value(args, ref i)) },
                "--trial-seconds" => options with { TrialSeconds = Seconds(Value(args, ref i), name) },
                "--trial-start" => options with { TrialStart = SideBySideOptions.ParseCount(Value(args, ref i), name) },
                "--trial-width" => options with { TrialWidth = SideBySideOptions.ParseCount(Value(args, ref i), name) },
                "--sqrt-seconds" => options with { SqrtSeconds = Seconds(Value(args, ref i), name) },
                "--sqrt-width" => options with { SqrtWidth = SideBySideOptions.ParseCount(Value(args, ref i), name) },
                "--map-items" => options with { MapItems = Int(Value(args, ref i), name) },
                "--in-flight" => options with { InFlightPerWorker = Int(Value(args, ref i), name) },
                "--trial-chunk" => options with { TrialChunk = SideBySideOptions.ParseCount(Value(args, ref i), name) },
                "--sqrt-chunk" => options with { SqrtChunk = SideBySideOptions.ParseCount(Value(args, ref i), name) },
                "--map-chunk" => options with { MapChunk = Int(Value(args, ref i), name) },
                "--embedded" => options with { Embedded = true },
                "--only" => options with { Only = ParseOnly(Value(args, ref i)) },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }

        if (options.TrialStart > long.MaxValue - (options.TrialWidth ?? 0))
        {
            throw new ArgumentException($"--trial-start: trial division takes values up to {long.MaxValue}");
        }

        return options;
    }

    /// <summary>The options as one line, for the output.</summary>
    public string Describe()
    {
        string Text<T>(T? value) where T : struct, IFormattable => value?.ToString(null, CultureInfo.InvariantCulture) ?? "default";
        var only = Only is null ? "" : "; only " + string.Join(", ", Only.Order(StringComparer.Ordinal));
        return $"runs {Runs} (best of, after 1 warm-up); in-flight per worker {(InFlightPerWorker is null ? "client default" : Text(InFlightPerWorker))}; " +
            $"chunks: trial {Text(TrialChunk)}, sqrt {Text(SqrtChunk)}, map {Text(MapChunk)}{only}";
    }

    private static IReadOnlyList<ScaleJobKind> ParseJobs(string text) =>
    [
        .. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(job => job switch
        {
            "trial" => ScaleJobKind.Trial,
            "sqrt" => ScaleJobKind.SqrtSum,
            "map" => ScaleJobKind.Map,
            _ => throw new ArgumentException($"--jobs takes trial, sqrt and map, not '{job}'"),
        }).Distinct(),
    ];

    private static HashSet<string> ParseOnly(string text)
    {
        string[] known = ["in-process-1", "in-process-n", "cluster-1x1", "cluster-1xn", "cluster-nx1", "embedded"];
        var keys = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        var unknown = keys.Where(k => !known.Contains(k)).ToList();
        return unknown.Count == 0 ? keys : throw new ArgumentException($"--only takes {string.Join(", ", known)}, not '{string.Join(",", unknown)}'");
    }

    private static int Int(string text, string name)
    {
        var value = SideBySideOptions.ParseCount(text, name);
        return value <= int.MaxValue ? (int)value : throw new ArgumentException($"{name} is at most {int.MaxValue}");
    }

    private static double Seconds(string text, string name) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && double.IsFinite(seconds)
            ? seconds
            : throw new ArgumentException($"{name} takes a positive number of seconds, not '{text}'");

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");
}
