using GrainPool.Cli.Parsing;
using GrainPool.Kernels;

namespace GrainPool.Cli.Commands;

/// <summary>The <c>--method</c> option: names of <see cref="PrimalityMethod"/> values as users type them.</summary>
internal static class MethodOption
{
    /// <summary>The option's name.</summary>
    public const string Name = "--method";

    /// <summary>The largest value trial division takes (it works on signed 64-bit values).</summary>
    public const ulong MaxTrialValue = long.MaxValue;

    /// <summary>The name users type for <paramref name="method"/>.</summary>
    public static string NameOf(PrimalityMethod method) => method switch
    {
        PrimalityMethod.Sieve => "sieve",
        PrimalityMethod.MillerRabin => "miller-rabin",
        PrimalityMethod.Trial => "trial",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown primality method."),
    };

    /// <summary>The method given for <c>--method</c> (or <paramref name="fallback"/>), which must be one of <paramref name="allowed"/>.</summary>
    public static PrimalityMethod Parse(ParsedArguments arguments, PrimalityMethod fallback, IReadOnlyList<PrimalityMethod> allowed, string command)
    {
        if (arguments.Value(Name) is not { } text)
        {
            return fallback;
        }

        var names = string.Join(", ", allowed.Select(NameOf));
        foreach (var method in Enum.GetValues<PrimalityMethod>())
        {
            if (NameOf(method) == text)
            {
                return allowed.Contains(method)
                    ? method
                    : throw UsageException.ForValue(Name, text, $"is not a method {command} takes; it takes {names}");
            }
        }

        throw UsageException.ForValue(Name, text, $"is not a method; {command} takes {names}");
    }
}
