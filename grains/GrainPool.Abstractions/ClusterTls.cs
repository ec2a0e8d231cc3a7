using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GrainPool.Abstractions;

/// <summary>
/// The TLS rules silos and clients agree on (<c>Microsoft.Orleans.Connections.Security</c>, off unless a certificate is
/// configured): how a certificate file is read, and which peers are trusted. Silos (<c>GrainPoolSiloOptions</c>), clients
/// (<c>GrainPoolClientOptions</c>) and the grainpool command all load and check them here, so one rule holds on both ends.
/// </summary>
public static class ClusterTls
{
    /// <summary>Trust mode: a peer must present exactly this process's own certificate (one certificate for the whole cluster). The default.</summary>
    public const string TrustCertificate = "certificate";

    /// <summary>Trust mode: a peer's certificate must chain to the CA certificate of a configured file (and only to it).</summary>
    public const string TrustCa = "ca";

    /// <summary>
    /// Trust mode: a peer's certificate must chain to a root of the machine's trusted store. Every certificate issued by
    /// any CA of that store is accepted, so use it only where that store holds a private CA of the cluster's own.
    /// </summary>
    public const string TrustSystem = "system";

    /// <summary>Whether <paramref name="mode"/> is one of the trust modes (case-insensitive).</summary>
    public static bool IsTrustMode(string? mode) =>
        string.Equals(mode, TrustCertificate, StringComparison.OrdinalIgnoreCase)
        || string.Equals(mode, TrustCa, StringComparison.OrdinalIgnoreCase)
        || string.Equals(mode, TrustSystem, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="mode"/> is <see cref="TrustCa"/> (case-insensitive).</summary>
    public static bool IsCaTrust(string? mode) => string.Equals(mode, TrustCa, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Loads this process's certificate with its private key from a PFX (PKCS#12) file.
    /// </summary>
    /// <exception cref="ClusterTlsException">
    /// The file is missing or unreadable, is not a PFX, cannot be opened with <paramref name="password"/>, or has no private
    /// key; the message says which, with the file, and without the password.
    /// </exception>
    public static X509Certificate2 LoadCertificate(string path, string? password)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = ReadFile(path);
        if (X509Certificate2.GetCertContentType(bytes) != X509ContentType.Pkcs12)
        {
            throw new ClusterTlsException(path, "is not a PFX (PKCS#12) file with a certificate and its private key");
        }

        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12(bytes, password);
        }
        catch (CryptographicException)
        {
            throw new ClusterTlsException(path, "cannot be opened with the password given (wrong or missing password)");
        }

        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new ClusterTlsException(path, "has no private key");
        }

        // Every silo is a TLS server (its listeners) and a TLS client (its connections to other silos), and every
        // client presents its certificate: a certificate that limits its usage must allow both.
        if (MissingUsage(certificate) is { } missing)
        {
            certificate.Dispose();
            throw new ClusterTlsException(path, $"does not allow {missing} in its Extended Key Usage; silos and clients need a certificate for both serverAuth and clientAuth");
        }

