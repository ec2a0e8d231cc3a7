using System.Net;
using GrainPool.Abstractions;
using Orleans.Connections.Security;

namespace GrainPool.Hosting;

/// <summary>
/// The security settings of <see cref="GrainPoolSiloOptions"/> made usable: the dashboard's credential and the TLS
/// certificates, read from their files, each problem told as the setting it comes from and what is wrong.
/// </summary>
internal static class SiloSecurity
{
    /// <summary>Whether the silo's endpoints can be reached from other machines (it listens on a non-loopback address).</summary>
    public static bool ListensBeyondLoopback(GrainPoolSiloOptions options) =>
        IPAddress.TryParse(options.ListenAddress, out var address) && !IPAddress.IsLoopback(address);

    /// <summary>The dashboard's credential, or null when none is configured.</summary>
    /// <exception cref="ClusterTlsException">The password file cannot be read.</exception>
    public static DashboardCredential? DashboardCredential(GrainPoolSiloOptions options)
    {
        if (string.IsNullOrEmpty(options.DashboardUser))
        {
            return null;
        }

        var password = options.DashboardPasswordFile is { } file ? ClusterTls.ReadSecretFile(file) : options.DashboardPassword!;
        return new DashboardCredential(options.DashboardUser, password);
    }

    /// <summary>
    /// Turns TLS on for silo-to-silo and gateway connections when <see cref="GrainPoolSiloOptions.TlsCertificate"/> is
    /// set: this silo presents its certificate, and requires one that <see cref="GrainPoolSiloOptions.TlsTrust"/> accepts
    /// from every silo and client that connects to it, and from every silo it connects to.
    /// </summary>
    public static void UseTls(ISiloBuilder silo, GrainPoolSiloOptions options)
    {
        if (!options.UsesTls)
        {
            return;
        }

        var (certificate, trusted) = ClusterTls.Load(options.Tls);
        silo.UseTls(certificate, tls =>
        {
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
            tls.RemoteCertificateValidation = (peer, chain, errors) => trusted(peer, chain, errors);
        });
    }

    /// <summary>What is wrong with the security settings, as (setting, message) pairs for <see cref="GrainPoolSiloOptionsValidator"/>.</summary>
    public static IEnumerable<(string Setting, string Message)> Problems(GrainPoolSiloOptions options)
    {
        const string User = nameof(GrainPoolSiloOptions.DashboardUser);
        const string Password = nameof(GrainPoolSiloOptions.DashboardPassword);
        const string PasswordFile = nameof(GrainPoolSiloOptions.DashboardPasswordFile);
        var passwordGiven = options.DashboardPassword is not null;
        var passwordFileGiven = options.DashboardPasswordFile is not null;
        if (passwordGiven && passwordFileGiven)
        {
            yield return (PasswordFile, $"and {Password} are both set: give one");
        }

        if (options.DashboardUser is { } user)
        {
            if (string.IsNullOrWhiteSpace(user) || user.Contains(':', StringComparison.Ordinal))
            {
                yield return (User, $"must be a non-empty name without ':' (got '{user}')");
            }

            if (!passwordGiven && !passwordFileGiven)
            {
                yield return (User, $"needs a password: the environment variable GrainPool__Silo__{Password}, or {Describe(PasswordFile)}");
            }
        }
        else if (passwordGiven || passwordFileGiven)
        {
            yield return (passwordGiven ? Password : PasswordFile, $"needs {Describe(User)}");
        }

        if (passwordGiven && options.DashboardPassword!.Length == 0)
        {
            yield return (Password, "must not be empty");
        }

        if (passwordFileGiven && FileProblem(() => ClusterTls.ReadSecretFile(options.DashboardPasswordFile!)) is { } dashboardFile)
        {
            yield return (PasswordFile, dashboardFile);
        }

        foreach (var problem in ClusterTls.Problems(options.Tls, Describe))
        {
            yield return (problem.Setting, problem.ToString());
        }
    }

    private static string? FileProblem(Action read)
    {
        try
        {
            read();
            return null;
        }
        catch (ClusterTlsException ex)
        {
            return ex.Message;
        }
    }

    private static string Describe(string setting) =>
        SiloCommandLine.FlagFor(setting) is { } flag ? $"{GrainPoolSiloOptions.SectionName}:{setting} ({flag})" : $"{GrainPoolSiloOptions.SectionName}:{setting}";
}
