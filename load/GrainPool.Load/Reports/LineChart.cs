using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GrainPool.Load;

/// <summary>
/// A line chart drawn as inline SVG, with no script and no external resource: axes with ticks and their titles, a grid,
/// one line per series (dashed where asked) and a legend. The reports draw the RPS and the latency over time and the
/// latency distribution with it; callers draw their own (<see cref="ReportSection.Chart"/>).
/// </summary>
/// <param name="Title">Drawn above the plot.</param>
/// <param name="XAxisTitle">Drawn under the x axis, e.g. <c>time (s)</c>.</param>
/// <param name="YAxisTitle">Drawn beside the y axis, e.g. <c>latency (ms)</c>.</param>
/// <param name="Series">The lines; points that are not finite numbers are left out of the drawing.</param>
public sealed record LineChart(string Title, string XAxisTitle, string YAxisTitle, IReadOnlyList<ChartSeries> Series)
{
    private static readonly string[] Palette =
        ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

    private const double Width = 720;
    private const double Left = 72;
    private const double Right = 24;
    private const double Top = 40;
    private const double PlotHeight = 260;
    private const double LegendEntryWidth = 208;
    private const double LegendRowHeight = 18;
    private const int LongestLegendName = 30;

    /// <summary>
    /// The chart's data as JSON, for a page to carry beside the drawing: <c>{"title", "xAxisTitle", "yAxisTitle",
    /// "series": [{"name", "points": [{"x", "y"}], "dashed", "color"?}]}</c>. The characters &lt;, &gt;, &amp; and quotes in
    /// strings are written as \u escapes, so the JSON can sit inside an HTML or XML element as it is.
    /// </summary>
    public string ToJson() => JsonSerializer.Serialize(this, ChartJsonContext.Default.LineChart);

    /// <summary>The chart as one <c>&lt;svg&gt;</c> element (XML well-formed, every text escaped) with the given id.</summary>
    public string ToSvg(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var finite = Series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        // The x axis starts at zero when the data starts near it (time from the run's start, percentiles, silo counts).
        var xs = finite.Select(p => p.X).ToList();
        var x = Axis.Of(xs, includeZero: xs.Count > 0 && xs.Min() >= 0 && xs.Min() <= xs.Max() / 2);
        var y = Axis.Of(finite.Select(p => p.Y), includeZero: true);
        var plotWidth = Width - Left - Right;
        var perRow = Math.Max(1, (int)(plotWidth / LegendEntryWidth));
        var legendRows = (Series.Count + perRow - 1) / perRow;
        var bottom = Top + PlotHeight;
        var height = bottom + 62 + legendRows * LegendRowHeight;
        double Px(double v) => Left + (v - x.Min) / (x.Max - x.Min) * plotWidth;
        double Py(double v) => bottom - (v - y.Min) / (y.Max - y.Min) * PlotHeight;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"<svg id=\"{Html.Escape(id)}\" class=\"chart\" role=\"img\" aria-label=\"{Html.Escape(Title)}\" width=\"{N(Width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(Width)} {N(height)}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.Append(CultureInfo.InvariantCulture, $"<title>{Html.Escape(Title)}</title>");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text class=\"chart-title\" x=\"{N(Width / 2)}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{Html.Escape(Title)}</text>");

