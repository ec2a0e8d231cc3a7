using System.Globalization;
using System.Text.Json;

namespace GrainPool.Load.Config;

/// <summary>
/// A load test's settings from a JSON file in NBomber's layout, so an NBomber user's file reads the same:
/// <code>
/// {
///   "TestName": "nightly",
///   "TargetScenarios": ["is-prime"],
///   "GlobalSettings": {
///     "ScenariosSettings": [{
///       "ScenarioName": "is-prime",
///       "WarmUpDuration": "00:00:05",
///       "LoadSimulationsSettings": [
///         { "RampingInject": [200, "00:00:01", "00:00:10"] },
///         { "Inject": [200, "00:00:01", "00:00:30"] }
///       ],
///       "Thresholds": ["p99 &lt; 200 ms", "fail% &lt; 0.1"]
///     }],
///     "ReportFileName": "nightly", "ReportFolder": "./reports", "ReportFormats": ["Html", "Txt", "Csv", "Md"],
///     "ReportingInterval": "00:00:05"
///   }
/// }
/// </code>
/// Times are NBomber's "hh:mm:ss" strings or numbers of seconds. Load simulations are written as NBomber writes them:
/// <c>KeepConstant [copies, during]</c>, <c>RampingConstant [copies, during]</c>, <c>IterationsForConstant [copies,
/// iterations]</c>, <c>Inject [rate, interval, during]</c>, <c>RampingInject [rate, interval, during]</c>,
/// <c>InjectRandom [minRate, maxRate, interval, during]</c>, <c>IterationsForInject [rate, interval, iterations]</c>,
/// <c>Pause during</c>. <c>Thresholds</c> (GrainPool's addition) take <see cref="ThresholdText"/>'s forms, as a string or
/// as <c>{ "Rule": "p99 &lt; 200 ms", "AbortWhenFailed": true, "StartCheckAfter": "00:00:05" }</c>. Property
/// names are matched ignoring case; an unknown one is an error, so a misspelt setting is never ignored. NBomber's
/// <c>TestSuite</c>, <c>MaxFailCount</c> and <c>CustomSettings</c> are read, so an NBomber file loads, but GrainPool's
/// scenarios use none of them (<see cref="ScenarioSettings.CustomSettings"/> is there for scenarios of your own).
/// </summary>
/// <param name="TestName">The reports' title (<c>grainpool load run</c>); null when not given.</param>
/// <param name="TargetScenarios">The scenarios to run; null means every scenario the file or the caller names.</param>
/// <param name="Scenarios">Each scenario's settings, by name.</param>
/// <param name="ReportFileName">The report files' name without extension; null when not given.</param>
/// <param name="ReportFolder">Where the reports go; null when not given.</param>
/// <param name="ReportFormats">The report formats named (Txt, Md, Csv, Html), as written; null when not given.</param>
/// <param name="ReportingInterval">The reporting interval; null when not given.</param>
/// <param name="Text">The file's text, which the reports repeat.</param>
public sealed record LoadConfig(
    string? TestName,
    IReadOnlyList<string>? TargetScenarios,
    IReadOnlyList<ScenarioSettings> Scenarios,
    string? ReportFileName,
    string? ReportFolder,
    IReadOnlyList<string>? ReportFormats,
    TimeSpan? ReportingInterval,
    string Text)
{
    /// <summary>The report format names a file may give, as NBomber spells them (matched ignoring case).</summary>
    public static readonly IReadOnlyList<string> KnownReportFormats = ["Txt", "Md", "Csv", "Html"];

    /// <summary>Reads <paramref name="json"/>.</summary>
    /// <exception cref="FormatException">The text is not JSON or a setting is wrong; the message names its path and value.</exception>
    public static LoadConfig Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = new Node(document.RootElement, "$");
            root.ExpectObject();
            root.OnlyProperties("TestSuite", "TestName", "TargetScenarios", "GlobalSettings");
            var global = root.Property("GlobalSettings");
            global?.ExpectObject();
            global?.OnlyProperties("ScenariosSettings", "ReportFileName", "ReportFolder", "ReportFormats", "ReportingInterval");

            var scenarios = global?.Property("ScenariosSettings")?.Items().Select(ScenarioSettings.Read).ToList() ?? [];
            var duplicate = scenarios.GroupBy(s => s.ScenarioName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                throw new FormatException($"GlobalSettings.ScenariosSettings: scenario '{duplicate.Key}' is given more than once");
            }

            var formats = global?.Property("ReportFormats")?.Items().Select(item =>
            {
                var name = item.String();
                return KnownReportFormats.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase))
                    ?? throw item.Error($"'{name}' is not a report format; use {string.Join(", ", KnownReportFormats)}");
            }).ToList();

            var interval = global?.Property("ReportingInterval")?.Time();
            if (interval is { } i && i < TimeSpan.FromMilliseconds(100))
            {
                throw global!.Value.Property("ReportingInterval")!.Value.Error($"'{i}' is too short; give at least 0.1 s");
            }

            return new LoadConfig(
                root.Property("TestName")?.String(),
                root.Property("TargetScenarios")?.Items().Select(n => n.String()).ToList(),
                scenarios,
                global?.Property("ReportFileName")?.FileName(),
                global?.Property("ReportFolder")?.String(),
                formats,
                interval,
                json);
        }
    }

    /// <summary>The settings for <paramref name="scenarioName"/>, or null when the file gives none.</summary>
    public ScenarioSettings? For(string scenarioName) => Scenarios.FirstOrDefault(s => s.ScenarioName == scenarioName);

    /// <summary>A JSON value with the path that led to it, for error messages.</summary>
    internal readonly record struct Node(JsonElement Element, string Path)
    {
        public FormatException Error(string problem) => new($"{Path}: {problem}");

        public void ExpectObject()
        {
            if (Element.ValueKind != JsonValueKind.Object)
            {
                throw Error($"expected an object, found {Shown()}");
            }
        }

        public void OnlyProperties(params string[] known)
        {
            foreach (var property in Element.EnumerateObject())
            {
                if (!known.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
                {
                    throw new FormatException($"{Path}.{property.Name}: unknown setting; the known ones here are {string.Join(", ", known)}");
                }
            }
        }

        public Node? Property(string name)
        {
            foreach (var property in Element.EnumerateObject())
            {
                if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return property.Value.ValueKind == JsonValueKind.Null ? null : new Node(property.Value, $"{Path}.{property.Name}");
                }
            }

            return null;
        }

        public IEnumerable<Node> Items()
        {
            if (Element.ValueKind != JsonValueKind.Array)
            {
                throw Error($"expected an array, found {Shown()}");
            }

            var path = Path;
            return Element.EnumerateArray().Select((e, i) => new Node(e, $"{path}[{i}]")).ToList();
        }

        public string String() =>
            Element.ValueKind == JsonValueKind.String && Element.GetString() is { Length: > 0 } s ? s : throw Error($"expected a non-empty string, found {Shown()}");

        public string FileName()
        {
            var name = String();
            return name.IndexOfAny([.. System.IO.Path.GetInvalidFileNameChars(), '/', '\\']) < 0 && name is not ("." or "..")
                ? name
                : throw Error($"'{ThresholdText.Shorten(name)}' is not a file name (no folders: give the folder as ReportFolder)");
        }

        public double Number()
        {
            if (Element.ValueKind == JsonValueKind.Number && Element.TryGetDouble(out var value) && double.IsFinite(value))
            {
                return value;
            }

            throw Error($"expected a number, found {Shown()}");
        }

        public long Count(long min)
        {
            var value = Number();
            return value == Math.Floor(value) && value >= min && value <= int.MaxValue
                ? (long)value
                : throw Error($"'{Shown()}' must be a whole number from {min} to {int.MaxValue}");
        }

        public TimeSpan Time()
        {
            TimeSpan value;
            if (Element.ValueKind == JsonValueKind.Number)
            {
                var seconds = Number();
                if (seconds is < 0 or > 7 * 24 * 3600)
                {
                    throw Error($"'{Shown()}' seconds is out of range (0 to a week)");
                }

                value = TimeSpan.FromSeconds(seconds);
            }
            else if (Element.ValueKind != JsonValueKind.String
                || Element.GetString() is not { } text || !text.Contains(':', StringComparison.Ordinal)
                || !TimeSpan.TryParseExact(text, ["c", "g"], CultureInfo.InvariantCulture, out value)
                || value < TimeSpan.Zero)
            {
                // "30" alone would read as 30 days: a string must be hh:mm:ss; a number is seconds.
                throw Error($"expected a time as \"hh:mm:ss\" or a number of seconds, found {Shown()}");
            }
            else if (value > TimeSpan.FromDays(7))
            {
                throw Error($"'{Shown()}' is out of range (0 to a week)");
            }

            return value;
        }

        public string Shown()
        {
            var raw = Element.ValueKind switch
            {
                JsonValueKind.Object => "an object",
                JsonValueKind.Array => "an array",
                _ => Element.GetRawText(),
            };
            return ThresholdText.Shorten(raw);
        }
    }
}

