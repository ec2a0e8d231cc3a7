namespace GrainPool.Load;

/// <summary>The report files <see cref="ReportFolder.Write"/> writes.</summary>
[Flags]
public enum ReportFormats
{
    /// <summary>None.</summary>
    None = 0,

    /// <summary><c>{name}.txt</c>: <see cref="TextReport"/>.</summary>
    Txt = 1,

    /// <summary><c>{name}.md</c>: <see cref="MarkdownReport"/>.</summary>
    Markdown = 2,

    /// <summary><c>{name}.csv</c> and <c>{name}-intervals.csv</c>: <see cref="CsvReport"/>.</summary>
    Csv = 4,

    /// <summary><c>{name}.html</c>: <see cref="HtmlReport"/>.</summary>
    Html = 8,

    /// <summary>Every format.</summary>
    All = Txt | Markdown | Csv | Html,
}

/// <summary>Writes a run's report files into a folder.</summary>
public static class ReportFolder
{
    /// <summary>
    /// Writes <paramref name="report"/> in each of <paramref name="formats"/> into <paramref name="folder"/> (created if
    /// missing; files of the same names replaced), as UTF-8: <c>report.txt</c>, <c>report.md</c>, <c>report.csv</c>,
    /// <c>report-intervals.csv</c>, <c>report.html</c> with the default <paramref name="fileName"/>.
    /// </summary>
    /// <returns>The full paths of the files written, in that order.</returns>
    public static IReadOnlyList<string> Write(LoadReport report, string folder, ReportFormats formats, string fileName = "report")
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        if (fileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || fileName.Contains('/', StringComparison.Ordinal) || fileName.Contains('\\', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{fileName}' is not a file name.", nameof(fileName));
        }
        var directory = Directory.CreateDirectory(folder).FullName;
        var written = new List<string>();
        void WriteFile(string name, string content)
        {
            var path = Path.Combine(directory, name);
            File.WriteAllText(path, content);
            written.Add(path);
        }
        if (formats.HasFlag(ReportFormats.Txt))
        {
            WriteFile($"{fileName}.txt", TextReport.Render(report));
        }
        if (formats.HasFlag(ReportFormats.Markdown))
        {
            WriteFile($"{fileName}.md", MarkdownReport.Render(report));
        }
        if (formats.HasFlag(ReportFormats.Csv))
        {
            WriteFile($"{fileName}.csv", CsvReport.Render(report));
            WriteFile($"{fileName}-intervals.csv", CsvReport.RenderIntervals(report));
        }
        if (formats.HasFlag(ReportFormats.Html))
        {
            WriteFile($"{fileName}.html", HtmlReport.Render(report));
        }
        return written;
    }
}
