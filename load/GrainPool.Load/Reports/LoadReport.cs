using System.Runtime.InteropServices;

namespace GrainPool.Load;

/// <summary>
/// Everything a report shows about one run: its scenarios' results, its configuration, when and where it ran, and any
/// sections the caller adds. Every format (<see cref="TextReport"/>, <see cref="MarkdownReport"/>, <see cref="CsvReport"/>,
/// <see cref="HtmlReport"/>) lays out the same report; <see cref="ReportFolder"/> writes them all.
/// </summary>
/// <param name="Title">The report's heading, e.g. <c>grainpool load run: is-prime</c>.</param>
/// <param name="Results">The result of each scenario of the run, in the order to show them.</param>
/// <param name="StartedAt">When the run started.</param>
public sealed record LoadReport(string Title, IReadOnlyList<LoadResult> Results, DateTimeOffset StartedAt)
{
    /// <summary>The run's configuration as text (the CLI gives JSON), shown verbatim; null or empty for none.</summary>
    public string? Configuration { get; init; }

    /// <summary>The machine the run was measured on; <see cref="ReportMachine.Current"/> unless set.</summary>
    public ReportMachine Machine { get; init; } = ReportMachine.Current;

    /// <summary>Extra sections, shown after the scenarios in the order given (e.g. a scaling run's table and chart).</summary>
    public IReadOnlyList<ReportSection> Sections { get; init; } = [];

    /// <summary>A report of one scenario's result, titled with its name, started now.</summary>
    public static LoadReport Of(LoadResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new LoadReport($"Load test: {result.Stats.Name}", [result], DateTimeOffset.Now);
    }
}

/// <summary>The machine a run was measured on.</summary>
/// <param name="ProcessorCount">The processors the process could use (<see cref="Environment.ProcessorCount"/>).</param>
/// <param name="OperatingSystem">The operating system's description.</param>
/// <param name="Runtime">The .NET runtime's description.</param>
public sealed record ReportMachine(int ProcessorCount, string OperatingSystem, string Runtime)
{
    /// <summary>This machine, as this process sees it.</summary>
    public static ReportMachine Current { get; } =
        new(Environment.ProcessorCount, RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription);
}

/// <summary>An extra section of a report: a title and any of a paragraph, a table and a chart, shown in that order.</summary>
/// <param name="Title">The section's heading.</param>
public sealed record ReportSection(string Title)
{
    /// <summary>A paragraph of text under the heading; null for none.</summary>
    public string? Text { get; init; }

    /// <summary>A table; null for none.</summary>
    public ReportTable? Table { get; init; }

    /// <summary>A chart (drawn in the HTML report; its points listed in the text and Markdown reports); null for none.</summary>
    public LineChart? Chart { get; init; }
}

/// <summary>A table of text cells.</summary>
/// <param name="Header">The column names.</param>
/// <param name="Rows">The rows, each with one cell per column.</param>
public sealed record ReportTable(IReadOnlyList<string> Header, IReadOnlyList<IReadOnlyList<string>> Rows)
{
    /// <summary>How many leading columns hold text (left-aligned in the text and Markdown reports); the rest are right-aligned.</summary>
    public int TextColumns { get; init; } = 1;
}
