namespace GrainPool.Cli.Running;

/// <summary>Where a job runs; chosen by the global options (no flag: <see cref="Embedded"/>).</summary>
internal enum RunnerMode
{
    /// <summary>A one-silo cluster inside this process (<c>EmbeddedSilo</c>), started for the command and stopped after it.</summary>
    Embedded,

    /// <summary>Worker threads of this process, no cluster (<see cref="InProcessJobRunner"/>): <c>--in-process</c>.</summary>
    InProcess,

    /// <summary>N silo processes started on this machine for the command, pinned to shares of its CPUs: <c>--silos N</c>.</summary>
    Silos,

    /// <summary>A running cluster joined through its gateways: <c>--cluster host:port,...</c>.</summary>
    Remote,
}

/// <summary>The names of <see cref="RunnerMode"/> values as output reports them.</summary>
internal static class RunnerModeNames
{
    /// <summary>The name JSON's <c>mode</c> field and the timing line use, for example <c>in-process</c>.</summary>
    public static string NameOf(RunnerMode mode) => mode switch
    {
        RunnerMode.Embedded => "embedded",
        RunnerMode.InProcess => "in-process",
        RunnerMode.Silos => "silos",
        RunnerMode.Remote => "remote",
        _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown runner mode."),
    };
}