        return certificate;
    }

    /// <summary>Loads a CA certificate (PEM or DER) that peers' certificates must chain to, with <see cref="TrustCa"/>.</summary>
    /// <exception cref="ClusterTlsException">The file is missing, unreadable, or not a certificate.</exception>
    public static X509Certificate2 LoadCaCertificate(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = ReadFile(path);
        try
        {
            return X509CertificateLoader.LoadCertificate(bytes);
        }
        catch (CryptographicException)
        {
            throw new ClusterTlsException(path, "is not a certificate (PEM or DER)");
        }
    }

    /// <summary>
    /// Reads a secret (a password) from the first line of a file, so it need not stand on a command line where other
    /// users of the machine can read it.
    /// </summary>
    /// <exception cref="ClusterTlsException">The file is missing, unreadable or empty.</exception>
    public static string ReadSecretFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ClusterTlsException(path, Unreadable(ex));
        }

        var secret = text.Split('\n')[0].TrimEnd('\r');
        return secret.Length > 0 ? secret : throw new ClusterTlsException(path, "is empty; its first line must be the secret");
    }

    /// <summary>
    /// The check a peer's certificate must pass under <paramref name="trust"/>: for <see cref="TrustCertificate"/> it is
    /// <paramref name="local"/> itself; for <see cref="TrustCa"/> it chains to <paramref name="ca"/> (that root only, no
    /// revocation check); for <see cref="TrustSystem"/> it chains to the machine's trusted roots. Host names are not
    /// checked (silos are reached at the addresses they advertise, which certificates rarely name).
    /// </summary>
    public static Func<X509Certificate2, X509Chain?, SslPolicyErrors, bool> PeerValidator(string trust, X509Certificate2 local, X509Certificate2? ca)
    {
        ArgumentNullException.ThrowIfNull(local);
        if (string.Equals(trust, TrustSystem, StringComparison.OrdinalIgnoreCase))
        {
            return (_, _, errors) => (errors & ~SslPolicyErrors.RemoteCertificateNameMismatch) == SslPolicyErrors.None;
        }

        if (IsCaTrust(trust))
        {
            ArgumentNullException.ThrowIfNull(ca);
            return (certificate, presented, _) => ChainsTo(certificate, presented, ca);
        }

        var own = local.RawData;
        return (certificate, _, _) => certificate.RawData.AsSpan().SequenceEqual(own);
    }

    /// <summary>
    /// Loads the certificate and, with <see cref="TrustCa"/>, the CA certificate of <paramref name="settings"/>, and
    /// returns the check peers must pass (<see cref="PeerValidator"/>).
    /// </summary>
    /// <exception cref="ClusterTlsException">A file cannot be used (<see cref="Problems"/> tells which setting).</exception>
    public static (X509Certificate2 Certificate, Func<X509Certificate2, X509Chain?, SslPolicyErrors, bool> IsTrusted) Load(ClusterTlsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var certificate = LoadCertificate(settings);
        var ca = IsCaTrust(settings.Trust) ? LoadCaCertificate(settings.CaCertificate!) : null;
        return (certificate, PeerValidator(settings.Trust ?? TrustCertificate, certificate, ca));
    }

    /// <summary>
    /// What is wrong with <paramref name="settings"/>: each problem's setting is one of the
    /// <see cref="ClusterTlsSettings"/> names (<c>TlsCertificate</c>, ...), which silos and clients use for their options
    /// too; <paramref name="describe"/> turns one into the name a user knows (a configuration key and flag), for
    /// messages that mention another setting. Files are read, so a missing file or a wrong password shows here.
    /// </summary>
    public static IEnumerable<ClusterTlsProblem> Problems(ClusterTlsSettings settings, Func<string, string> describe)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(describe);
        if (settings.Trust is { } trust && !IsTrustMode(trust))
        {
            yield return new(ClusterTlsSettings.TrustSetting, trust, $"must be {TrustCertificate} (peers present this same certificate), {TrustCa} (peers' certificates chain to {describe(ClusterTlsSettings.CaCertificateSetting)}) or {TrustSystem} (they chain to the machine's trusted roots)");
        }

        if (string.IsNullOrWhiteSpace(settings.Certificate))
        {
            foreach (var (setting, given) in new[] { (ClusterTlsSettings.PasswordSetting, settings.Password), (ClusterTlsSettings.PasswordFileSetting, settings.PasswordFile), (ClusterTlsSettings.CaCertificateSetting, settings.CaCertificate) })
            {
                if (given is not null)
                {
                    yield return new(setting, setting == ClusterTlsSettings.PasswordSetting ? null : given, $"applies only with {describe(ClusterTlsSettings.CertificateSetting)}, which turns TLS on");
                }
            }

            yield break;
        }

        if (settings.Password is not null && settings.PasswordFile is not null)
        {
            yield return new(ClusterTlsSettings.PasswordFileSetting, null, $"and {describe(ClusterTlsSettings.PasswordSetting)} are both set: give one");
            yield break;
        }

        if (settings.PasswordFile is { } passwordFile && Problem(() => ReadSecretFile(passwordFile)) is { } unreadable)
        {
            yield return new(ClusterTlsSettings.PasswordFileSetting, passwordFile, unreadable);
            yield break;
        }

        if (Problem(() => LoadCertificate(settings).Dispose()) is { } certificate)
        {
            yield return new(ClusterTlsSettings.CertificateSetting, settings.Certificate, certificate);
        }

        var caTrust = IsCaTrust(settings.Trust);
        if (caTrust && settings.CaCertificate is null)
        {
            yield return new(ClusterTlsSettings.TrustSetting, settings.Trust, $"needs {describe(ClusterTlsSettings.CaCertificateSetting)}, the CA certificate peers' certificates must chain to");
        }
        else if (!caTrust && settings.CaCertificate is not null)
        {
            yield return new(ClusterTlsSettings.CaCertificateSetting, settings.CaCertificate, $"applies only with {describe(ClusterTlsSettings.TrustSetting)} {TrustCa} (trust is '{settings.Trust ?? TrustCertificate}')");
        }
        else if (caTrust && Problem(() => LoadCaCertificate(settings.CaCertificate!).Dispose()) is { } ca)
        {
            yield return new(ClusterTlsSettings.CaCertificateSetting, settings.CaCertificate, ca);
        }
    }

    private static X509Certificate2 LoadCertificate(ClusterTlsSettings settings) =>
        LoadCertificate(settings.Certificate!, settings.PasswordFile is { } file ? ReadSecretFile(file) : settings.Password);

    // What is wrong with the file read by read, without the file's name (the problem's value names it).
    private static string? Problem(Action read)
    {
        try
        {
            read();
            return null;
        }
        catch (ClusterTlsException ex)
        {
            return ex.Problem;
        }
    }

    private static string? MissingUsage(X509Certificate2 certificate)
    {
        const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
        const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().ToArray();
        if (usages.Length == 0)
        {
            return null; // no Extended Key Usage: any use is allowed
        }

        var allowed = usages.SelectMany(u => u.EnhancedKeyUsages.Cast<Oid>()).Select(o => o.Value).ToHashSet(StringComparer.Ordinal);
        var missing = new[] { (ServerAuthentication, "serverAuth"), (ClientAuthentication, "clientAuth") }
            .Where(u => !allowed.Contains(u.Item1)).Select(u => u.Item2).ToArray();
        return missing.Length == 0 ? null : string.Join(" and ", missing);
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Chain? presented, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return chain.Build(certificate);
    }

    private static byte[] ReadFile(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ClusterTlsException(path, Unreadable(ex));
        }
    }

    private static string Unreadable(Exception ex) => ex is FileNotFoundException or DirectoryNotFoundException
        ? "does not exist"
        : ex is PathTooLongException ? "is too long a path" : $"cannot be read ({ex.GetType().Name})";
}

