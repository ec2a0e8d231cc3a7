using System.CommandLine;
using System.Globalization;
using GrainPool.Cli.Parsing;
using GrainPool.Load;
using GrainPool.Load.Config;

namespace GrainPool.Cli.Load;

/// <summary>
/// The options the <c>grainpool load</c> commands share (times, sizes, reports, thresholds, a scenario file), declared
/// once, and how their values are read and checked. Command-line values win over a <c>--config</c> file's, which win
/// over the defaults.
/// </summary>
internal static class LoadOptions
{
    /// <summary>The longest time any load option takes.</summary>
    public static readonly TimeSpan MaxTime = TimeSpan.FromDays(1);

    public static readonly Option<string> Duration = CliOptions.Text("--duration", "TIME", "How long the load runs: seconds (30, 2.5) or with a unit (500ms, 30s, 2m); default 10s");
    public static readonly Option<string> WarmUp = CliOptions.Text("--warm-up", "TIME", "Load before the measured run, left out of every statistic; default 2s, 0 for none");
    public static readonly Option<string> ReportingInterval = CliOptions.Text("--reporting-interval", "TIME", "How often a row of statistics is taken, printed live and plotted; default 5s");
    public static readonly Option<string> ReportFolder = CliOptions.Text("--report-folder", "DIR", "Where the report files go; default load-reports/<scenario>-<UTC time>");
    public static readonly Option<string> ReportFormat = CliOptions.Text("--report-format", "LIST", "Report files to write: txt, md, csv, html, comma-separated; default all of them");
    public static readonly Option<ulong> Seed = CliOptions.Number("--seed", "N", "Seeds is-prime's random values, so a run repeats; default 1");
    public static readonly Option<string[]> Thresholds = new("--threshold")
    {
        HelpName = "RULE",
        Description = $"A pass/fail rule, repeatable: {ThresholdText.Forms}; a failed one exits {ExitCodes.ThresholdsFailed}",
        Arity = ArgumentArity.OneOrMore,
        AllowMultipleArgumentsPerToken = false,
    };

    public static readonly Option<bool> AbortOnThreshold = CliOptions.Flag(
        "--abort-on-threshold", "Stop the run as soon as a --threshold fails during it (checked at each reporting interval)");

    public static readonly Option<ulong> MapItems = CliOptions.Number("--map-items", "M", "Items of each map iteration: is_prime over 1..M; default 1e5 (load scale: 1e6)");
    public static readonly Option<ulong> CountTo = CliOptions.Number("--count-to", "B", "Each count iteration counts the primes in [0, B]; default 1e9 (load scale: 1e10)");
    public static readonly Option<ulong> SqrtN = CliOptions.Number("--sqrt-n", "N", "Each sqrt-sum iteration sums sqrt(i) over range(N); default 1e8 (load scale: 1e9)");

    /// <summary>The options every load command takes about its reports and sizes.</summary>
    public static IReadOnlyList<Symbol> Common { get; } = [Duration, WarmUp, ReportingInterval, ReportFolder, ReportFormat, Seed, MapItems, CountTo, SqrtN];

    /// <summary>Reads a time option, or <paramref name="fallback"/> when it is not given.</summary>
    /// <exception cref="UsageException">The value is no time, or out of range; the message names the option and value.</exception>
    public static TimeSpan Time(ParseResult parse, Option<string> option, TimeSpan fallback, bool zeroAllowed = false)
    {
        if (parse.GetValue(option) is not { } text)
        {
            return fallback;
        }

        if (!TryParseTime(text, out var time))
        {
            throw UsageException.ForValue(option.Name, text, "is not a time; give seconds (30, 2.5) or a number with ms, s or m (500ms, 2m)");
        }

        if (time > MaxTime || (zeroAllowed ? time < TimeSpan.Zero : time <= TimeSpan.Zero))
        {
            throw UsageException.ForValue(option.Name, text, zeroAllowed ? "must be from 0 to a day" : "must be above 0 and at most a day");
        }

        return time;
    }

    /// <summary>Reads a rate option (per second, above 0, decimals allowed), or null when not given.</summary>
    public static double? Rate(ParseResult parse, Option<string> option)
    {
        if (parse.GetValue(option) is not { } text)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && double.IsFinite(rate) && rate > 0 && rate <= 1e7
            ? rate
            : throw UsageException.ForValue(option.Name, text, "must be a rate above 0 and at most 1e7 per second (0.5, 100, 2500)");
    }

    /// <summary>Reads a count option from 1 to <paramref name="max"/>, or null when not given.</summary>
    public static int? Count(ParseResult parse, Option<ulong> option, int max)
    {
        if (!parse.Given(option))
        {
            return null;
        }

        var value = parse.GetValue(option);
        return value is >= 1 && value <= (ulong)max ? (int)value : throw UsageException.ForValue(option.Name, parse.Typed(option)!, $"must be from 1 to {max}");
    }

