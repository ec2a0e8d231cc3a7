using GrainPool.Benchmarks;

return await BenchmarkCommands.RunAsync(args);
