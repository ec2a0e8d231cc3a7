using System.Text.Json;
using Collatz.Kernels;
using GrainPool.Client;
using GrainPool.Grains;
using GrainPool.Hosting;

// A backend team's program: an embedded GrainPool cluster with its own kernels (from its class library), one map and
// one range job, the results printed as one JSON line for the test to check.
var rangeLast = ulong.Parse(args[0]);
var mapItems = long.Parse(args[1]);

await using var silo = await EmbeddedSilo.StartAsync(cores: null, s => s
    .AddGrainPoolKernel(MyKernels.CollatzMax)
    .AddGrainPoolKernel(MyItemKernels.StoppingTime));
var client = new GrainPoolClient(silo.Client);

long[] items = [.. Enumerable.Range(1, (int)mapItems).Select(i => (long)i)];
var map = await client.MapAsync(MyItemKernels.StoppingTime, items, new MapOptions { ChunkSize = 1_000 });
var range = await client.RunRangeAsync(MyKernels.CollatzMax, 1, rangeLast);

Console.WriteLine("RESULT " + JsonSerializer.Serialize(new
{
    rangeMax = range.Value,
    rangeWorkers = range.Stats.Workers,
    map = map.Results,
    mapWorkers = map.Stats.Workers,
}));
