namespace GrainPool.Cli;

/// <summary>The process exit codes grainpool returns.</summary>
internal static class ExitCodes
{
    /// <summary>The command ran and printed its result (or help, or the version).</summary>
    public const int Success = 0;

    /// <summary>Something unexpected failed (not the user's arguments): one line on standard error.</summary>
    public const int Failure = 1;

    /// <summary>Bad arguments, or a value a kernel refused: one line on standard error.</summary>
    public const int Usage = 2;

    /// <summary>A load test ran and printed its report, and at least one of its thresholds failed (named on standard error).</summary>
    public const int ThresholdsFailed = 3;

    /// <summary>Cancelled with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Cancelled = 130;
}
