# The tutorial's "Pool - The Easy Way to Parallelize a List" example (shared/seed/multiprocessing-tutorial.txt).
# One change: processes=os.cpu_count() instead of the tutorial's fixed 4, so that it uses every core of this machine.
from multiprocessing import Pool
import os
import time  # imported by the tutorial's program (unused there too)


def is_prime(n):
    """CPU-bound: check if n is prime."""
    if n < 2: return False
    for i in range(2, int(n**0.5) + 1):
        if n % i == 0:
            return False
    return True


if __name__ == "__main__":
    numbers = list(range(1, 100_001))
    with Pool(processes=os.cpu_count()) as pool:
        results = pool.map(is_prime, numbers)
    primes = [n for n, p in zip(numbers, results) if p]
    print(f"Found {len(primes)} primes up to 100,000")
    # Found 9592 primes up to 100,000
