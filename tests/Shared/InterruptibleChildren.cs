using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace GrainPool.Tests.Shared;

/// <summary>
/// Lets the tests press Ctrl+C (SIGINT) on the processes they start however the test run itself was started. A shell
/// starts a background job (<c>dotnet test ... &amp;</c>, <c>nohup</c>) with SIGINT ignored, every process inherits that,
/// and the runtime keeps an inherited "ignore" as a terminal user would expect: the grainpool and silo processes the
/// tests start would then never see the Ctrl+C the tests send, and every Ctrl+C test would wait out its deadline. When
/// this test process starts with SIGINT ignored, it puts SIGINT back to the default action, which its children inherit.
/// </summary>
internal static class InterruptibleChildren
{
    private const int SigInt = 2;

    [ModuleInitializer]
    internal static void RestoreInterrupt()
    {
        if (OperatingSystem.IsLinux() && SigIntIgnored())
        {
            if (Signal(SigInt, 0 /* SIG_DFL */) == -1 /* SIG_ERR */)
            {
                throw new InvalidOperationException($"signal(SIGINT, SIG_DFL) failed: errno {Marshal.GetLastPInvokeError()}");
            }
        }
    }

    // /proc/self/status has "SigIgn:\t<hex mask>", bit n-1 standing for signal n.
    private static bool SigIntIgnored()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
            && (ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & (1UL << (SigInt - 1))) != 0;
    }

    // DllImport rather than LibraryImport: the generated LibraryImport stub needs unsafe code in every test project.
    [DllImport("libc", EntryPoint = "signal", SetLastError = true)]
    private static extern nint Signal(int signal, nint handler);
}
