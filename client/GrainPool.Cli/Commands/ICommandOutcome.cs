using System.Text.Json;
using GrainPool.Cli.Output;

namespace GrainPool.Cli.Commands;

/// <summary>The result of a command, printable as text or as the command's JSON fields.</summary>
internal interface ICommandOutcome
{
    /// <summary>
    /// Writes the command's inputs and results as properties of the already open JSON object
    /// (the application adds <c>command</c>, <c>mode</c>, <c>chunkSize</c>, <c>workers</c>, <c>silos</c> and <c>elapsedMs</c>).
    /// </summary>
    void WriteJson(Utf8JsonWriter json);

    /// <summary>Writes the human-readable lines.</summary>
    void WriteText(TextWriter text, RunSummary summary);

    /// <summary>Null when the command succeeded; otherwise the error line's message, printed after the output (exit 1).</summary>
    string? Failure => null;

    /// <summary>The exit code when <see cref="Failure"/> is set: <see cref="ExitCodes.Failure"/> unless the outcome says otherwise.</summary>
    int FailureExitCode => ExitCodes.Failure;
}
