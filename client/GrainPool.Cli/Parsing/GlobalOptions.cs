using GrainPool.Cli.Running;

namespace GrainPool.Cli.Parsing;

/// <summary>The options every command takes: where and how wide to run, and how to print.</summary>
/// <param name="Mode">Which runner executes the job.</param>
/// <param name="Threads">Worker threads (cores) to use; at least 1.</param>
/// <param name="ChunkSize">Numbers (or items) per chunk; null lets the runner choose.</param>
/// <param name="Json">Print one JSON object instead of text.</param>
internal sealed record GlobalOptions(RunnerMode Mode, int Threads, ulong? ChunkSize, bool Json)
{
    /// <summary>The most worker threads <c>--threads</c> accepts.</summary>
    public const int MaxThreads = 1024;

    /// <summary>Selects the in-process runner.</summary>
    public const string InProcess = "--in-process";

    /// <summary>Worker thread count.</summary>
    public const string ThreadsOption = "--threads";

    /// <summary>Chunk size.</summary>
    public const string ChunkSizeOption = "--chunk-size";

    /// <summary>JSON output.</summary>
    public const string JsonOption = "--json";

    /// <summary>Help, long form.</summary>
    public const string Help = "--help";

    /// <summary>Help, short form.</summary>
    public const string HelpShort = "-h";

    /// <summary>Version.</summary>
    public const string Version = "--version";

    /// <summary>The global options, as parsing and help see them.</summary>
    public static IReadOnlyList<OptionDefinition> Definitions { get; } =
    [
        new(InProcess, null, "Run on threads of this process (the only runner today, so also the default)"),
        new(ThreadsOption, "T", $"Worker threads, 1 to {MaxThreads} (default: the number of cores, {Environment.ProcessorCount} here)"),
        new(ChunkSizeOption, "C", "Numbers (or items) per chunk, at least 1 (default: about 16 chunks per worker)"),
        new(JsonOption, null, "Print exactly one JSON object on standard output instead of text"),
        new(Help, null, "Show help for grainpool or for a command", ShortName: HelpShort),
        new(Version, null, "Show grainpool's version"),
    ];

    /// <summary>Reads and checks the global options from <paramref name="arguments"/>.</summary>
    public static GlobalOptions Bind(ParsedArguments arguments)
    {
        var threads = Environment.ProcessorCount;
        if (arguments.Value(ThreadsOption) is { } threadsText)
        {
            var requested = NumberParser.Parse(ThreadsOption, threadsText);
            if (requested < 1)
            {
                throw UsageException.ForValue(ThreadsOption, threadsText, "must be at least 1");
            }

            if (requested > MaxThreads)
            {
                throw UsageException.ForValue(ThreadsOption, threadsText, $"is larger than {MaxThreads}");
            }

            threads = (int)requested;
        }

        ulong? chunkSize = null;
        if (arguments.Value(ChunkSizeOption) is { } chunkText)
        {
            chunkSize = NumberParser.Parse(ChunkSizeOption, chunkText);
            if (chunkSize < 1)
            {
                throw UsageException.ForValue(ChunkSizeOption, chunkText, "must be at least 1");
            }
        }

        // Only one runner exists today; --in-process is accepted so scripts can pin it before the cluster becomes the default.
        return new GlobalOptions(RunnerMode.InProcess, threads, chunkSize, arguments.Flag(JsonOption));
    }

    /// <summary>
    /// Checks that <see cref="ChunkSize"/> splits a range of <paramref name="width"/> numbers into a chunk count the runner
    /// can index (a signed 64-bit count), which a chunk size of 1 over all 2^64 numbers would not.
    /// </summary>
    public void EnsureChunkCountFits(ParsedArguments arguments, UInt128 width)
    {
        if (ChunkSize is { } size && (width + size - 1) / size > long.MaxValue)
        {
            throw UsageException.ForValue(ChunkSizeOption, arguments.Value(ChunkSizeOption)!, $"splits the range into more than {long.MaxValue} chunks");
        }
    }

    /// <summary>The map chunk size (items per chunk), or 0 to let the runner choose.</summary>
    public int MapChunkSize => ChunkSize is { } size ? (int)Math.Min(size, int.MaxValue) : 0;
}
