using System.Globalization;
using System.Xml.Linq;

namespace GrainPool.Load.Tests;

/// <summary>The SVG line chart: points on the axes' scale, round ticks, dashes, escaping, and no data drawn as such.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class LineChartTests
{
    [Fact]
    public void Points_are_placed_linearly_between_the_axes_ends()
    {
        var svg = Svg(new LineChart("t", "x", "y", [new ChartSeries("s", [new(0, 0), new(5, 50), new(10, 100)])]));

        // The axes are drawn as one line: top of the y axis, the origin, the end of the x axis.
        var axes = Points(svg.Elements("polyline").Single(e => (string?)e.Attribute("class") == "axes"));
        var (left, top, bottom, right) = (axes[1].X, axes[0].Y, axes[1].Y, axes[2].X);
        Assert.Equal(left, axes[0].X);
        Assert.Equal(bottom, axes[2].Y);
        // 0..10 and 0..100 are round already, so the data spans the whole plot.
        var line = Points(Series(svg, "s").Element("polyline")!);
        Assert.Equal([(left, bottom), ((left + right) / 2, (top + bottom) / 2), (right, top)], line);
        Assert.Equal(3, Series(svg, "s").Elements("circle").Count());
    }

    [Fact]
    public void Ticks_are_round_steps_that_cover_the_data()
    {
        var svg = Svg(new LineChart("t", "x", "y", [new ChartSeries("s", [new(1, 0.13), new(9, 0.9)])]));

        // x: 1..9 starts near zero, so from 0; a fifth of 9 is 1.8, rounded up to the step 2, the end up to 10.
        Assert.Equal(["0", "2", "4", "6", "8", "10"], Ticks(svg, "x-tick"));
        // y: from 0; a fifth of 0.9 is 0.18, step 0.2, the end 1.
        Assert.Equal(["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"], Ticks(svg, "y-tick"));

        var far = Svg(new LineChart("t", "x", "y", [new ChartSeries("s", [new(1000, 73), new(1500, 20)])]));
        // x: 1000..1500 is far from zero; a fifth of 500 is 100.
        Assert.Equal(["1000", "1100", "1200", "1300", "1400", "1500"], Ticks(far, "x-tick"));
        // y: 0..73, a fifth is 14.6, step 20, the end 80.
        Assert.Equal(["0", "20", "40", "60", "80"], Ticks(far, "y-tick"));
    }

    [Fact]
    public void A_dashed_series_is_dashed_in_the_plot_and_in_the_legend()
    {
        var svg = Svg(new LineChart("t", "x", "y",
            [new ChartSeries("solid", [new(0, 1), new(1, 2)]), new ChartSeries("dashed", [new(0, 2), new(1, 3)], Dashed: true)]));

        Assert.Null(Series(svg, "solid").Element("polyline")!.Attribute("stroke-dasharray"));
        Assert.NotNull(Series(svg, "dashed").Element("polyline")!.Attribute("stroke-dasharray"));
        var legend = svg.Elements("g").Where(g => (string?)g.Attribute("class") == "legend-entry").ToList();
        Assert.Equal(["solid", "dashed"], legend.Select(g => g.Element("text")!.Value));
        Assert.Equal([false, true], legend.Select(g => g.Element("line")!.Attribute("stroke-dasharray") is not null));
    }

    [Fact]
    public void Text_is_escaped_and_points_that_are_not_numbers_are_left_out()
    {
        const string Title = "p99 < 5 & \"fast\" 'ms'";
        var chart = new LineChart(Title, "a<b", "c&d", [new ChartSeries("x\"y", [new(0, 1), new(double.NaN, 2), new(2, double.PositiveInfinity), new(3, 4)])]);
        var svg = Svg(chart, id: "id\"<&>");

        Assert.Equal("id\"<&>", (string?)svg.Attribute("id"));
        Assert.Equal(Title, svg.Element("title")!.Value);
        Assert.Equal(Title, svg.Elements("text").Single(e => (string?)e.Attribute("class") == "chart-title").Value);
        Assert.Equal("a<b", svg.Elements("text").Single(e => ((string?)e.Attribute("class"))!.Contains("x-axis-title", StringComparison.Ordinal)).Value);
        Assert.Equal("c&d", svg.Elements("text").Single(e => ((string?)e.Attribute("class"))!.Contains("y-axis-title", StringComparison.Ordinal)).Value);
        Assert.Equal(2, Points(Series(svg, "x\"y").Element("polyline")!).Count);
        Assert.DoesNotContain("<b", chart.ToJson(), StringComparison.Ordinal);
        Assert.DoesNotContain("&", chart.ToJson(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_chart_without_points_draws_its_axes_and_says_no_data()
    {
        var svg = Svg(new LineChart("empty", "x", "y", [new ChartSeries("s", [])]));

        Assert.Equal("no data", svg.Elements("text").Single(e => (string?)e.Attribute("class") == "no-data").Value);
        Assert.Single(svg.Elements("polyline"), e => (string?)e.Attribute("class") == "axes");
        Assert.Equal("", (string?)Series(svg, "s").Element("polyline")!.Attribute("points"));
    }

    private static XElement Svg(LineChart chart, string id = "chart")
    {
        var svg = XElement.Parse(chart.ToSvg(id));
        Assert.Equal("svg", svg.Name.LocalName);
        return svg;
    }

    private static XElement Series(XElement svg, string name) =>
        svg.Elements("g").Single(g => (string?)g.Attribute("class") == "series" && (string?)g.Attribute("data-series") == name);

    private static List<string> Ticks(XElement svg, string axis) =>
        [.. svg.Elements("text").Where(e => ((string?)e.Attribute("class"))?.Split(' ').Contains(axis) == true).Select(e => e.Value)];

    private static List<(double X, double Y)> Points(XElement polyline) =>
    [
        .. ((string)polyline.Attribute("points")!).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p =>
        {
            var xy = p.Split(',');
            return (double.Parse(xy[0], CultureInfo.InvariantCulture), double.Parse(xy[1], CultureInfo.InvariantCulture));
        }),
    ];
}
