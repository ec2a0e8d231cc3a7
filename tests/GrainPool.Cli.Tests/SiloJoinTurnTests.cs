using GrainPool.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace GrainPool.Cli.Tests;

/// <summary>
/// Silos started together take turns at the membership table (<see cref="SiloJoinTurn"/>): two silo lifecycles sharing one
/// lock file, each with a stand-in for Orleans' membership write at the stage where Orleans writes (a write the test holds
/// open), never write at the same time, and the second goes on as soon as the first's write ends.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class SiloJoinTurnTests : IDisposable
{
    private readonly string _lockFile = Path.Combine(Path.GetTempPath(), "grainpool-join-test-" + Guid.NewGuid().ToString("N") + ".lock");

    public static TheoryData<int> WriteStages => [ServiceLifecycleStage.AfterRuntimeGrainServices, ServiceLifecycleStage.BecomeActive];

    [Theory]
    [MemberData(nameof(WriteStages))]
    public async Task A_second_silo_writes_only_after_the_first_silos_write_ends(int writeStage)
    {
        var first = new SiloStandIn(_lockFile, "first", writeStage);
        var second = new SiloStandIn(_lockFile, "second", writeStage);

        var firstStart = first.Lifecycle.OnStart();
        await first.Writing.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var secondStart = second.Lifecycle.OnStart();

        // While the first silo's write is open, the second waits for its turn (a broken lock lets it in at once).
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(second.Writing.Task.IsCompleted, "the second silo wrote while the first silo's write was open");

        first.EndWrite.SetResult();
        await firstStart.WaitAsync(TimeSpan.FromSeconds(30));
        await second.Writing.Task.WaitAsync(TimeSpan.FromSeconds(30));
        second.EndWrite.SetResult();
        await secondStart.WaitAsync(TimeSpan.FromSeconds(30));
        first.Turn.Dispose();
        second.Turn.Dispose();
    }

    [Fact]
    public async Task A_silo_that_stops_during_its_write_gives_up_its_turn()
    {
        var first = new SiloStandIn(_lockFile, "first", ServiceLifecycleStage.AfterRuntimeGrainServices);
        using var stop = new CancellationTokenSource();
        var firstStart = first.Lifecycle.OnStart(stop.Token);
        await first.Writing.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The first silo's start fails in its write; Orleans stops the stages that started, the turn's among them.
        first.EndWrite.SetException(new InvalidOperationException("membership table unreachable"));
        await Assert.ThrowsAnyAsync<Exception>(() => firstStart.WaitAsync(TimeSpan.FromSeconds(30)));
        await first.Lifecycle.OnStop().WaitAsync(TimeSpan.FromSeconds(30));

        var second = new SiloStandIn(_lockFile, "second", ServiceLifecycleStage.AfterRuntimeGrainServices);
        var secondStart = second.Lifecycle.OnStart();

        // Well within the 30 s after which a silo stops waiting for its turn.
        await second.Writing.Task.WaitAsync(TimeSpan.FromSeconds(10));
        second.EndWrite.SetResult();
        await secondStart.WaitAsync(TimeSpan.FromSeconds(30));
        second.Turn.Dispose();
    }

    public void Dispose() => File.Delete(_lockFile);

    // One silo's lifecycle: its turn, and a membership write at the given stage that signals when it begins and lasts
    // until the test ends it.
    private sealed class SiloStandIn
    {
        public SiloStandIn(string lockFile, string name, int writeStage)
        {
            Turn = new SiloJoinTurn(lockFile, name, NullLogger<SiloJoinTurn>.Instance);
            Turn.Participate(Lifecycle);
            Lifecycle.Subscribe("membership write", writeStage, async _ =>
            {
                Writing.SetResult();
                await EndWrite.Task;
            });
        }

        public SiloLifecycleSubject Lifecycle { get; } = new(NullLogger<SiloLifecycleSubject>.Instance);

        public SiloJoinTurn Turn { get; }

        public TaskCompletionSource Writing { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource EndWrite { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
