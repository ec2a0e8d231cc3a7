using System.Globalization;
using System.Text.Json;

namespace GrainPool.Observability.Tests;

/// <summary>One series of a PromQL result: its labels and its value (instant) or values (range).</summary>
public sealed record PromSeries(IReadOnlyDictionary<string, string> Labels, IReadOnlyList<(double Time, double Value)> Values)
{
    /// <summary>The value of an instant query.</summary>
    public double Value => Values[^1].Value;
}

/// <summary>Prometheus' HTTP API (<c>/api/v1/query</c>, <c>/api/v1/query_range</c>, <c>/api/v1/rules</c>).</summary>
public sealed class PrometheusApi(Uri baseUrl)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public Uri BaseUrl { get; } = baseUrl;

    /// <summary>An instant query at <paramref name="at"/> (default: now); fails on a PromQL error with the expression.</summary>
    public async Task<IReadOnlyList<PromSeries>> QueryAsync(string expr, DateTimeOffset? at = null)
    {
        var url = $"api/v1/query?query={Uri.EscapeDataString(expr)}" + (at is { } t ? "&time=" + Unix(t) : string.Empty);
        return Parse(await GetDataAsync(url, expr));
    }

    /// <summary>A range query.</summary>
    public async Task<IReadOnlyList<PromSeries>> QueryRangeAsync(string expr, DateTimeOffset start, DateTimeOffset end, TimeSpan step)
    {
        var url = $"api/v1/query_range?query={Uri.EscapeDataString(expr)}&start={Unix(start)}&end={Unix(end)}&step={step.TotalSeconds.ToString(CultureInfo.InvariantCulture)}";
        return Parse(await GetDataAsync(url, expr));
    }

    /// <summary>The rule groups Prometheus loaded, as <c>/api/v1/rules</c> returns them.</summary>
    public async Task<JsonElement> RulesAsync() => await GetDataAsync("api/v1/rules", "rules");

    private async Task<JsonElement> GetDataAsync(string relative, string what)
    {
        using var response = await Http.GetAsync(new Uri(BaseUrl, relative));
        var body = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        if (root.GetProperty("status").GetString() != "success")
        {
            throw new InvalidOperationException($"Prometheus refused {what}: {body}");
        }

        return root.GetProperty("data").Clone();
    }

    private static List<PromSeries> Parse(JsonElement data)
    {
        var series = new List<PromSeries>();
        var type = data.GetProperty("resultType").GetString();
        foreach (var item in data.GetProperty("result").EnumerateArray())
        {
            var labels = item.GetProperty("metric").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty);
            var points = type == "matrix"
                ? item.GetProperty("values").EnumerateArray().Select(Point).ToList()
                : [Point(item.GetProperty("value"))];
            series.Add(new PromSeries(labels, points));
        }

        return series;
    }

    private static (double, double) Point(JsonElement pair) =>
        (pair[0].GetDouble(), double.Parse(pair[1].GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture));

    private static string Unix(DateTimeOffset time) =>
        (time.ToUnixTimeMilliseconds() / 1000.0).ToString("0.###", CultureInfo.InvariantCulture);
}
