using System.Text.Json;
using GrainPool.Load;

namespace GrainPool.Cli.Load;

/// <summary>How the load commands' results appear in <c>--json</c> output and in their failure line.</summary>
internal static class LoadOutcomeJson
{
    /// <summary>Writes <c>passed</c>, <c>scenarios</c> (each one's counts, rates, latencies, thresholds) and <c>reports</c>.</summary>
    public static void Write(Utf8JsonWriter json, IReadOnlyList<LoadResult> results, IReadOnlyList<string> files)
    {
        json.WriteBoolean("passed", results.All(r => r.Passed));
        json.WriteStartArray("scenarios");
        foreach (var result in results)
        {
            WriteScenario(json, result);
        }

        json.WriteEndArray();
        json.WriteStartArray("reports");
        foreach (var file in files)
        {
            json.WriteStringValue(file);
        }

        json.WriteEndArray();
    }

    /// <summary>Writes one scenario's statistics as a JSON object value.</summary>
    public static void WriteScenario(Utf8JsonWriter json, LoadResult result)
    {
        var stats = result.Stats;
        json.WriteStartObject();
        json.WriteString("name", stats.Name);
        json.WriteNumber("durationSeconds", stats.Duration.TotalSeconds);
        json.WriteNumber("ok", stats.Ok.Count);
        json.WriteNumber("fail", stats.Fail.Count);
        json.WriteNumber("failPercent", stats.FailPercent);
        json.WriteNumber("rps", stats.Ok.Rps);
        json.WriteNumber("late", stats.LateCount);
        json.WriteBoolean("aborted", result.Aborted);
        if (result.AbortReason is { } reason)
        {
            json.WriteString("abortReason", reason);
        }

        WriteLatency(json, "latencyMs", stats.Ok.Latency);
        WriteLatency(json, "serviceTimeMs", stats.Ok.ServiceTime);
        json.WriteStartArray("thresholds");
        foreach (var threshold in result.Thresholds)
        {
            json.WriteStartObject();
            json.WriteString("name", threshold.Name);
            json.WriteBoolean("passed", threshold.Passed);
            if (threshold.FailedAt is { } at)
            {
                json.WriteNumber("failedAtSeconds", at.TotalSeconds);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>The failure line's message when a threshold failed (each named with its scenario), or null.</summary>
    public static string? FailedThresholds(IReadOnlyList<LoadResult> results)
    {
        var failed = results.SelectMany(r => r.FailedThresholds.Select(t => $"{r.Stats.Name}: {t}")).ToList();
        var aborted = results.Any(r => r.Aborted) ? " (the run was aborted)" : "";
        return failed.Count == 0 ? null : $"thresholds failed: {string.Join("; ", failed)}{aborted}";
    }

    private static void WriteLatency(Utf8JsonWriter json, string name, LatencyStats latency)
    {
        json.WriteStartObject(name);
        json.WriteNumber("mean", latency.Mean);
        json.WriteNumber("p50", latency.P50);
        json.WriteNumber("p75", latency.P75);
        json.WriteNumber("p95", latency.P95);
        json.WriteNumber("p99", latency.P99);
        json.WriteNumber("p999", latency.P999);
        json.WriteNumber("max", latency.Max);
        json.WriteEndObject();
    }
}
