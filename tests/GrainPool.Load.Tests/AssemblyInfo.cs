// The real-clock tests (open arrivals on time, closed copies all running) measure the thread pool's promptness; run
// one test at a time, so that the others' start-up work (JIT, synchronous virtual-clock runs) does not delay them.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
