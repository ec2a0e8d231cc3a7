# The tutorial's "ProcessPoolExecutor - The Modern Way" example, as printed (shared/seed/multiprocessing-tutorial.txt).
# ProcessPoolExecutor() with no argument starts os.cpu_count() workers: every core.
from concurrent.futures import ProcessPoolExecutor
import math


def compute(n):
    return sum(math.sqrt(i) for i in range(n))


if __name__ == "__main__":
    inputs = [1_000_000] * 8  # 8 heavy calculations
    with ProcessPoolExecutor() as ex:  # auto-detects CPU count
        results = list(ex.map(compute, inputs))
    print(f"Done. First result: {results[0]:.2f}")