/// <summary>
/// The TLS settings of a silo or a client, as their options name them (<c>TlsCertificate</c>, ...): TLS is on when
/// <paramref name="Certificate"/> is set.
/// </summary>
/// <param name="Certificate">A PFX (PKCS#12) file with the certificate and its private key.</param>
/// <param name="Password">The PFX's password, or null.</param>
/// <param name="PasswordFile">A file whose first line is the PFX's password, or null.</param>
/// <param name="Trust">The trust mode (<see cref="ClusterTls.TrustCertificate"/> when null).</param>
/// <param name="CaCertificate">The CA certificate file, with <see cref="ClusterTls.TrustCa"/>.</param>
public sealed record class ClusterTlsSettings(string? Certificate, string? Password, string? PasswordFile, string? Trust, string? CaCertificate)
{
    /// <summary>The option name of <see cref="Certificate"/>.</summary>
    public const string CertificateSetting = "TlsCertificate";

    /// <summary>The option name of <see cref="Password"/>.</summary>
    public const string PasswordSetting = "TlsCertificatePassword";

    /// <summary>The option name of <see cref="PasswordFile"/>.</summary>
    public const string PasswordFileSetting = "TlsCertificatePasswordFile";

    /// <summary>The option name of <see cref="Trust"/>.</summary>
    public const string TrustSetting = "TlsTrust";

    /// <summary>The option name of <see cref="CaCertificate"/>.</summary>
    public const string CaCertificateSetting = "TlsCaCertificate";

    /// <summary>Whether TLS is on.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Certificate);
}

/// <summary>One thing wrong with TLS settings.</summary>
/// <param name="Setting">The setting, as <see cref="ClusterTlsSettings"/> names it (<c>TlsCertificate</c>, ...).</param>
/// <param name="Value">The value at fault (a file), to be quoted before <paramref name="Problem"/>; null when there is none to show (a password).</param>
/// <param name="Problem">What is wrong, without the value.</param>
public readonly record struct ClusterTlsProblem(string Setting, string? Value, string Problem)
{
    /// <summary>The value, quoted, then the problem.</summary>
    public override string ToString() => Value is null ? Problem : $"'{Value}' {Problem}";
}

/// <summary>A TLS file that cannot be used; the message names the file and what is wrong, never a password.</summary>
/// <param name="path">The file.</param>
/// <param name="problem">What is wrong with it, without the file's name (<c>does not exist</c>).</param>
public sealed class ClusterTlsException(string path, string problem) : Exception($"'{path}' {problem}")
{
    /// <summary>The file.</summary>
    public string Path { get; } = path;

    /// <summary>What is wrong with it, without the file's name.</summary>
    public string Problem { get; } = problem;
}
