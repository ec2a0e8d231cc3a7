using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace GrainPool.Hosting;

/// <summary>
/// Checks that the silo's ports are free before Orleans takes them. Orleans' listeners set SO_REUSEADDR, which .NET
/// maps to SO_REUSEPORT on Linux, so a second silo started on a busy port binds anyway: both run, each in a
/// one-silo cluster of its own, and the kernel splits connections between them. A plain bind here fails instead.
/// </summary>
internal static class SiloPortCheck
{
    public static void EnsureFree(GrainPoolSiloOptions options)
    {
        var address = IPAddress.Parse(options.ListenAddress);
        var failures = new List<string>();
        Check(failures, address, options.SiloPort, nameof(options.SiloPort));
        Check(failures, address, options.GatewayPort, nameof(options.GatewayPort));
        if (options.HttpPort != 0)
        {
            Check(failures, address, options.HttpPort, nameof(options.HttpPort));
        }

        if (failures.Count > 0)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(GrainPoolSiloOptions), failures);
        }
    }

    private static void Check(List<string> failures, IPAddress address, int port, string setting)
    {
        var listener = new TcpListener(address, port);
        try
        {
            listener.Start();
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            var flag = SiloCommandLine.FlagFor(setting);
            failures.Add($"{GrainPoolSiloOptions.SectionName}:{setting}{(flag is null ? "" : $" ({flag})")} {port} is not available on {address}: {ex.Message} (is another silo running?).");
        }
        finally
        {
            listener.Stop();
        }
    }
}