        // Grid and y ticks, then x ticks, then the axes over them.
        foreach (var tick in y.Ticks())
        {
            var py = Py(tick);
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{N(Left)}\" y1=\"{N(py)}\" x2=\"{N(Left + plotWidth)}\" y2=\"{N(py)}\" stroke=\"#e0e0e0\" />");
            svg.Append(CultureInfo.InvariantCulture,
                $"<text class=\"tick y-tick\" x=\"{N(Left - 6)}\" y=\"{N(py + 4)}\" text-anchor=\"end\">{y.Label(tick)}</text>");
        }
        foreach (var tick in x.Ticks())
        {
            var px = Px(tick);
            svg.Append(CultureInfo.InvariantCulture,
                $"<line x1=\"{N(px)}\" y1=\"{N(bottom)}\" x2=\"{N(px)}\" y2=\"{N(bottom + 5)}\" stroke=\"#333\" />");
            svg.Append(CultureInfo.InvariantCulture,
                $"<text class=\"tick x-tick\" x=\"{N(px)}\" y=\"{N(bottom + 18)}\" text-anchor=\"middle\">{x.Label(tick)}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture,
            $"<polyline class=\"axes\" points=\"{N(Left)},{N(Top)} {N(Left)},{N(bottom)} {N(Left + plotWidth)},{N(bottom)}\" fill=\"none\" stroke=\"#333\" />");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text class=\"axis-title x-axis-title\" x=\"{N(Left + plotWidth / 2)}\" y=\"{N(bottom + 38)}\" text-anchor=\"middle\">{Html.Escape(XAxisTitle)}</text>");
        svg.Append(CultureInfo.InvariantCulture,
            $"<text class=\"axis-title y-axis-title\" x=\"16\" y=\"{N(Top + PlotHeight / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {N(Top + PlotHeight / 2)})\">{Html.Escape(YAxisTitle)}</text>");
        if (finite.Count == 0)
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"<text class=\"no-data\" x=\"{N(Left + plotWidth / 2)}\" y=\"{N(Top + PlotHeight / 2)}\" text-anchor=\"middle\" fill=\"#777\">no data</text>");
        }

        for (var s = 0; s < Series.Count; s++)
        {
            var series = Series[s];
            var color = Html.Escape(series.Color ?? Palette[s % Palette.Length]);
            var dash = series.Dashed ? " stroke-dasharray=\"6 4\"" : "";
            var points = series.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
            svg.Append(CultureInfo.InvariantCulture,
                $"<g class=\"series\" data-series=\"{Html.Escape(series.Name)}\"><polyline points=\"{string.Join(" ", points.Select(p => $"{N(Px(p.X))},{N(Py(p.Y))}"))}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash} />");
            // Markers where the points are few enough to tell apart (and so that a single point shows at all).
            if (points.Count <= 60)
            {
                foreach (var p in points)
                {
                    svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{N(Px(p.X))}\" cy=\"{N(Py(p.Y))}\" r=\"2.5\" fill=\"{color}\" />");
                }
            }
            svg.Append("</g>");

            var lx = Left + s % perRow * LegendEntryWidth;
            var ly = bottom + 58 + s / perRow * LegendRowHeight;
            var name = series.Name.Length > LongestLegendName ? series.Name[..(LongestLegendName - 1)] + "\u2026" : series.Name;
            svg.Append(CultureInfo.InvariantCulture,
                $"<g class=\"legend-entry\"><line x1=\"{N(lx)}\" y1=\"{N(ly - 4)}\" x2=\"{N(lx + 24)}\" y2=\"{N(ly - 4)}\" stroke=\"{color}\" stroke-width=\"2\"{dash} /><text x=\"{N(lx + 30)}\" y=\"{N(ly)}\">{Html.Escape(name)}</text></g>");
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A linear axis from a round minimum to a round maximum in round steps (1, 2 or 5 times a power of ten).</summary>
    private readonly record struct Axis(double Min, double Max, double Step)
    {
        public static Axis Of(IEnumerable<double> values, bool includeZero)
        {
            var list = values.ToList();
            var min = list.Count == 0 ? 0 : list.Min();
            var max = list.Count == 0 ? 1 : list.Max();
            if (includeZero)
            {
                min = Math.Min(0, min);
                max = Math.Max(0, max);
            }
            if (max - min <= 0)
            {
                // One value: a unit around it (or its own size, for large values), so that it is drawn inside the plot.
                var half = Math.Max(1, Math.Abs(max) / 2);
                (min, max) = (min == 0 && includeZero ? 0 : min - half, max + half);
            }
            var step = NiceStep((max - min) / 5);
            var lo = Math.Floor(min / step) * step;
            var hi = Math.Ceiling(max / step) * step;
            return new Axis(lo, hi, step);
        }

        public IEnumerable<double> Ticks()
        {
            var count = (int)Math.Round((Max - Min) / Step);
            for (var k = 0; k <= count; k++)
            {
                yield return Min + k * Step;
            }
        }

        public string Label(double value)
        {
            var decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(Step)));
            var rounded = Math.Round(value, Math.Min(15, decimals));
            return rounded.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }

        private static double NiceStep(double rough)
        {
            var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
            var fraction = rough / power;
            return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
        }
    }
}

/// <summary>One line of a <see cref="LineChart"/>.</summary>
/// <param name="Name">Shown in the legend.</param>
/// <param name="Points">The points, joined in the order given.</param>
/// <param name="Dashed">Drawn dashed (e.g. failures beside successes, service time beside latency).</param>
public sealed record ChartSeries(string Name, IReadOnlyList<ChartPoint> Points, bool Dashed = false)
{
    /// <summary>A CSS colour for the line; null to take the next of the chart's palette.</summary>
    public string? Color { get; init; }
}

/// <summary>A point of a <see cref="ChartSeries"/>.</summary>
public readonly record struct ChartPoint(double X, double Y);

/// <summary>
/// The chart's JSON, generated at build time: it works where reflection-based serialization is off (trimmed or native AOT
/// programs, file-based apps).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(LineChart))]
internal sealed partial class ChartJsonContext : JsonSerializerContext;
