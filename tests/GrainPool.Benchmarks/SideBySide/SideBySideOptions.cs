using System.Globalization;

namespace GrainPool.Benchmarks.SideBySide;

/// <summary>Options of the side-by-side commands (primesieve, tutorial, all).</summary>
/// <param name="Max">Largest x for the primesieve comparison (powers of ten from 10^9 up to it are measured).</param>
/// <param name="Runs">Repetitions per measurement (best of); null means each command's default (3 and 5).</param>
/// <param name="NoBuild">Use the CLI as built; by default it is rebuilt (incrementally) so the figures are of the current code.</param>
/// <param name="CliPath">The CLI's dll; by default client/GrainPool.Cli/bin/Release/net10.0/GrainPool.Cli.dll.</param>
/// <param name="Python">The Python interpreter for the tutorial's programs.</param>
internal sealed record SideBySideOptions(ulong Max, int? Runs, bool NoBuild, string? CliPath, string Python)
{
    public const ulong DefaultMax = 10_000_000_000;

    public static SideBySideOptions Parse(IReadOnlyList<string> args)
    {
        var max = DefaultMax;
        int? runs = null;
        var noBuild = false;
        string? cli = null;
        var python = "python3";
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--max":
                    max = ParseCount(Value(args, ref i), "--max");
                    break;
                case "--runs":
                    runs = (int)ParseCount(Value(args, ref i), "--runs");
                    break;
                case "--no-build":
                    noBuild = true;
                    break;
                case "--cli":
                    cli = Path.GetFullPath(Value(args, ref i));
                    break;
                case "--python":
                    python = Value(args, ref i);
                    break;
                default:
                    throw new ArgumentException($"unknown option '{args[i]}'");
            }
        }

        return new SideBySideOptions(max, runs, noBuild, cli, python);
    }

    private static string Value(IReadOnlyList<string> args, ref int i) =>
        ++i < args.Count ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value");

    // Accepts 10000000000, 10_000_000_000 and 1e10; the value must be a positive whole number.
    internal static ulong ParseCount(string text, string name)
    {
        var cleaned = text.Replace("_", "", StringComparison.Ordinal);
        if (ulong.TryParse(cleaned, NumberStyles.None, CultureInfo.InvariantCulture, out var whole) && whole > 0)
        {
            return whole;
        }

        if (double.TryParse(cleaned, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) &&
            real >= 1 && real < 1.8e19 && real == Math.Floor(real))
        {
            return (ulong)real;
        }

        throw new ArgumentException($"{name} takes a positive whole number such as 1e10, not '{text}'");
    }
}
