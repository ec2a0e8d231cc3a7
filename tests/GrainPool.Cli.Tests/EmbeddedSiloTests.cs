using GrainPool.Abstractions;
using GrainPool.Client;
using GrainPool.Grains;
using GrainPool.Hosting;
using GrainPool.Kernels.Running;

namespace GrainPool.Cli.Tests;

/// <summary>
/// The library user's one-call local cluster with a kernel of their own: <c>EmbeddedSilo.StartAsync</c> with a silo
/// configuration that registers it, then a map through <c>GrainPoolClient</c>.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class EmbeddedSiloTests
{
    private static readonly ItemKernel<long, int> StoppingTime = new(new CollatzStoppingTimeKernel());

    [Fact]
    public async Task A_user_kernel_registered_at_start_runs_on_every_worker_of_the_embedded_silo()
    {
        await using var silo = await EmbeddedSilo.StartAsync(2, s => s.AddGrainPoolKernel(StoppingTime));
        var pool = new GrainPoolClient(silo.Client);
        long[] items = [.. Enumerable.Range(1, 20_000).Select(i => (long)i)];

        var map = await pool.MapAsync(StoppingTime, items, new MapOptions { ChunkSize = 1_000 });

        // OEIS A006577 (number of halving and tripling steps to reach 1): a(27) = 111, a(97) = 118, a(871) = 178.
        Assert.Equal(111, map.Results[26]);
        Assert.Equal(118, map.Results[96]);
        Assert.Equal(178, map.Results[870]);
        Assert.Equal(items.Select(StepsByRecursion), map.Results);
        Assert.Equal(2, map.Stats.Workers);
    }

    [Fact]
    public async Task A_kernel_not_registered_on_the_embedded_silo_fails_naming_it()
    {
        await using var silo = await EmbeddedSilo.StartAsync(1);
        var pool = new GrainPoolClient(silo.Client);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => pool.MapAsync(StoppingTime, [1L, 2L]));

        Assert.Contains(StoppingTime.Id, error.Message, StringComparison.Ordinal);
    }

    // An independent count: the same definition written another way (recursion over the sequence).
    private static int StepsByRecursion(long n) => n == 1 ? 0 : 1 + StepsByRecursion(n % 2 == 0 ? n / 2 : (3 * n) + 1);

    /// <summary>A user's item kernel: Collatz stopping time of each item.</summary>
    private sealed class CollatzStoppingTimeKernel : IItemKernel<long, int>
    {
        public string Id => "user/collatz-stopping-time";

        public int Compute(long item)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(item, 1);
            var steps = 0;
            for (var n = item; n != 1; n = (n & 1) == 0 ? n >> 1 : checked((3 * n) + 1))
            {
                steps++;
            }

            return steps;
        }
    }
}
