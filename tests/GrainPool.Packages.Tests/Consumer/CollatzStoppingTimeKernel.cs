using GrainPool.Abstractions;
using GrainPool.Kernels.Running;

namespace Collatz.Kernels;

/// <summary>A user's item kernel (Pool.map's function): the Collatz stopping time of each item.</summary>
public sealed class CollatzStoppingTimeKernel : IItemKernel<long, int>
{
    public string Id => "my/collatz-stopping-time";

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

/// <summary>The item kernel's handle, beside the page's <c>MyKernels</c>.</summary>
public static class MyItemKernels
{
    public static readonly ItemKernel<long, int> StoppingTime = new(new CollatzStoppingTimeKernel());
}
