# The tutorial's "Basic Pattern - Process" example, as printed (shared/seed/multiprocessing-tutorial.txt).
# Two worker processes each compute the full sum; the tutorial uses two workers whatever the core count.
from multiprocessing import Process
import os


def heavy_task(name):
    print(f"[{name}] running in process {os.getpid()}")
    # Simulate CPU-heavy work
    total = sum(i**2 for i in range(10_000_000))
    print(f"[{name}] done. sum={total}")


if __name__ == "__main__":  # REQUIRED on Windows/Mac
    p1 = Process(target=heavy_task, args=("Worker-1",))
    p2 = Process(target=heavy_task, args=("Worker-2",))
    p1.start()
    p2.start()
    p1.join()
    p2.join()
    print("Both processes finished")
