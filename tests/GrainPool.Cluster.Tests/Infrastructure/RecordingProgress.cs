using GrainPool.Client;

namespace GrainPool.Cluster.Tests.Infrastructure;

/// <summary>Records every report on the reporting thread (<see cref="Progress{T}"/> would post them out of order).</summary>
internal sealed class RecordingProgress : IProgress<MapProgress>
{
    private readonly List<MapProgress> _reports = [];

    public IReadOnlyList<MapProgress> Reports
    {
        get
        {
            lock (_reports)
            {
                return [.. _reports];
            }
        }
    }

    public void Report(MapProgress value)
    {
        lock (_reports)
        {
            _reports.Add(value);
        }
    }
}
