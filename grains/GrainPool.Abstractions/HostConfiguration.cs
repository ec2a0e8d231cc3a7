namespace GrainPool.Abstractions;

/// <summary>How GrainPool's hosts (silos, client connections) build their configuration.</summary>
public static class HostConfiguration
{
    /// <summary>
    /// The .NET host's setting that watches configuration files for changes, which GrainPool's hosts turn off: they read
    /// their settings once, and each watcher is an inotify instance on Linux, of which a user has 128 by default (many
    /// silos and clients on one machine ran out of them).
    /// </summary>
    public const string ReloadOnChangeKey = "hostBuilder:reloadConfigOnChange";

    /// <summary><see cref="ReloadOnChangeKey"/> off, as a command-line argument for a host's arguments.</summary>
    public const string NoReloadArgument = "--" + ReloadOnChangeKey + "=false";
}
