using System.Globalization;
using System.Text.Json;
using GrainPool.Load;
using GrainPool.Load.Metrics;

namespace GrainPool.Cli.Load;

/// <summary>
/// What every <c>grainpool load</c> command does around its runs: the run options with live interval lines, and the
/// effective configuration as JSON (which the reports repeat).
/// </summary>
internal static class LoadSession
{
    /// <summary>
    /// Run options with <paramref name="interval"/>; each interval is written as a line on <paramref name="live"/> and
    /// given to <paramref name="metrics"/> (served by <c>--metrics-port</c>) when they are given.
    /// </summary>
    public static LoadRunOptions Options(TimeSpan interval, TextWriter? live, string? prefix = null, LoadMetrics? metrics = null) => new()
    {
        ReportingInterval = interval,
        OnInterval = (live, metrics) switch
        {
            (null, null) => null,
            _ => stats =>
            {
                metrics?.Observe(stats);
                if (live is not null)
                {
                    WriteLive(live, stats, prefix);
                }
            },
        },
    };

    /// <summary>One interval as a line: when, which scenario, ok and failed rates, latency percentiles, late starts.</summary>
    public static string LiveLine(IntervalStats stats, string? prefix = null)
    {
        var end = (stats.Start + stats.Duration).TotalSeconds;
        return string.Create(CultureInfo.InvariantCulture,
            $"{prefix}[{end,7:0.0} s] {stats.Scenario}: ok {stats.Ok.Rps:0.#}/s, fail {stats.Fail.Count}, " +
            $"p50 {stats.Ok.Latency.P50:0.###} ms, p99 {stats.Ok.Latency.P99:0.###} ms, max {stats.Ok.Latency.Max:0.###} ms, late {stats.LateCount}");
    }

    /// <summary>The effective settings of a run as indented JSON, for the reports' configuration block.</summary>
    public static string ConfigurationJson(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            write(json);
            json.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>Writes one scenario's effective settings into an open JSON object.</summary>
    public static void WriteScenario(Utf8JsonWriter json, Scenario scenario, string work)
    {
        json.WriteStartObject();
        json.WriteString("name", scenario.Name);
        json.WriteString("iteration", work);
        json.WriteNumber("warmUpSeconds", scenario.WarmUpDuration.TotalSeconds);
        json.WriteStartArray("loadSimulations");
        foreach (var simulation in scenario.LoadSimulations)
        {
            json.WriteStringValue(simulation.ToString());
        }

        json.WriteEndArray();
        json.WriteStartArray("thresholds");
        foreach (var threshold in scenario.Thresholds)
        {
            json.WriteStringValue(threshold.Name);
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteLive(TextWriter live, IntervalStats stats, string? prefix)
    {
        lock (live)
        {
            live.WriteLine(LiveLine(stats, prefix));
            live.Flush();
        }
    }
}