    /// <summary>
    /// The thresholds given with <c>--threshold</c> (null when none), each read by <see cref="ThresholdText"/>;
    /// <c>--abort-on-threshold</c> is applied by the command to these and to a config file's.
    /// </summary>
    public static IReadOnlyList<Threshold>? ReadThresholds(ParseResult parse)
    {
        if (parse.GetValue(Thresholds) is not { Length: > 0 } texts)
        {
            return null;
        }

        return [.. texts.Select(text =>
        {
            try
            {
                return ThresholdText.Parse(text);
            }
            catch (FormatException ex)
            {
                // ThresholdText's own line quotes the rule and says what is wrong with it.
                throw new UsageException($"{Thresholds.Name}: {ex.Message}");
            }
        })];
    }

    /// <summary>The report settings from the command line, the config file, and the defaults, in that order.</summary>
    public static ReportSettings Reports(ParseResult parse, LoadConfig? config, string defaultName)
    {
        var interval = parse.Given(ReportingInterval)
            ? Time(parse, ReportingInterval, LoadRunOptions.DefaultReportingInterval)
            : config?.ReportingInterval ?? LoadRunOptions.DefaultReportingInterval;
        if (interval < TimeSpan.FromMilliseconds(100))
        {
            throw UsageException.ForValue(ReportingInterval.Name, parse.GetValue(ReportingInterval)!, "is too short; give at least 0.1 s");
        }

        var folder = parse.GetValue(ReportFolder) ?? config?.ReportFolder;
        folder ??= Path.Combine("load-reports", $"{defaultName}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}");
        IReadOnlyList<string> formats = parse.GetValue(ReportFormat) is { } text
            ? [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(f =>
                LoadConfig.KnownReportFormats.FirstOrDefault(k => string.Equals(k, f, StringComparison.OrdinalIgnoreCase))
                ?? throw UsageException.ForValue(ReportFormat.Name, f, $"is not a report format; use {string.Join(", ", LoadConfig.KnownReportFormats.Select(k => k.ToLowerInvariant()))}"))]
            : config?.ReportFormats ?? LoadConfig.KnownReportFormats;
        if (formats.Count == 0)
        {
            throw UsageException.ForValue(ReportFormat.Name, parse.GetValue(ReportFormat) ?? "", "names no format");
        }

        return new ReportSettings(folder, config?.ReportFileName ?? "report", formats, interval);
    }

    /// <summary>The scenario sizes from the command line, or <paramref name="defaults"/> (<see cref="ScenarioSizes.Default"/> unless given).</summary>
    public static ScenarioSizes Sizes(ParseResult parse, ScenarioSizes? defaults = null)
    {
        var sizes = defaults ?? ScenarioSizes.Default;
        if (parse.Given(MapItems))
        {
            var items = parse.GetValue(MapItems);
            sizes = items is >= 1 and <= 100_000_000
                ? sizes with { MapItems = items }
                : throw UsageException.ForValue(MapItems.Name, parse.Typed(MapItems)!, "must be from 1 to 1e8");
        }

        if (parse.Given(CountTo))
        {
            var to = parse.GetValue(CountTo);
            sizes = to >= 1 ? sizes with { CountTo = to } : throw UsageException.ForValue(CountTo.Name, parse.Typed(CountTo)!, "must be at least 1");
        }

        if (parse.Given(SqrtN))
        {
            var n = parse.GetValue(SqrtN);
            sizes = n is >= 1 and <= Kernels.SqrtSum.MaxExclusive
                ? sizes with { SqrtSumN = n }
                : throw UsageException.ForValue(SqrtN.Name, parse.Typed(SqrtN)!, $"must be from 1 to {Kernels.SqrtSum.MaxExclusive}");
        }

        return sizes;
    }

    /// <summary>Reads the <c>--config</c> file, or null when none is named.</summary>
    public static LoadConfig? ReadConfig(ParseResult parse, Option<string> option)
    {
        if (parse.GetValue(option) is not { } path)
        {
            return null;
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw UsageException.ForValue(option.Name, path, $"cannot be read ({ex.Message})");
        }

        try
        {
            return LoadConfig.Parse(text);
        }
        catch (FormatException ex)
        {
            throw UsageException.ForValue(option.Name, path, ex.Message);
        }
    }

    /// <summary>Parses <c>30</c>, <c>2.5</c>, <c>500ms</c>, <c>30s</c>, <c>30 s</c>, <c>2m</c>.</summary>
    public static bool TryParseTime(string text, out TimeSpan time)
    {
        time = default;
        var (number, scale) = text.Trim() switch
        {
            var t when t.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (t[..^2], 0.001),
            var t when t.EndsWith('s') || t.EndsWith('S') => (t[..^1], 1.0),
            var t when t.EndsWith('m') || t.EndsWith('M') => (t[..^1], 60.0),
            var t => (t, 1.0),
        };
        // Past MaxTime still parses, so that the caller says "at most a day" rather than "not a time".
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint | NumberStyles.AllowTrailingWhite, CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value * scale) || value * scale > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        time = TimeSpan.FromSeconds(value * scale);
        return true;
    }
}

/// <summary>Where and how the reports are written.</summary>
/// <param name="Folder">The folder.</param>
/// <param name="FileName">The files' name without extension.</param>
/// <param name="Formats">Txt, Md, Csv and/or Html, as <see cref="LoadConfig.KnownReportFormats"/> spells them.</param>
/// <param name="Interval">The reporting interval.</param>
internal sealed record ReportSettings(string Folder, string FileName, IReadOnlyList<string> Formats, TimeSpan Interval);
