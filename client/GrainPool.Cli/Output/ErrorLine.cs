using System.Text;

namespace GrainPool.Cli.Output;

/// <summary>Builds the single error line grainpool prints for a failure, whatever the exception's message holds.</summary>
internal static class ErrorLine
{
    /// <summary>The prefix of every error line.</summary>
    public const string Prefix = "grainpool: error: ";

    /// <summary>The line printed when Ctrl+C cancelled the job.</summary>
    public const string Cancelled = "grainpool: cancelled";

    /// <summary>
    /// The error line for a message that may span lines. Stack frames some exceptions carry in their message (lines
    /// <c>at Type.Method(...)</c>, <c>--- End of ... ---</c>, as Orleans' remote exceptions do) are left out: the line says
    /// what failed, not where in the code.
    /// </summary>
    public static string For(string message) => Prefix + Clean(message);

    /// <summary><paramref name="message"/> on one line, without the stack frames it may carry (see <see cref="For(string)"/>).</summary>
    public static string Clean(string message) =>
        OneLine(string.Join(' ', message.Split('\n').Where(line => !IsStackFrame(line.Trim()))));

    private static bool IsStackFrame(string line) =>
        (line.StartsWith("at ", StringComparison.Ordinal) && line.Contains('(', StringComparison.Ordinal))
        || line.StartsWith("--- End of", StringComparison.Ordinal);

    /// <summary>
    /// The error line for an exception from a kernel or the runner. Argument exceptions carry a parameter name and, for
    /// out-of-range ones, the value on a second line; both go on the one line as <c>name: 'value' message</c>.
    /// </summary>
    public static string For(Exception exception)
    {
        if (exception is ArgumentException argument)
        {
            var message = OneLine(argument.Message.Split('\n')[0]);
            var parameterSuffix = $" (Parameter '{argument.ParamName}')";
            if (argument.ParamName is not null && message.EndsWith(parameterSuffix, StringComparison.Ordinal))
            {
                message = message[..^parameterSuffix.Length];
            }

            var value = exception is ArgumentOutOfRangeException { ActualValue: { } actual } ? $" '{actual}'" : string.Empty;
            var name = argument.ParamName is null ? string.Empty : argument.ParamName + ":";
            return For($"{name}{value} {message}".Trim());
        }

        return For(exception.Message);
    }

    private static string OneLine(string message)
    {
        var line = new StringBuilder(message.Length);
        var pendingSpace = false;
        foreach (var c in message)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                pendingSpace = line.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                line.Append(' ');
                pendingSpace = false;
            }

            line.Append(c);
        }

        return line.ToString();
    }
}