/// <summary>One scenario's settings in a <see cref="LoadConfig"/>.</summary>
/// <param name="ScenarioName">The scenario they are for.</param>
/// <param name="WarmUpDuration">How long to warm up; null when not given.</param>
/// <param name="LoadSimulations">The load phases; null when not given (the scenario's own stay).</param>
/// <param name="Thresholds">The thresholds; null when not given.</param>
/// <param name="CustomSettings">The scenario's own settings, raw JSON text; null when not given.</param>
public sealed record ScenarioSettings(
    string ScenarioName,
    TimeSpan? WarmUpDuration,
    IReadOnlyList<LoadSimulation>? LoadSimulations,
    IReadOnlyList<Threshold>? Thresholds,
    string? CustomSettings)
{
    internal static ScenarioSettings Read(LoadConfig.Node node)
    {
        node.ExpectObject();
        node.OnlyProperties("ScenarioName", "WarmUpDuration", "LoadSimulationsSettings", "Thresholds", "CustomSettings", "MaxFailCount");
        var name = node.Property("ScenarioName")?.String() ?? throw node.Error("ScenarioName is missing");
        var simulations = node.Property("LoadSimulationsSettings")?.Items().Select(Simulation).ToList();
        if (simulations is { Count: 0 })
        {
            throw node.Property("LoadSimulationsSettings")!.Value.Error("give at least one load simulation");
        }

        var thresholds = node.Property("Thresholds")?.Items().Select(ReadThreshold).ToList();
        var custom = node.Property("CustomSettings");
        custom?.ExpectObject();
        return new ScenarioSettings(name, node.Property("WarmUpDuration")?.Time(), simulations, thresholds, custom?.Element.GetRawText());
    }

    /// <summary><paramref name="scenario"/> with these settings applied: load simulations, warm-up and thresholds where given.</summary>
    public Scenario ApplyTo(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        if (LoadSimulations is { } simulations)
        {
            scenario = scenario.WithLoadSimulations([.. simulations]);
        }

        if (WarmUpDuration is { } warmUp)
        {
            scenario = scenario.WithWarmUpDuration(warmUp);
        }

        if (Thresholds is { } thresholds)
        {
            scenario = scenario.WithThresholds([.. thresholds]);
        }

        return scenario;
    }

    // "p99 < 200 ms", or { "Rule": "p99 < 200 ms", "AbortWhenFailed": true, "StartCheckAfter": "00:00:05" }.
    private static Threshold ReadThreshold(LoadConfig.Node item)
    {
        var rule = item;
        if (item.Element.ValueKind == JsonValueKind.Object)
        {
            item.OnlyProperties("Rule", "AbortWhenFailed", "StartCheckAfter");
            rule = item.Property("Rule") ?? throw item.Error("Rule is missing, as in { \"Rule\": \"p99 < 200 ms\", \"AbortWhenFailed\": true }");
        }

        Threshold threshold;
        try
        {
            threshold = ThresholdText.Parse(rule.String());
        }
        catch (FormatException ex)
        {
            throw rule.Error(ex.Message);
        }

        if (item.Element.ValueKind == JsonValueKind.Object)
        {
            if (item.Property("AbortWhenFailed") is { } abort)
            {
                if (abort.Element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    throw abort.Error($"expected true or false, found {abort.Shown()}");
                }

                threshold = abort.Element.GetBoolean() ? threshold.AbortWhenFailed() : threshold;
            }

            if (item.Property("StartCheckAfter")?.Time() is { } after)
            {
                threshold = threshold.StartCheckAfter(after);
            }
        }

        return threshold;
    }

    private static LoadSimulation Simulation(LoadConfig.Node node)
    {
        node.ExpectObject();
        var properties = node.Element.EnumerateObject().ToList();
        if (properties.Count != 1)
        {
            throw node.Error("give exactly one load simulation per entry, as in { \"Inject\": [100, \"00:00:01\", \"00:00:30\"] }");
        }

        var kind = properties[0].Name;
        var value = new LoadConfig.Node(properties[0].Value, $"{node.Path}.{kind}");
        LoadConfig.Node[] Args(int count)
        {
            var items = value.Items().ToArray();
            return items.Length == count ? items : throw value.Error($"{kind} takes {count} values, found {items.Length}");
        }

        try
        {
            switch (kind.ToLowerInvariant())
            {
                case "keepconstant":
                {
                    var a = Args(2);
                    return LoadSimulation.KeepConstant((int)a[0].Count(1), a[1].Time());
                }

                case "rampingconstant":
                {
                    var a = Args(2);
                    return LoadSimulation.RampingConstant((int)a[0].Count(0), a[1].Time());
                }

                case "iterationsforconstant":
                {
                    var a = Args(2);
                    return LoadSimulation.IterationsForConstant((int)a[0].Count(1), a[1].Count(1));
                }

                case "inject":
                {
                    var a = Args(3);
                    return LoadSimulation.Inject(a[0].Number(), a[1].Time(), a[2].Time());
                }

                case "rampinginject":
                {
                    var a = Args(3);
                    return LoadSimulation.RampingInject(a[0].Number(), a[1].Time(), a[2].Time());
                }

                case "injectrandom":
                {
                    var a = Args(4);
                    return LoadSimulation.InjectRandom((int)a[0].Count(1), (int)a[1].Count(1), a[2].Time(), a[3].Time());
                }

                case "iterationsforinject":
                {
                    var a = Args(3);
                    return LoadSimulation.IterationsForInject(a[0].Number(), a[1].Time(), a[2].Count(1));
                }

                case "pause":
                    return LoadSimulation.Pause(value.Time());

                default:
                    throw value.Error(
                        "unknown load simulation; use KeepConstant, RampingConstant, IterationsForConstant, Inject, RampingInject, InjectRandom, IterationsForInject or Pause");
            }
        }
        catch (ArgumentException ex)
        {
            // The simulation's own checks (a rate of zero, a time of zero): said with the entry's path.
            throw value.Error(ex is ArgumentOutOfRangeException { ActualValue: { } actual }
                ? $"'{Convert.ToString(actual, CultureInfo.InvariantCulture)}' is out of range: {FirstSentence(ex.Message)}"
                : FirstSentence(ex.Message));
        }
    }

    private static string FirstSentence(string message) => message.Split(" (Parameter", 2)[0].Split('\n')[0].Trim();
}
