using System.Text;

namespace GrainPool.Cli.Output;

/// <summary>A plain-text table: a header row and rows, columns as wide as their widest cell, two spaces apart.</summary>
internal sealed class TextTable(IReadOnlyList<string> headers, IReadOnlySet<int>? rightAligned = null)
{
    private readonly List<IReadOnlyList<string>> _rows = [];

    /// <summary>Adds a row (as many cells as headers).</summary>
    public void Add(params IReadOnlyList<string> cells)
    {
        if (cells.Count != headers.Count)
        {
            throw new ArgumentException($"A row needs {headers.Count} cells; got {cells.Count}.", nameof(cells));
        }

        _rows.Add(cells);
    }

    /// <summary>Writes the header and the rows, trailing spaces trimmed.</summary>
    public void WriteTo(TextWriter text)
    {
        var widths = headers.Select((h, c) => _rows.Select(r => r[c].Length).Append(h.Length).Max()).ToArray();
        foreach (var row in _rows.Prepend(headers))
        {
            var line = new StringBuilder();
            for (var c = 0; c < row.Count; c++)
            {
                if (c > 0)
                {
                    line.Append("  ");
                }

                line.Append(rightAligned?.Contains(c) == true ? row[c].PadLeft(widths[c]) : row[c].PadRight(widths[c]));
            }

            text.WriteLine(line.ToString().TrimEnd());
        }
    }
}
