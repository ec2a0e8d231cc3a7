using GrainPool.Hosting;

// The GrainPool silo: flags, configuration, exit codes and the ready line are GrainPoolSiloHost's, shared with `grainpool silo`.
return await GrainPoolSiloHost.RunAsync(args);
