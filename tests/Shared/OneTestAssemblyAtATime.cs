using System.Runtime.CompilerServices;

namespace GrainPool.Tests.Shared;

/// <summary>
/// Runs the test assemblies of this repository one at a time on a machine. `dotnet test GrainPool.slnx` starts every
/// test project at once (it passes -maxcpucount to MSBuild), and on a 2-core machine four test processes with their
/// silo processes and a Prometheus starve each other past the tests' deadlines (seen: a cancellation reaching the silos
/// after more than the 1 s the cluster tests allow, with load average 15). Each test process takes an exclusive lock
/// on a file in the temp folder when its assembly loads and keeps it until it exits; the next one waits for it.
/// </summary>
internal static class OneTestAssemblyAtATime
{
    private static FileStream? _lock;

    [ModuleInitializer]
    internal static void Acquire()
    {
        var path = Path.Combine(Path.GetTempPath(), "grainpool-test-assemblies.lock");
        var deadline = DateTime.UtcNow.AddMinutes(30);
        while (true)
        {
            try
            {
                // FileShare.None takes an exclusive advisory lock (flock) on Linux; it goes when the process ends.
                _lock = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(200);
            }
        }
    }
}
