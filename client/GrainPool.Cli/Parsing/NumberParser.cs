using System.CommandLine.Parsing;
using System.Globalization;
using System.Numerics;

namespace GrainPool.Cli.Parsing;

/// <summary>
/// Reads the numbers grainpool takes: plain digits (0 .. 18446744073709551615) with optional single '_' separators between
/// digits (<c>1_000_000</c>), or an exact power-of-ten form with an integer mantissa (<c>1e10</c>, <c>2e9</c>, <c>1E6</c>).
/// Nothing else is a number: no sign, no spaces, no decimal point, no negative exponent.
/// </summary>
internal static class NumberParser
{
    /// <summary>What a bad number's error says is accepted.</summary>
    public const string Accepted = "digits such as 1000000 or 1_000_000, or a power-of-ten form such as 1e6";

    /// <summary>Parses <paramref name="text"/> given for <paramref name="option"/>, or throws a <see cref="UsageException"/> naming both.</summary>
    public static ulong Parse(string option, string text)
    {
        var outcome = TryParse(text, out var value);
        return outcome switch
        {
            NumberOutcome.Parsed => value,
            NumberOutcome.TooLarge => throw UsageException.ForValue(option, text, $"is larger than {ulong.MaxValue}"),
            NumberOutcome.Negative => throw UsageException.ForValue(option, text, $"is negative; expected a whole number ({Accepted})"),
            _ => throw UsageException.ForValue(option, text, $"is not a whole number ({Accepted})"),
        };
    }

    /// <summary>
    /// The System.CommandLine parser of one number option's value: the value, or an error naming the option and the value
    /// (reported by the command line as grainpool's one error line).
    /// </summary>
    public static ulong ParseArgument(ArgumentResult result)
    {
        var name = result.Parent is OptionResult option ? option.Option.Name : result.Argument.HelpName ?? result.Argument.Name;
        return TryParseToken(name, result.Tokens[0].Value, result, out var value) ? value : 0;
    }

    /// <summary>The System.CommandLine parser of positional numbers: every value, or an error naming the first bad one.</summary>
    public static ulong[] ParseArguments(ArgumentResult result)
    {
        var name = result.Argument.HelpName ?? result.Argument.Name;
        var values = new ulong[result.Tokens.Count];
        for (var i = 0; i < values.Length; i++)
        {
            if (!TryParseToken(name, result.Tokens[i].Value, result, out values[i]))
            {
                return [];
            }
        }

        return values;
    }

    private static bool TryParseToken(string name, string text, ArgumentResult result, out ulong value)
    {
        try
        {
            value = Parse(name, text);
            return true;
        }
        catch (UsageException ex)
        {
            result.AddError(ex.Message);
            value = 0;
            return false;
        }
    }

    /// <summary>Parses without throwing; <paramref name="value"/> is set only for <see cref="NumberOutcome.Parsed"/>.</summary>
    public static NumberOutcome TryParse(string text, out ulong value)
    {
        value = 0;
        if (text.Length > 1 && text[0] == '-' && text[1] != '-' && TryParse(text[1..], out _) != NumberOutcome.NotANumber)
        {
            return NumberOutcome.Negative;
        }

        var e = text.IndexOfAny(['e', 'E']);
        BigInteger number;
        if (e < 0)
        {
            if (!TryReadDigits(text, allowSeparators: true, out number))
            {
                return NumberOutcome.NotANumber;
            }
        }
        else
        {
            if (!TryReadDigits(text[..e], allowSeparators: false, out var mantissa) ||
                !TryReadDigits(text[(e + 1)..], allowSeparators: false, out var exponent))
            {
                return NumberOutcome.NotANumber;
            }

            // 10^20 > 2^64 already, so a larger exponent with a non-zero mantissa is too large without computing it.
            if (mantissa.IsZero)
            {
                number = BigInteger.Zero;
            }
            else if (exponent > 20)
            {
                return NumberOutcome.TooLarge;
            }
            else
            {
                number = mantissa * BigInteger.Pow(10, (int)exponent);
            }
        }

        if (number > ulong.MaxValue)
        {
            return NumberOutcome.TooLarge;
        }

        value = (ulong)number;
        return NumberOutcome.Parsed;
    }

    private static bool TryReadDigits(string text, bool allowSeparators, out BigInteger number)
    {
        number = BigInteger.Zero;
        if (text.Length == 0 || !char.IsAsciiDigit(text[0]) || !char.IsAsciiDigit(text[^1]))
        {
            return false;
        }

        var digits = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsAsciiDigit(c))
            {
                digits.Append(c);
            }
            else if (!(allowSeparators && c == '_' && char.IsAsciiDigit(text[i - 1]) && char.IsAsciiDigit(text[i + 1])))
            {
                return false; // a separator stands alone between two digits (first and last characters are digits)
            }
        }

        number = BigInteger.Parse(digits.ToString(), NumberStyles.None, CultureInfo.InvariantCulture);
        return true;
    }
}

/// <summary>The result of <see cref="NumberParser.TryParse"/>.</summary>
internal enum NumberOutcome
{
    /// <summary>A number in 0 .. 2^64-1.</summary>
    Parsed,

    /// <summary>Not in any accepted form.</summary>
    NotANumber,

    /// <summary>A well-formed number beyond 2^64-1.</summary>
    TooLarge,

    /// <summary>A minus sign before an otherwise well-formed number.</summary>
    Negative,
}
