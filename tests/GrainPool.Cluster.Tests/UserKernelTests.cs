using GrainPool.Client;
using GrainPool.Cluster.Tests.Infrastructure;

namespace GrainPool.Cluster.Tests;

[Collection(ThreeSiloClusterCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Cluster)]
public sealed class UserKernelTests(ThreeSiloClusterFixture fixture)
{
    [Theory]
    [InlineData(1UL, 1_000_000UL, null)]
    [InlineData(1UL, 1_000_000UL, 1_000UL)]
    [InlineData(500_000UL, 600_000UL, 7_919UL)]
    [InlineData(837_799UL, 837_799UL, null)]
    public async Task A_user_range_kernel_finds_the_longest_collatz_stopping_time_like_a_plain_loop(ulong first, ulong last, ulong? chunkSize)
    {
        var result = await fixture.Client.RunRangeAsync(CollatzMaxStoppingTimeKernel.Handle, first, last, new RangeOptions { ChunkSize = chunkSize });

        Assert.Equal(LongestStoppingTime(first, last), result.Value);
    }

    // Independent of the kernel: every stopping time from a table filled bottom-up (t(n) = 1 + t(next) once the
    // trajectory drops below n), instead of walking each trajectory to 1.
    internal static ulong LongestStoppingTime(ulong first, ulong last)
    {
        var times = new ushort[last + 1];
        ulong longest = 0;
        for (ulong n = 2; n <= last; n++)
        {
            var value = n;
            ulong steps = 0;
            while (value >= n)
            {
                value = (value & 1) == 0 ? value >> 1 : (3 * value) + 1;
                steps++;
            }

            times[n] = (ushort)(steps + times[value]);
            if (n >= first)
            {
                longest = Math.Max(longest, times[n]);
            }
        }

        return longest;
    }
}
