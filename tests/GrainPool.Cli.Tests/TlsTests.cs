using GrainPool.Abstractions;
using GrainPool.Cli.Tests.Infrastructure;
using GrainPool.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GrainPool.Cli.Tests;

/// <summary>
/// TLS between silos and clients (<c>--tls-certificate</c>, Microsoft.Orleans.Connections.Security) with real silo
/// processes and the real grainpool command: certificates made for the test (<see cref="TestCertificates"/>), trust by
/// the one shared certificate (the default <c>--tls-trust certificate</c>).
/// </summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class TlsTests(TestCertificates certificates) : IClassFixture<TestCertificates>
{
    // pi(10^7), from tests/reference/prime-counts.tsv.
    private const ulong To = 10_000_000;

    // What a client that cannot complete a TLS handshake with any gateway ends with (ExitCodes.Failure, documented in the
    // CLI's README): the connection deadline, not a hang.
    private const int CannotConnectExitCode = 1;

    // What the silo's TLS middleware logs when a peer's certificate fails its check.
    private const string Rejected = "The remote certificate was rejected by the provided RemoteCertificateValidationCallback";

    [Fact]
    public async Task A_tls_silo_pair_and_a_client_with_the_trusted_certificate_run_a_job_exactly()
    {
        var clusterId = NewClusterId();

        // The password once from the environment, once from a file: both are ways the docs give.
        await using var primary = SiloUnderTest.Start(
            new Dictionary<string, string> { ["GrainPool__Silo__TlsCertificatePassword"] = certificates.Trusted.Password },
            "--cluster-id", clusterId, "--name", "tls-primary", "--dashboard", "off", "--tls-certificate", certificates.Trusted.Path);
        await using var secondary = SiloUnderTest.Start(
            "--cluster-id", clusterId, "--name", "tls-secondary", "--dashboard", "off", "--primary-port", primary.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tls-certificate", certificates.Trusted.Path, "--tls-password-file", certificates.PasswordFile);
        await Task.WhenAll(primary.ReadyAsync(), secondary.ReadyAsync());
        await primary.WaitForClusterOfAsync(2);
        await secondary.WaitForClusterOfAsync(2);
        Assert.Contains(primary.Log, line => line.Contains("uses TLS on its silo and gateway connections", StringComparison.Ordinal));

        var json = (await CliProcess.RunAsync(
            "--cluster", $"{primary.Gateway},{secondary.Gateway}", "--cluster-id", clusterId,
            "--tls-certificate", certificates.Trusted.Path, "--tls-password-file", certificates.PasswordFile,
            "primes", "count", "--to", "1e7", "--json")).Json();
        Assert.Equal(Reference.Pi(To), json.GetProperty("count").GetUInt64());
        Assert.Equal("remote", json.GetProperty("mode").GetString());
        Assert.Equal(2, json.GetProperty("silos").GetInt32());
    }

    [Fact]
    public async Task A_client_without_a_certificate_or_with_an_untrusted_one_cannot_connect_and_says_so()
    {
        var clusterId = NewClusterId();
        await using var silo = SiloUnderTest.Start(
            new Dictionary<string, string> { ["GrainPool__Silo__TlsCertificatePassword"] = certificates.Trusted.Password },
            "--cluster-id", clusterId, "--dashboard", "off", "--tls-certificate", certificates.Trusted.Path);
        await silo.ReadyAsync();

        // Both at once: each waits out the client's connection deadline.
        var results = await Task.WhenAll(
            CliProcess.RunAsync("--cluster", silo.Gateway, "--cluster-id", clusterId, "primes", "count", "--to", "1e7"),
            CliProcess.RunAsync(
                "--cluster", silo.Gateway, "--cluster-id", clusterId,
                "--tls-certificate", certificates.Untrusted.Path, "--tls-password-file", WritePassword(certificates.Untrusted),
                "primes", "count", "--to", "1e7"));
        string[] expected =
        [
            $"could not connect to the cluster at {silo.Gateway} (cluster id '{clusterId}') within 10 s",
            $"could not connect to the cluster at {silo.Gateway} (cluster id '{clusterId}', TLS with certificate '{certificates.Untrusted.Path}' and trust 'certificate') within 10 s",
        ];
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(CannotConnectExitCode, results[i].ExitCode);
            Assert.Equal(string.Empty, results[i].Stdout);
            Assert.Equal(CliResult.ErrorPrefix + expected[i], Assert.Single(results[i].StderrLines));
        }

        // The silo turned the intruder's certificate away (and the plain client's bytes were no TLS handshake).
        await silo.LogLineAsync(Rejected);
        Assert.Equal(1, (await silo.HealthAsync()).ClusterSilos);
    }

    [Fact]
    public async Task A_silo_with_an_untrusted_certificate_does_not_join_and_the_cluster_does_not_list_it()
    {
        var clusterId = NewClusterId();
        await using var primary = SiloUnderTest.Start(
            new Dictionary<string, string> { ["GrainPool__Silo__TlsCertificatePassword"] = certificates.Trusted.Password },
            "--cluster-id", clusterId, "--name", "tls-primary", "--dashboard", "off", "--tls-certificate", certificates.Trusted.Path);
        await primary.ReadyAsync();

        await using var intruder = SiloUnderTest.Start(
            new Dictionary<string, string> { ["GrainPool__Silo__TlsCertificatePassword"] = certificates.Untrusted.Password },
            "--cluster-id", clusterId, "--name", "tls-intruder", "--dashboard", "off", "--primary-port", primary.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--tls-certificate", certificates.Untrusted.Path);

        // The primary refuses the intruder's connection: the event this test waits for. Then the intruder has not
        // become active, and the primary still sees itself alone.
        await primary.LogLineAsync(Rejected);
        var health = await primary.HealthAsync();
        Assert.Equal(1, health.ClusterSilos);
        Assert.Equal(1, health.ClusterSlots);
        Assert.False(intruder.IsReady);
        Assert.DoesNotContain(intruder.Log, line => line.Contains("is active at", StringComparison.Ordinal));

        // A job on the cluster runs on the primary only.
        var json = (await CliProcess.RunAsync(
            "--cluster", primary.Gateway, "--cluster-id", clusterId, "--tls-certificate", certificates.Trusted.Path, "--tls-password-file", certificates.PasswordFile,
            "primes", "count", "--to", "1e7", "--json")).Json();
        Assert.Equal(Reference.Pi(To), json.GetProperty("count").GetUInt64());
        Assert.Equal(1, json.GetProperty("silos").GetInt32());
        Assert.False(intruder.IsReady);
    }

    [Fact]
    public async Task With_ca_trust_silos_and_a_client_with_certificates_of_their_own_from_one_ca_run_a_job_and_a_self_signed_client_is_refused()
    {
        var clusterId = NewClusterId();
        string[] trust = ["--tls-trust", "ca", "--tls-ca", certificates.Ca, "--tls-password-file", certificates.PasswordFile];
        await using var silo = SiloUnderTest.Start(["--cluster-id", clusterId, "--dashboard", "off", "--tls-certificate", certificates.IssuedSilo.Path, .. trust]);
        await silo.ReadyAsync();

        var results = await Task.WhenAll(
            CliProcess.RunAsync(["--cluster", silo.Gateway, "--cluster-id", clusterId, "--tls-certificate", certificates.IssuedClient.Path, .. trust, "primes", "count", "--to", "1e7", "--json"]),
            CliProcess.RunAsync(["--cluster", silo.Gateway, "--cluster-id", clusterId, "--tls-certificate", certificates.Trusted.Path, .. trust, "primes", "count", "--to", "1e7", "--json"]));

        Assert.Equal(Reference.Pi(To), results[0].Json().GetProperty("count").GetUInt64());
        Assert.Equal(CannotConnectExitCode, results[1].ExitCode);
        Assert.StartsWith($"{CliResult.ErrorPrefix}could not connect to the cluster at {silo.Gateway}", Assert.Single(results[1].StderrLines), StringComparison.Ordinal);
        await silo.LogLineAsync(Rejected);
    }

    /// <summary>
    /// <c>--tls-trust system</c> trusts what the machine trusts. The machine's trusted roots are set for each process
    /// through OpenSSL's <c>SSL_CERT_FILE</c> and <c>SSL_CERT_DIR</c>, which .NET reads on Linux: the silo and one client
    /// trust the test CA that issued their certificates; another client, with the machine's own roots, does not know
    /// that CA and cannot connect.
    /// </summary>
    [LinuxFact]
    public async Task With_system_trust_peers_whose_certificates_chain_to_the_machine_s_roots_run_a_job_and_others_are_refused()
    {
        var clusterId = NewClusterId();
        var noOtherRoots = Directory.CreateTempSubdirectory("grainpool-no-roots-").FullName;
        var caIsARoot = new Dictionary<string, string> { ["SSL_CERT_FILE"] = certificates.Ca, ["SSL_CERT_DIR"] = noOtherRoots };
        string[] trust = ["--tls-trust", "system", "--tls-password-file", certificates.PasswordFile];
        await using var silo = SiloUnderTest.Start(caIsARoot, ["--cluster-id", clusterId, "--dashboard", "off", "--tls-certificate", certificates.IssuedSilo.Path, .. trust]);
        await silo.ReadyAsync();
        string[] job = ["--cluster", silo.Gateway, "--cluster-id", clusterId, "--tls-certificate", certificates.IssuedClient.Path, .. trust, "primes", "count", "--to", "1e7", "--json"];

        var trusting = await CliProcess.RunAsync(caIsARoot, job);
        var stranger = await CliProcess.RunAsync(job);

        Assert.Equal(Reference.Pi(To), trusting.Json().GetProperty("count").GetUInt64());
        Assert.Equal(CannotConnectExitCode, stranger.ExitCode);
        Assert.StartsWith($"{CliResult.ErrorPrefix}could not connect to the cluster at {silo.Gateway}", Assert.Single(stranger.StderrLines), StringComparison.Ordinal);
        Directory.Delete(noOtherRoots);
    }

    [Fact]
    public async Task Unusable_tls_files_are_one_error_line_naming_the_option_and_the_file_with_exit_code_2()
    {
        var wrongPassword = WritePassword(certificates.Untrusted);
        (string[] Args, string Expected)[] cases =
        [
            (["--cluster", "127.0.0.1:30000", "--tls-certificate", certificates.Missing, "primes", "count", "--to", "10"],
                $"--tls-certificate: '{certificates.Missing}' does not exist"),
            (["--cluster", "127.0.0.1:30000", "--tls-certificate", certificates.NotAPfx, "primes", "count", "--to", "10"],
                $"--tls-certificate: '{certificates.NotAPfx}' is not a PFX (PKCS#12) file with a certificate and its private key"),
            (["--cluster", "127.0.0.1:30000", "--tls-certificate", certificates.Trusted.Path, "--tls-password-file", wrongPassword, "primes", "count", "--to", "10"],
                $"--tls-certificate: '{certificates.Trusted.Path}' cannot be opened with the password given (wrong or missing password)"),
            (["--cluster", "127.0.0.1:30000", "--tls-certificate", certificates.ServerOnly.Path, "--tls-password-file", certificates.PasswordFile, "primes", "count", "--to", "10"],
                $"--tls-certificate: '{certificates.ServerOnly.Path}' does not allow clientAuth in its Extended Key Usage; silos and clients need a certificate for both serverAuth and clientAuth"),
            (["--cluster", "127.0.0.1:30000", "--tls-certificate", certificates.Trusted.Path, "--tls-password-file", certificates.Missing, "primes", "count", "--to", "10"],
                $"--tls-password-file: '{certificates.Missing}' does not exist"),
            (["--silos", "1", "--tls-certificate", certificates.Trusted.Path, "primes", "count", "--to", "10"],
                $"--tls-certificate: '{certificates.Trusted.Path}' applies only with --cluster or --clustering redis"),
            (["--cluster", "127.0.0.1:30000", "--tls-trust", "ca", "primes", "count", "--to", "10"],
                "--tls-trust: 'ca' needs --tls-certificate FILE"),
            (["silo", "--tls-certificate", certificates.Missing],
                $"silo: invalid configuration: GrainPool:Silo:TlsCertificate (--tls-certificate) '{certificates.Missing}' does not exist."),
            (["silo", "--tls-certificate", certificates.NotAPfx],
                $"silo: invalid configuration: GrainPool:Silo:TlsCertificate (--tls-certificate) '{certificates.NotAPfx}' is not a PFX (PKCS#12) file with a certificate and its private key."),
            (["silo", "--tls-certificate", certificates.Trusted.Path, "--tls-password-file", wrongPassword],
                $"silo: invalid configuration: GrainPool:Silo:TlsCertificate (--tls-certificate) '{certificates.Trusted.Path}' cannot be opened with the password given (wrong or missing password)."),
            (["silo", "--tls-certificate", certificates.Trusted.Path, "--tls-password-file", certificates.PasswordFile, "--tls-trust", "ca"],
                "silo: invalid configuration: GrainPool:Silo:TlsTrust (--tls-trust) 'ca' needs GrainPool:Silo:TlsCaCertificate (--tls-ca), the CA certificate peers' certificates must chain to."),
        ];

        var results = await Task.WhenAll(cases.Select(c => CliProcess.RunAsync(c.Args)));
        for (var i = 0; i < cases.Length; i++)
        {
            Assert.StartsWith(CliResult.ErrorPrefix + cases[i].Expected, results[i].UsageError(), StringComparison.Ordinal);
        }
    }

    // A map sends each silo's item batches through that silo's own gateway, on one more client connection per silo
    // (SiloRoutes); on a TLS cluster those connections need the main client's certificate too, or every batch is
    // forwarded between the silos.
    [Fact]
    public async Task A_hosted_client_with_the_certificate_maps_on_a_tls_pair_through_each_silos_own_gateway()
    {
        var clusterId = NewClusterId();
        var password = new Dictionary<string, string> { ["GrainPool__Silo__TlsCertificatePassword"] = certificates.Trusted.Password };
        await using var primary = SiloUnderTest.Start(password, "--cluster-id", clusterId, "--dashboard", "off", "--tls-certificate", certificates.Trusted.Path);
        await using var secondary = SiloUnderTest.Start(
            password, "--cluster-id", clusterId, "--dashboard", "off", "--tls-certificate", certificates.Trusted.Path,
            "--primary-port", primary.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Task.WhenAll(primary.ReadyAsync(), secondary.ReadyAsync());
        await primary.WaitForClusterOfAsync(2);
        await secondary.WaitForClusterOfAsync(2);

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GrainPool:Gateways:0"] = primary.Gateway,
            ["GrainPool:Gateways:1"] = secondary.Gateway,
            ["GrainPool:ClusterId"] = clusterId,
            ["GrainPool:TlsCertificate"] = certificates.Trusted.Path,
            ["GrainPool:TlsCertificatePasswordFile"] = certificates.PasswordFile,
        });
        builder.AddGrainPoolClient();
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var client = host.Services.GetRequiredService<GrainPoolClient>();
            await client.ConnectRoutesAsync();
            long[] items = [.. Enumerable.Range(1, 1_000_000).Select(i => (long)i)];
            var forwardedBefore = await SiloToSiloRequestBytesAsync(primary, secondary);
            var map = await client.MapAsync(BuiltInKernels.IsPrimeTrial, items);
            var forwarded = await SiloToSiloRequestBytesAsync(primary, secondary) - forwardedBefore;

            Assert.Equal(Reference.Pi(1_000_000), (ulong)map.Results.Count(isPrime => isPrime));
            Assert.Equal(2, map.Stats.Silos);
            Assert.True(forwarded < 400_000, $"the silos forwarded {forwarded} bytes of requests to each other during an 8 MB map");
            Assert.DoesNotContain(primary.Log.Concat(secondary.Log), line => line.Contains("Authentication failed", StringComparison.Ordinal));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public void A_hosted_client_with_an_unusable_certificate_fails_naming_the_setting_and_the_file()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["GrainPool:TlsCertificate"] = certificates.Trusted.Path,
            ["GrainPool:TlsCertificatePassword"] = "not-the-password",
        });

        var error = Assert.Throws<OptionsValidationException>(() => builder.AddGrainPoolClient());
        Assert.Equal(
            $"GrainPool:TlsCertificate '{certificates.Trusted.Path}' cannot be opened with the password given (wrong or missing password).",
            Assert.Single(error.Failures));
    }

    // The request bytes the silos received from each other (Orleans' messaging meter), as ClusterModeTests reads them.
    private static async Task<double> SiloToSiloRequestBytesAsync(params SiloUnderTest[] silos)
    {
        using var http = new HttpClient();
        var total = 0.0;
        foreach (var silo in silos)
        {
            var text = await http.GetStringAsync(new Uri(silo.Http, "/metrics"));
            total += text.Split('\n')
                .Where(line => line.StartsWith("orleans_messaging_received_messages_size_bytes_sum{", StringComparison.Ordinal)
                    && line.Contains("ConnectionDirection=\"SiloToSilo\"", StringComparison.Ordinal)
                    && line.Contains("MessageDirection=\"Request\"", StringComparison.Ordinal))
                .Sum(line => double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
        }

        return total;
    }

    private static string NewClusterId() => "tls-test-" + Guid.NewGuid().ToString("N")[..8];

    private static string WritePassword(TestCertificate certificate)
    {
        var file = Path.Combine(Path.GetDirectoryName(certificate.Path)!, Path.GetFileNameWithoutExtension(certificate.Path) + ".password");
        File.WriteAllText(file, certificate.Password);
        return file;
    }
}
