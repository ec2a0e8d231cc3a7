using GrainPool.Cli.Tests.Infrastructure;

namespace GrainPool.Cli.Tests;

/// <summary>Bad values: exit 2 and one error line naming the option and the offending value.</summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class BadValueTests
{
    public static TheoryData<string[], string, string> Cases => new()
    {
        { ["primes", "count", "--from", "10", "--to", "5"], "--from", "'10'" },
        { ["sqrt-sum", "--from", "7", "--n", "3"], "--from", "'7'" },
        { ["square-sum", "--from", "11", "--n", "10"], "--from", "'11'" },
        { ["sqrt-sum", "--n", "-5"], "--n", "'-5'" },
        { ["square-sum", "--n", "-1"], "--n", "'-1'" },
        { ["primes", "count", "--to", "abc"], "--to", "'abc'" },
        { ["primes", "count", "--to", "1.5"], "--to", "'1.5'" },
        { ["primes", "count", "--to", "1,000"], "--to", "'1,000'" },
        { ["primes", "count", "--to", "+5"], "--to", "'+5'" },
        { ["primes", "count", "--to", "0x10"], "--to", "'0x10'" },
        { ["primes", "count", "--to", "1e-3"], "--to", "'1e-3'" },
        { ["primes", "count", "--to", "1.5e3"], "--to", "'1.5e3'" },
        { ["primes", "count", "--to", "_100"], "--to", "'_100'" },
        { ["primes", "count", "--to", "1__000"], "--to", "'1__000'" },
        { ["primes", "count", "--to", "1000_"], "--to", "'1000_'" },
        { ["primes", "count", "--to", ""], "--to", "''" },
        { ["primes", "count", "--to", "1e20"], "--to", "'1e20'" },
        { ["primes", "count", "--to", "99999999999999999999999"], "--to", "'99999999999999999999999'" },
        { ["is-prime", "18446744073709551616"], "N", "'18446744073709551616'" },
        { ["is-prime", "7", "seven"], "N", "'seven'" },
        { ["primes", "count", "--to", "5", "--threads", "0"], "--threads", "'0'" },
        { ["primes", "count", "--to", "5", "--threads", "two"], "--threads", "'two'" },
        { ["primes", "count", "--to", "5", "--chunk-size", "0"], "--chunk-size", "'0'" },
        { ["is-prime", "7", "--metrics-port", "70000"], "--metrics-port", "'70000'" },
        { ["is-prime", "7", "--metrics-port", "0"], "--metrics-port", "'0'" },
        { ["stack", "--silos", "0"], "--silos", "'0'" },
        { ["stack", "--scrape-interval", "16"], "--scrape-interval", "'16'" },
        { ["stack", "--prometheus-port", "65536"], "--prometheus-port", "'65536'" },
        { ["stack", "--prometheus-config", "/no/such/prometheus.yml"], "--prometheus-config", "'/no/such/prometheus.yml'" },
        { ["stack", "--cluster-id", "a b"], "--cluster-id", "'a b'" },
        { ["primes", "count", "--to", "9223372036854775808", "--method", "trial"], "--to", "'9223372036854775808'" },
        { ["sqrt-sum", "--n", "1125899906842625"], "--n", "'1125899906842625'" },
        { ["square-sum", "--n", "10000000000001"], "--n", "'10000000000001'" },
        { ["primes", "map", "--upto", "10", "--method", "sieve"], "--method", "'sieve'" },
        { ["primes", "count", "--to", "10", "--method", "fast"], "--method", "'fast'" },
        { ["primes", "map", "--upto", "3e9"], "--upto", "'3e9'" },
        { ["sqrt-sum", "--n", "10", "--repeat", "0"], "--repeat", "'0'" },
        { ["primes", "count", "--to", "18446744073709551615", "--chunk-size", "1"], "--chunk-size", "'1'" },
        { ["--silos", "0", "square-sum", "--n", "10"], "--silos", "'0'" },
        { ["--silos", "65", "square-sum", "--n", "10"], "--silos", "'65'" },
        { ["--silos", "3", "--threads", "2", "square-sum", "--n", "10"], "--threads", "'2'" },
        { ["--cluster", "nonsense", "square-sum", "--n", "10"], "--cluster", "'nonsense'" },
        { ["--cluster", "127.0.0.1:70000", "square-sum", "--n", "10"], "--cluster", "'127.0.0.1:70000'" },
        { ["--cluster", ",", "square-sum", "--n", "10"], "--cluster", "','" },
        { ["--cluster-id", "mine", "square-sum", "--n", "10"], "--cluster-id", "'mine'" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_value_is_one_error_line_naming_option_and_value(string[] args, string option, string quotedValue)
    {
        var line = (await CliProcess.RunAsync(args)).UsageError(option, quotedValue);
        Assert.StartsWith($"{CliResult.ErrorPrefix}{option}: {quotedValue} ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Value_past_2_pow_64_minus_1_gets_the_documented_message()
    {
        var line = (await CliProcess.RunAsync("primes", "count", "--to", "18446744073709551616")).UsageError();
        Assert.Equal("grainpool: error: --to: '18446744073709551616' is larger than 18446744073709551615", line);
    }

    [Fact]
    public async Task Verbose_adds_the_whole_exception_after_the_one_error_line_and_keeps_the_exit_code()
    {
        var plain = await CliProcess.RunAsync("primes", "count", "--to", "ten");
        var verbose = await CliProcess.RunAsync("--verbose", "primes", "count", "--to", "ten");

        Assert.Equal(2, verbose.ExitCode);
        var line = plain.UsageError("--to", "'ten'");
        Assert.True(verbose.StderrLines.Count > 2, $"--verbose printed only: {verbose.Stderr}");
        Assert.Equal(line, verbose.StderrLines[0]);
        Assert.StartsWith("GrainPool.Cli.Parsing.UsageException: --to: 'ten'", verbose.StderrLines[1], StringComparison.Ordinal);
        Assert.Contains(verbose.StderrLines, l => l.TrimStart().StartsWith("at GrainPool.Cli.", StringComparison.Ordinal));
    }
}

/// <summary>Bad command lines: exit 2 and one error line naming what is wrong.</summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class BadCommandLineTests
{
    public static TheoryData<string[], string> Cases => new()
    {
        { ["primes", "count", "--to", "5", "--frob"], "--frob" },
        { ["primes", "count", "--to", "5", "-x"], "-x" },
        { ["--frob", "primes", "count", "--to", "5"], "--frob" },
        { ["frobnicate"], "'frobnicate'" },
        { ["primes", "sum", "--to", "5"], "'sum'" },
        { ["primes"], "primes" },
        { [], "no command" },
        { ["primes", "count"], "--to" },
        { ["primes", "count", "--from", "5"], "--to" },
        { ["primes", "map"], "--upto" },
        { ["sqrt-sum"], "--n" },
        { ["square-sum", "--from", "1"], "--n" },
        { ["is-prime"], "N" },
        { ["primes", "count", "--to"], "--to" },
        { ["primes", "count", "--to", "--json"], "--to" },
        { ["primes", "count", "--to", "5", "--to", "6"], "--to" },
        { ["primes", "count", "--to", "5", "surplus"], "'surplus'" },
        { ["primes", "count", "--to", "5", "--json=yes"], "--json" },
        { ["sqrt-sum", "--n", "5", "--method", "trial"], "--method" },
        { ["--in-process", "--silos", "2", "square-sum", "--n", "5"], "--in-process and --silos" },
        { ["--silos", "2", "--cluster", "127.0.0.1:30000", "square-sum", "--n", "5"], "--silos and --cluster" },
        { ["square-sum", "--n", "5", "--cluster", "127.0.0.1:30000", "--in-process"], "--in-process and --cluster" },
        { ["demo", "--tutorial-size", "--in-process", "--silos", "1"], "--in-process and --silos" },
        { ["demo", "--n", "5"], "--n" },
        { ["silo", "--silo-prot", "11111"], "--silo-prot" },
        { ["silo", "--cores"], "--cores" },
        { ["silo", "stray"], "'stray'" },
        { ["--json", "silo"], "--json" },
        { ["silo", "--cores", "0", "--http-port", "0"], "--cores" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_command_line_is_one_error_line_and_exit_2(string[] args, string mention) =>
        (await CliProcess.RunAsync(args)).UsageError(mention);
}
