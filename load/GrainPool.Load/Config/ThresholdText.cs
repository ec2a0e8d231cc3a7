using System.Globalization;
using System.Text.RegularExpressions;

namespace GrainPool.Load.Config;

/// <summary>
/// Thresholds written as text, the way a person writes them on a command line or in a scenario file:
/// <c>p99 &lt; 200 ms</c>, <c>p99.9 &lt;= 1 s</c>, <c>mean &lt; 20ms</c>, <c>fail% &lt; 0.1</c>, <c>rps &gt;= 500</c>.
/// Latencies are the successful iterations' (from each iteration's intended start); a latency without a unit is in
/// milliseconds.
/// </summary>
public static partial class ThresholdText
{
    /// <summary>The forms <see cref="Parse"/> takes, for error messages and help.</summary>
    public const string Forms = "'p50|p75|p95|p99|p99.9|mean|max < N ms' (or <=, or s), 'fail% < N' (or <=), 'rps >= N' (or >)";

    /// <summary>Reads one threshold.</summary>
    /// <exception cref="FormatException">The text is none of <see cref="Forms"/>; the message quotes it.</exception>
    public static Threshold Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var match = Pattern().Match(text);
        if (!match.Success
            || !double.TryParse(match.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value) || value < 0)
        {
            throw new FormatException($"'{Shorten(text)}' is not a threshold; write one of {Forms}");
        }

        var measure = match.Groups["measure"].Value.ToLowerInvariant();
        var op = match.Groups["op"].Value;
        var unit = match.Groups["unit"].Value.ToLowerInvariant();
        var name = $"{measure} {op} {Number(value)}{(unit.Length > 0 ? " " + unit : measure.StartsWith('p') || measure is "mean" or "max" ? " ms" : "")}";
        switch (measure)
        {
            case "fail%":
                return unit.Length > 0 || op is not ("<" or "<=")
                    ? throw new FormatException($"'{Shorten(text)}': fail% takes < or <= and a plain percentage, as in 'fail% < 0.1'")
                    : new Threshold(name, s => Compare(s.FailPercent, op, value));
            case "rps":
                return unit.Length > 0 || op is not (">" or ">=")
                    ? throw new FormatException($"'{Shorten(text)}': rps takes >= or > and a plain rate, as in 'rps >= 500'")
                    : new Threshold(name, s => Compare(s.Ok.Rps, op, value));
            default:
                if (op is not ("<" or "<="))
                {
                    throw new FormatException($"'{Shorten(text)}': a latency takes < or <=, as in 'p99 < 200 ms'");
                }

                var milliseconds = unit == "s" ? value * 1000 : value;
                Func<LatencyStats, double> pick = measure switch
                {
                    "p50" => l => l.P50,
                    "p75" => l => l.P75,
                    "p95" => l => l.P95,
                    "p99" => l => l.P99,
                    "p99.9" => l => l.P999,
                    "mean" => l => l.Mean,
                    _ => l => l.Max,
                };
                // No successful iteration has no latency to compare: that passes only when nothing failed either.
                return new Threshold(name, s => s.Ok.Count > 0 ? Compare(pick(s.Ok.Latency), op, milliseconds) : s.Fail.Count == 0);
        }
    }

    private static bool Compare(double actual, string op, double limit) => op switch
    {
        "<" => actual < limit,
        "<=" => actual <= limit,
        ">" => actual > limit,
        _ => actual >= limit,
    };

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Text as the config errors quote it: whole up to 60 characters, otherwise cut with an ellipsis.</summary>
    internal static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";

    [GeneratedRegex(@"^\s*(?<measure>p50|p75|p95|p99\.9|p99|mean|max|fail%|rps)\s*(?<op><=|>=|<|>)\s*(?<value>[0-9]+(\.[0-9]+)?)\s*(?<unit>ms|s)?\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
