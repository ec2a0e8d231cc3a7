using GrainPool.Benchmarks.SideBySide;

namespace GrainPool.Benchmarks.CommandScaling;

/// <summary>Options of the <c>cli-scale</c> command; a bare <c>cli-scale</c> runs every workload once per configuration.</summary>
internal sealed record CommandScaleOptions
{
    /// <summary>Measured runs per (workload, configuration); the best is tabled.</summary>
    public int Runs { get; init; } = 1;

    /// <summary>Workload keys (see <see cref="CommandWorkloads.All"/>), in the order they run.</summary>
    public IReadOnlyList<string> Workloads { get; init; } = CommandWorkloads.All;

    /// <summary>Use the CLI as built (no incremental build first).</summary>
    public bool NoBuild { get; init; }

    /// <summary>The CLI's dll; by default client/GrainPool.Cli/bin/Release/net10.0/GrainPool.Cli.dll.</summary>
    public string? CliPath { get; init; }

    public static CommandScaleOptions Parse(IReadOnlyList<string> args)
    {
        var options = new CommandScaleOptions();
        for (var i = 0; i < args.Count; i++)
        {
            options = args[i] switch
            {
                "--runs" => options with { Runs = (int)Math.Min(SideBySideOptions.ParseCount(Value(args, ref i), "--runs"), 100) },
                "--workloads" => options with
                {
                    Workloads = [.. Value(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct()],
                },
                "--no-build" => options with { NoBuild = true },
                "--cli" => options with { CliPath = Path.GetFullPath(Value(args, ref i)) },
                _ => throw new ArgumentException($"unknown option '{args[i]}'"),
            };
        }

        return options;
    }

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");
}
