using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace GrainPool.Cli.Tests.Infrastructure;

/// <summary>
/// Self-signed certificates made for one test class (CertificateRequest, never committed), written as password-protected
/// PFX files into a private temporary folder that is deleted with the fixture: <see cref="Trusted"/> for the cluster,
/// <see cref="Untrusted"/> for an intruder, and files that are not usable certificates for error tests.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("grainpool-tls-").FullName;

    public TestCertificates()
    {
        Trusted = Write("cluster", "trusted-password", clientAuthentication: true);
        Untrusted = Write("intruder", "intruder-password", clientAuthentication: true);
        ServerOnly = Write("server-only", Trusted.Password, clientAuthentication: false);
        (Ca, IssuedSilo, IssuedClient) = WriteCa(Trusted.Password);
        PasswordFile = Path.Combine(_folder, "cluster.password");
        File.WriteAllText(PasswordFile, Trusted.Password + "\n");
        NotAPfx = Path.Combine(_folder, "cluster.crt");
        File.WriteAllText(NotAPfx, Trusted.Certificate.ExportCertificatePem());
        Missing = Path.Combine(_folder, "missing.pfx");
    }

    /// <summary>The cluster's certificate: silos and clients that present it trust each other.</summary>
    public TestCertificate Trusted { get; }

    /// <summary>Another self-signed certificate, which the cluster does not trust.</summary>
    public TestCertificate Untrusted { get; }

    /// <summary>
    /// A certificate for server authentication only (as <c>dotnet dev-certs https</c> makes), with <see cref="Trusted"/>'s
    /// password: no use to a silo, which is a TLS client too.
    /// </summary>
    public TestCertificate ServerOnly { get; }

    /// <summary>A CA certificate (PEM, without its key) that issued <see cref="IssuedSilo"/> and <see cref="IssuedClient"/>.</summary>
    public string Ca { get; }

    /// <summary>A silo's own certificate, issued by <see cref="Ca"/>, with <see cref="Trusted"/>'s password.</summary>
    public TestCertificate IssuedSilo { get; }

    /// <summary>A client's own certificate, issued by <see cref="Ca"/>, with <see cref="Trusted"/>'s password.</summary>
    public TestCertificate IssuedClient { get; }

    /// <summary>A file whose first line is <see cref="Trusted"/>'s password.</summary>
    public string PasswordFile { get; }

    /// <summary><see cref="Trusted"/>'s certificate as PEM, without its key: not a PFX.</summary>
    public string NotAPfx { get; }

    /// <summary>A path where no file is.</summary>
    public string Missing { get; }

    public void Dispose()
    {
        Trusted.Certificate.Dispose();
        Untrusted.Certificate.Dispose();
        ServerOnly.Certificate.Dispose();
        IssuedSilo.Certificate.Dispose();
        IssuedClient.Certificate.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private (string Ca, TestCertificate Silo, TestCertificate Client) WriteCa(string password)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=grainpool-test-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
        var caPath = Path.Combine(_folder, "ca.crt");
        File.WriteAllText(caPath, ca.ExportCertificatePem());

        TestCertificate Issue(string name, byte serial)
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest($"CN=grainpool-test-{name}", key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
            using var issued = request.Create(ca, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1), [serial]);
            var withKey = issued.CopyWithPrivateKey(key);
            var path = Path.Combine(_folder, name + ".pfx");
            File.WriteAllBytes(path, withKey.Export(X509ContentType.Pkcs12, password));
            return new TestCertificate(path, password, withKey);
        }

        return (caPath, Issue("issued-silo", 1), Issue("issued-client", 2));
    }

    private TestCertificate Write(string name, string password, bool clientAuthentication)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=grainpool-test-{name}", key, HashAlgorithmName.SHA256);
        OidCollection usages = [new Oid("1.3.6.1.5.5.7.3.1")]; // server authentication
        if (clientAuthentication)
        {
            usages.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        }

        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, critical: false));
        var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(_folder, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, password));
        return new TestCertificate(path, password, certificate);
    }
}

/// <summary>A PFX file, its password, and the certificate in it.</summary>
public sealed record TestCertificate(string Path, string Password, X509Certificate2 Certificate);
