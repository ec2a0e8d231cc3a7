namespace GrainPool.Load.Tests;

/// <summary>Closed models keep exactly the given number of copies running.</summary>
[Trait(TestCategory.Name, TestCategory.Unit)]
public sealed class ClosedModelTests
{
    [Fact]
    public async Task KeepConstant_runs_the_given_number_of_copies_concurrently()
    {
        const int copies = 3;
        var probe = new ConcurrencyProbe(copies);
        var scenario = Scenario.Create("closed", probe.Step)
            // Long enough for every copy to have started on a busy machine: a copy the thread pool starts after the
            // phase's end never runs (seen once in 20 runs at 200 ms, with the test classes run in parallel).
            .WithLoadSimulations(LoadSimulation.KeepConstant(copies, TimeSpan.FromMilliseconds(500)));

        var result = await LoadRunner.RunAsync(scenario);

        Assert.Equal(0, result.Stats.Fail.Count);
        Assert.Equal(copies, probe.MaxInside);
        Assert.Null(Assert.Single(result.Stats.Simulations).PlannedCount);
    }

    [Fact]
    public async Task IterationsForConstant_runs_the_given_iterations_on_the_given_copies()
    {
        var probe = new ConcurrencyProbe(2);
        var scenario = Scenario.Create("closed", probe.Step)
            .WithLoadSimulations(LoadSimulation.IterationsForConstant(copies: 2, iterations: 50));

        var result = await LoadRunner.RunAsync(scenario);

        Assert.Equal(0, result.Stats.Fail.Count);
        Assert.Equal(50, result.Stats.Ok.Count);
        Assert.Equal(2, probe.MaxInside);
        var phase = Assert.Single(result.Stats.Simulations);
        Assert.Equal(50, phase.PlannedCount);
        Assert.Equal(50, phase.AchievedCount);
    }

    /// <summary>
    /// Counts the steps inside at once. The first iterations wait (on an event, with a deadline) until the expected
    /// number are inside, so the maximum is reached however slowly the copies start; later ones yield briefly.
    /// </summary>
    private sealed class ConcurrencyProbe(int expected)
    {
        private readonly TaskCompletionSource _allInside = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inside;
        private int _maxInside;

        public int MaxInside => Volatile.Read(ref _maxInside);

        public async Task<Response> Step(StepContext context)
        {
            var inside = Interlocked.Increment(ref _inside);
            try
            {
                int max;
                while (inside > (max = Volatile.Read(ref _maxInside)) && Interlocked.CompareExchange(ref _maxInside, inside, max) != max)
                {
                }
                if (inside == expected)
                {
                    _allInside.TrySetResult();
                }
                await _allInside.Task.WaitAsync(TimeSpan.FromSeconds(20), context.CancellationToken);
                await Task.Delay(1, context.CancellationToken);
                return Response.Ok();
            }
            finally
            {
                Interlocked.Decrement(ref _inside);
            }
        }
    }
}
