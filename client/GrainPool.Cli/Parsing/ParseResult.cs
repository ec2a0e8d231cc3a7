using GrainPool.Cli.Commands;

namespace GrainPool.Cli.Parsing;

/// <summary>What the command line asks for: help, the version, or a command to run.</summary>
internal abstract record ParseResult;

/// <summary>Print <paramref name="Text"/> (help) on standard output and exit 0.</summary>
internal sealed record HelpRequest(string Text) : ParseResult;

/// <summary>Print the version and exit 0.</summary>
internal sealed record VersionRequest : ParseResult;

/// <summary>Run <paramref name="Command"/> with <paramref name="Global"/> options.</summary>
internal sealed record RunRequest(ICliCommand Command, GlobalOptions Global) : ParseResult;

/// <summary>Run a silo in the foreground with <paramref name="Arguments"/> (the silo's own flags, already checked).</summary>
internal sealed record SiloRequest(IReadOnlyList<string> Arguments) : ParseResult;

/// <summary>Run the local stack (silos and Prometheus) until Ctrl+C.</summary>
internal sealed record StackRequest(StackOptions Options) : ParseResult;
