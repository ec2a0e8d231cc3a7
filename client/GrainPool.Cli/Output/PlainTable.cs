using Spectre.Console;
using Spectre.Console.Rendering;

namespace GrainPool.Cli.Output;

/// <summary>
/// Writes a Spectre.Console table as plain text (no borders, colours or control codes): standard output stays
/// readable by scripts and tests, column by column.
/// </summary>
internal static class PlainTable
{
    // Wide enough that no cell is ever wrapped: a table of results is read as lines.
    private const int Width = 1000;

    /// <summary>A table with <paramref name="headers"/>; the columns at <paramref name="rightAligned"/> are right-aligned.</summary>
    public static Table Create(IReadOnlyList<string> headers, IReadOnlySet<int>? rightAligned = null)
    {
        var table = new Table().Border(TableBorder.None);
        for (var c = 0; c < headers.Count; c++)
        {
            var column = new TableColumn(Markup.Escape(headers[c])).Padding(0, 0, c == headers.Count - 1 ? 0 : 2, 0);
            table.AddColumn(rightAligned?.Contains(c) == true ? column.RightAligned() : column);
        }

        return table;
    }

    /// <summary>Adds a row of plain text cells (no markup).</summary>
    public static void AddTextRow(this Table table, params IReadOnlyList<string> cells) =>
        table.AddRow([.. cells.Select(c => (IRenderable)new Text(c))]);

    /// <summary>Writes a table of <paramref name="headers"/> and <paramref name="rows"/>, every column but the first right-aligned.</summary>
    public static void Write(TextWriter text, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var table = Create(headers, new HashSet<int>(Enumerable.Range(1, Math.Max(0, headers.Count - 1))));
        foreach (var row in rows)
        {
            table.AddTextRow(row);
        }

        table.WriteTo(text);
    }

    /// <summary>Writes <paramref name="table"/> on <paramref name="text"/>, each line without trailing spaces.</summary>
    public static void WriteTo(this Table table, TextWriter text)
    {
        using var rendered = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(rendered),
        });
        console.Profile.Width = Width;
        console.Write(table);
        foreach (var line in rendered.ToString().Split('\n'))
        {
            if (line.Trim().Length > 0)
            {
                text.WriteLine(line.TrimEnd());
            }
        }
    }
}
