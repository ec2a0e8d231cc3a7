using System.Globalization;
using System.Text;

namespace GrainPool.Load;

/// <summary>Tables laid out as aligned plain text and as Markdown.</summary>
internal static class TextTables
{
    /// <summary>Columns two spaces apart; the first <paramref name="textColumns"/> left-aligned, the rest right-aligned.</summary>
    public static void Plain(StringBuilder text, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, int textColumns)
    {
        var all = rows.Select(r => (IReadOnlyList<string>)[.. r.Select(OneLine)]).Prepend([.. header.Select(OneLine)]).ToList();
        var widths = Enumerable.Range(0, header.Count).Select(c => all.Max(r => c < r.Count ? r[c].Length : 0)).ToArray();
        foreach (var row in all)
        {
            text.AppendLine(string.Join("  ", row.Take(header.Count)
                .Select((cell, c) => c < textColumns ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
        }
    }

    /// <summary>A Markdown table: header, separator (numbers right-aligned), one line per row, pipes escaped.</summary>
    public static void Markdown(StringBuilder text, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows, int textColumns)
    {
        text.AppendLine($"| {string.Join(" | ", header.Select(MarkdownCell))} |");
        text.AppendLine($"|{string.Join("|", header.Select((_, c) => c < textColumns ? "---" : "---:"))}|");
        foreach (var row in rows)
        {
            text.AppendLine($"| {string.Join(" | ", row.Select(MarkdownCell))} |");
        }
    }

    /// <summary>A chart's points as rows: series, x, y.</summary>
    public static IEnumerable<IReadOnlyList<string>> ChartRows(LineChart chart) =>
        chart.Series.SelectMany(s => s.Points.Select(p => (IReadOnlyList<string>)
            [s.Name, p.X.ToString(CultureInfo.InvariantCulture), p.Y.ToString(CultureInfo.InvariantCulture)]));

    public static IReadOnlyList<string> ChartHeader(LineChart chart) => ["series", chart.XAxisTitle, chart.YAxisTitle];

    /// <summary>Line breaks as spaces, so that a cell or a heading stays on its line.</summary>
    public static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static string MarkdownCell(string cell) => OneLine(cell).Replace("|", "\\|", StringComparison.Ordinal);
}
