using System.Globalization;
using GrainPool.Benchmarks.SideBySide;

namespace GrainPool.Benchmarks.Cancellation;

/// <summary>The job kinds the cancel command cancels.</summary>
internal enum CancelJobKind
{
    /// <summary>A trial-division prime count near 10^12 in chunks of minutes, cancelled through its token.</summary>
    Range,

    /// <summary>A map of slow items (the seed's is_prime of a prime near 10^14, each item ~0.1 s), cancelled through its token.</summary>
    Map,

    /// <summary>A MapUnorderedAsync of the same items that the caller abandons (leaves its <c>await foreach</c>).</summary>
    Unordered,
}

/// <summary>Options of the <c>cancel</c> command; every one has a default, so a bare <c>cancel</c> runs the whole measurement.</summary>
internal sealed record CancelOptions
{
    /// <summary>Silo processes, each pinned to its share of the CPUs (as <c>scale</c> starts them).</summary>
    public int Silos { get; init; } = 2;

    /// <summary>Measured runs per job kind, after one warm-up run each.</summary>
    public int Runs { get; init; } = 10;

    /// <summary>Job kinds, in this order.</summary>
    public IReadOnlyList<CancelJobKind> Jobs { get; init; } = [CancelJobKind.Range, CancelJobKind.Map, CancelJobKind.Unordered];

    /// <summary>Pause between two polls of the silos' <c>/metrics</c>: with a poll's own duration, the resolution of "every silo idle".</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest any awaited event may take before the run counts as failed (a result missing, not a slow one).</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(60);

    public static CancelOptions Parse(IReadOnlyList<string> args)
    {
        var options = new CancelOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            options = name switch
            {
                "--silos" => options with { Silos = Positive(Value(args, ref i), name) },
                "--runs" => options with { Runs = Positive(Value(args, ref i), name) },
                "--jobs" => options with { Jobs = ParseJobs(Value(args, ref i)) },
                "--poll-ms" => options with { PollInterval = TimeSpan.FromMilliseconds(Positive(Value(args, ref i), name)) },
                _ => throw new ArgumentException($"unknown option '{name}'"),
            };
        }

        if (options.Silos > Environment.ProcessorCount)
        {
            throw new ArgumentException($"--silos {options.Silos}: each silo is pinned to at least one of the {Environment.ProcessorCount} CPUs");
        }

        return options;
    }

    /// <summary>The options as one line, for the output.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{Silos} silo processes, runs {Runs} per job (after 1 warm-up), jobs {string.Join(", ", Jobs.Select(j => j.ToString().ToLowerInvariant()))}, /metrics polled every {PollInterval.TotalMilliseconds:0} ms, deadline {Deadline.TotalSeconds:0} s per event");

    private static IReadOnlyList<CancelJobKind> ParseJobs(string text) =>
    [
        .. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(job => job switch
        {
            "range" => CancelJobKind.Range,
            "map" => CancelJobKind.Map,
            "unordered" => CancelJobKind.Unordered,
            _ => throw new ArgumentException($"--jobs takes range, map and unordered, not '{job}'"),
        }).Distinct(),
    ];

    private static int Positive(string text, string name)
    {
        var value = SideBySideOptions.ParseCount(text, name);
        return value is >= 1 and <= int.MaxValue ? (int)value : throw new ArgumentException($"{name} takes a positive count, not '{text}'");
    }

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");
}
