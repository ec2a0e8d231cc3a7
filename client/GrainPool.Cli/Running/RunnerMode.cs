namespace GrainPool.Cli.Running;

/// <summary>Where a job runs. The cluster joins later and will become the default; <c>--in-process</c> selects this one.</summary>
internal enum RunnerMode
{
    /// <summary>Worker threads of this process (<see cref="InProcessJobRunner"/>).</summary>
    InProcess,
}
