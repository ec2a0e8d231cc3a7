using GrainPool.Load;
using GrainPool.Load.Config;

namespace GrainPool.Cli.Load;

/// <summary>Writes a load command's report folder (<see cref="ReportFolder"/>) and prints a section's table.</summary>
internal static class LoadReportFiles
{
    /// <summary>Writes the report files <paramref name="settings"/> asks for and returns their paths.</summary>
    public static IReadOnlyList<string> Write(
        ReportSettings settings, string title, DateTimeOffset startedAt, IReadOnlyList<LoadResult> results, string configuration, IReadOnlyList<ReportSection> sections)
    {
        var report = new LoadReport(title, results, startedAt) { Configuration = configuration, Sections = sections };
        try
        {
            return ReportFolder.Write(report, settings.Folder, Formats(settings.Formats), settings.FileName);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new Running.CliFailureException($"the report could not be written to '{settings.Folder}': {ex.Message}", ex);
        }
    }

    /// <summary>Writes <paramref name="section"/>'s paragraph and table as plain text.</summary>
    public static void WriteSection(TextWriter text, ReportSection section)
    {
        if (section.Text is { } paragraph)
        {
            text.WriteLine(paragraph);
            text.WriteLine();
        }

        if (section.Table is { } table)
        {
            Output.PlainTable.Write(text, table.Header, table.Rows);
        }
    }

    private static ReportFormats Formats(IReadOnlyList<string> names) => names.Aggregate(ReportFormats.None, (all, name) => all | name switch
    {
        "Txt" => ReportFormats.Txt,
        "Md" => ReportFormats.Markdown,
        "Csv" => ReportFormats.Csv,
        "Html" => ReportFormats.Html,
        _ => throw new ArgumentOutOfRangeException(nameof(names), name, $"Not one of {string.Join(", ", LoadConfig.KnownReportFormats)}."),
    });
}
