using System.Numerics;
using System.Text.Json;

namespace GrainPool.Cli.Tests.Infrastructure;

/// <summary>What one run of grainpool did: its exit code and everything it printed.</summary>
internal sealed record CliResult(IReadOnlyList<string> Args, int ExitCode, string Stdout, string Stderr)
{
    /// <summary>The exact prefix of every error line.</summary>
    public const string ErrorPrefix = "grainpool: error: ";

    /// <summary>Standard output's lines (line endings of any platform).</summary>
    public IReadOnlyList<string> StdoutLines => Lines(Stdout);

    /// <summary>Standard error's lines.</summary>
    public IReadOnlyList<string> StderrLines => Lines(Stderr);

    /// <summary>Checks success (exit 0, nothing on standard error) and returns the human output's lines.</summary>
    public IReadOnlyList<string> Text()
    {
        AssertSucceeded();
        return StdoutLines;
    }

    /// <summary>Checks success and that standard output is exactly one JSON object; returns it.</summary>
    public JsonElement Json()
    {
        AssertSucceeded();
        return JsonObject();
    }

    /// <summary>
    /// As <see cref="Json"/> for a run with <c>--verbose</c>: standard error may hold the client's log, every line of it
    /// one entry (<c>grainpool: log: +1.25 s info|warn|error: Source: message</c>), none a stack frame.
    /// </summary>
    public JsonElement JsonWithLog()
    {
        Assert.True(ExitCode == 0, $"grainpool {string.Join(' ', Args)} exited {ExitCode}; stderr: {Stderr}");
        Assert.All(StderrLines, line => Assert.Matches(@"^grainpool: log: \+\d+\.\d\d s (info|warn|error): \w+: \S", line));
        return JsonObject();
    }

    private JsonElement JsonObject()
    {
        // JsonDocument.Parse rejects anything after the first value, so this also proves stdout holds one object only.
        using var document = JsonDocument.Parse(Stdout);
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// Checks a bad-argument failure: exit 2, nothing on standard output, exactly one line on standard error that starts
    /// with "grainpool: error: " and names <paramref name="mentions"/> (an option, a value); returns that line.
    /// </summary>
    public string UsageError(params string[] mentions)
    {
        Assert.True(ExitCode == 2, $"expected exit 2 from grainpool {string.Join(' ', Args)}, got {ExitCode}; stderr: {Stderr}");
        Assert.Equal(string.Empty, Stdout);
        var line = Assert.Single(StderrLines);
        Assert.StartsWith(ErrorPrefix, line, StringComparison.Ordinal);
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, line, StringComparison.Ordinal);
        }

        return line;
    }

    private void AssertSucceeded()
    {
        Assert.True(ExitCode == 0, $"grainpool {string.Join(' ', Args)} exited {ExitCode}; stderr: {Stderr}");
        Assert.Equal(string.Empty, Stderr);
    }

    private static string[] Lines(string text) =>
        text.Length == 0 ? [] : text.TrimEnd('\n', '\r').Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
}

/// <summary>Reads grainpool's JSON values, checking its number rules on the way.</summary>
internal static class JsonRead
{
    private static readonly BigInteger MaxExactInteger = BigInteger.Pow(2, 53);

    /// <summary>
    /// An integer property: a JSON number when at most 2^53, a decimal string when larger (anything else fails the test).
    /// </summary>
    public static BigInteger Integer(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Number:
                var number = BigInteger.Parse(element.GetRawText(), System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(number <= MaxExactInteger, $"{number} is beyond 2^53 and must be written as a string");
                return number;
            case JsonValueKind.String:
                var text = element.GetString()!;
                Assert.Matches("^[0-9]+$", text);
                var value = BigInteger.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
                Assert.True(value > MaxExactInteger, $"{value} fits a double exactly and must be written as a number");
                return value;
            default:
                Assert.Fail($"expected an integer, got {element.ValueKind}: {element.GetRawText()}");
                return default;
        }
    }

    /// <summary>The integer property <paramref name="name"/>.</summary>
    public static BigInteger Integer(JsonElement json, string name) => Integer(json.GetProperty(name));

    /// <summary>The booleans of the array property <paramref name="name"/>.</summary>
    public static bool[] Booleans(JsonElement json, string name) =>
        [.. json.GetProperty(name).EnumerateArray().Select(e => e.GetBoolean())];

    /// <summary>The doubles of the array property <paramref name="name"/>.</summary>
    public static double[] Doubles(JsonElement json, string name) =>
        [.. json.GetProperty(name).EnumerateArray().Select(e => e.GetDouble())];
}
