using GrainPool.Abstractions;
using Microsoft.Extensions.Options;

namespace GrainPool.Hosting;

/// <summary>
/// Runs a GrainPool silo process from its command line: the one code path of silo/GrainPool.Silo's <c>Program</c> and of
/// <c>grainpool silo</c>, so both take the same flags and configuration and end with the same lines and exit codes.
/// </summary>
public static class GrainPoolSiloHost
{
    /// <summary>Exit code of a silo that stopped cleanly (also when it was stopped while still joining).</summary>
    public const int Stopped = 0;

    /// <summary>Exit code of a silo that failed to start or to run; the host's log has the exception.</summary>
    public const int Failed = 1;

    /// <summary>Exit code of a silo whose configuration is invalid or names a port that is taken.</summary>
    public const int InvalidConfiguration = 2;

    /// <summary>
    /// Builds the silo host from <paramref name="args"/> (<see cref="GrainPoolSiloHostingExtensions.AddGrainPoolSilo"/>,
    /// <see cref="GrainPoolSiloHostingExtensions.MapGrainPoolSiloEndpoints"/>) and runs it until SIGTERM, Ctrl+C or
    /// <paramref name="cancellationToken"/>; returns the exit code. Problems are written to standard error, one per
    /// line, each naming its setting and flag. The content root is the folder of the running program, where the silo's
    /// appsettings.json lies, so a silo started from another working directory finds it.
    /// </summary>
    /// <param name="args">The silo's flags (<see cref="SiloCommandLine"/>) and configuration-key arguments.</param>
    /// <param name="configureSilo">More silo configuration after GrainPool's own, typically your kernels
    /// (<c>silo =&gt; silo.AddGrainPoolKernel(MyKernels.Handle)</c>); null for GrainPool's silo as shipped.</param>
    /// <param name="onInvalidConfiguration">How to report invalid settings, given every failure; returns the exit code.
    /// Null writes the silo's own lines (<see cref="DescribeInvalidConfiguration"/>) to standard error and returns
    /// <see cref="InvalidConfiguration"/>; a program with its own error format (the grainpool command's one error line)
    /// passes its own.</param>
    /// <param name="cancellationToken">Stops the silo gracefully, as SIGTERM does.</param>
    public static async Task<int> RunAsync(
        string[] args,
        Action<ISiloBuilder>? configureSilo = null,
        Func<OptionsValidationException, int>? onInvalidConfiguration = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [HostConfiguration.NoReloadArgument, .. args], ContentRootPath = AppContext.BaseDirectory });
        try
        {
            builder.AddGrainPoolSilo(args);
        }
        catch (OptionsValidationException ex) when (onInvalidConfiguration is not null)
        {
            return onInvalidConfiguration(ex);
        }
        catch (OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync(DescribeInvalidConfiguration(ex));
            return InvalidConfiguration;
        }

        if (configureSilo is not null)
        {
            builder.UseOrleans(configureSilo);
        }

        await using var app = builder.Build();
        app.MapGrainPoolSiloEndpoints();
        var stopping = app.Lifetime.ApplicationStopping;
        try
        {
            await ((IHost)app).RunAsync(cancellationToken);
            return Stopped;
        }
        catch (Exception ex) when (ex.GetBaseException() is OperationCanceledException && (stopping.IsCancellationRequested || cancellationToken.IsCancellationRequested))
        {
            // Asked to stop (SIGTERM, Ctrl+C) while still joining: a clean stop, not a crash.
            return Stopped;
        }
#pragma warning disable CA1031 // the end of the process: every failure becomes one line and an exit code
        catch (Exception ex)
#pragma warning restore CA1031
        {
            // The host has already logged the exception with its stack trace; end with one line that says what failed.
            await Console.Error.WriteLineAsync("grainpool-silo: failed: " + FailureReason(ex, builder.Configuration));
            return Failed;
        }
    }

    // What failed, for the last line. An unreachable Redis server is named with its setting: StackExchange.Redis' own
    // message names neither the server nor where it was configured.
    private static string FailureReason(Exception ex, IConfiguration configuration)
    {
        var cause = ex.GetBaseException();
        if (cause is not StackExchange.Redis.RedisConnectionException)
        {
            return cause.Message;
        }

        const string Setting = nameof(GrainPoolSiloOptions.Redis);
        return $"cannot reach the Redis server of the membership table, {GrainPoolSiloOptions.SectionName}:{Setting} ({SiloCommandLine.FlagFor(Setting)}) " +
            $"'{ClusterMembership.Redacted(configuration[GrainPoolSiloOptions.SectionName + ":" + Setting])}': {cause.Message}";
    }

    /// <summary>
    /// The silo's report of invalid settings: <c>grainpool-silo: cannot start with this configuration:</c>, then each
    /// failure on a line of its own, naming its setting and flag.
    /// </summary>
    public static string DescribeInvalidConfiguration(OptionsValidationException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return "grainpool-silo: cannot start with this configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", error.Failures);
    }
}
