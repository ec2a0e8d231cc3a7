using System.Net;
using System.Net.Http.Headers;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using GrainPool.Cli.Tests.Infrastructure;

namespace GrainPool.Cli.Tests;

/// <summary>
/// The Orleans Dashboard's credential (<c>--dashboard-user</c>, HTTP Basic) and the rule for a silo that listens beyond
/// loopback without one, on real <c>grainpool silo</c> processes.
/// </summary>
[Trait(TestCategory.Name, TestCategory.Processes)]
public sealed class DashboardCredentialTests
{
    private const string User = "operator";
    private const string Password = "correct horse battery staple";

    // What the silo logs at start when it listens beyond loopback and its dashboard has no credential.
    private const string NoCredentialWarning = "and the Orleans Dashboard has no credential: it answers local requests only";

    [Fact]
    public async Task With_a_credential_the_dashboard_answers_401_without_it_or_with_a_wrong_one_and_200_with_it()
    {
        await using var silo = SiloUnderTest.Start(
            new Dictionary<string, string> { ["GrainPool__Silo__DashboardPassword"] = Password },
            "--cluster-id", NewClusterId(), "--dashboard-user", User);
        await silo.ReadyAsync();
        using var http = new HttpClient();
        var dashboard = new Uri(silo.Http, "dashboard/");
        var counters = new Uri(silo.Http, "dashboard/DashboardCounters");

        foreach (var (uri, credential) in new (Uri, AuthenticationHeaderValue?)[]
        {
            (dashboard, null),
            (counters, null),
            (dashboard, Basic(User, "wrong password")),
            (dashboard, Basic("someone", Password)),
            (dashboard, Basic(User, Password + "x")),
            (counters, new AuthenticationHeaderValue("Basic", "not base64!")),
            (counters, new AuthenticationHeaderValue("Bearer", Password)),
        })
        {
            using var refused = await GetAsync(http, uri, credential);
            Assert.True(refused.StatusCode == HttpStatusCode.Unauthorized, $"{uri} with {credential?.ToString() ?? "no credential"}: {(int)refused.StatusCode}");
            var challenge = Assert.Single(refused.Headers.WwwAuthenticate);
            Assert.Equal("Basic", challenge.Scheme);
        }

        using var page = await GetAsync(http, dashboard, Basic(User, Password));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Orleans Dashboard", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var data = await GetAsync(http, counters, Basic(User, Password));
        Assert.Equal(HttpStatusCode.OK, data.StatusCode);

        // /healthz and /metrics need no credential, and only read.
        using var health = await GetAsync(http, new Uri(silo.Http, "/healthz"), null);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var metrics = await GetAsync(http, new Uri(silo.Http, "/metrics"), null);
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        using var post = await http.PostAsync(new Uri(silo.Http, "/healthz"), new StringContent(""));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
        using var delete = await http.DeleteAsync(new Uri(silo.Http, "/metrics"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);

        Assert.DoesNotContain(silo.Log, line => line.Contains(NoCredentialWarning, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_password_may_come_from_a_file()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("grainpool-dashboard-").FullName, "password");
        await File.WriteAllTextAsync(file, Password + "\n");
        try
        {
            await using var silo = SiloUnderTest.Start("--cluster-id", NewClusterId(), "--dashboard-user", User, "--dashboard-password-file", file);
            await silo.ReadyAsync();
            using var http = new HttpClient();
            using var wrong = await GetAsync(http, new Uri(silo.Http, "dashboard/"), Basic(User, Password + "\n"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
            using var right = await GetAsync(http, new Uri(silo.Http, "dashboard/"), Basic(User, Password));
            Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
        }
    }

    [Fact]
    public async Task A_silo_listening_beyond_loopback_without_a_credential_warns_and_its_dashboard_refuses_requests_from_other_hosts()
    {
        var outside = NonLoopbackAddress();

        // --dashboard any asks for remote access; without a credential the silo keeps the dashboard local anyway.
        await using var silo = SiloUnderTest.Start("--cluster-id", NewClusterId(), "--listen-address", "0.0.0.0", "--dashboard", "any");
        await silo.ReadyAsync();
        var warning = await silo.LogLineAsync(NoCredentialWarning);
        Assert.Contains("listens on 0.0.0.0", warning, StringComparison.Ordinal);

        using var http = new HttpClient();
        using var local = await GetAsync(http, new Uri(silo.Http, "dashboard/"), null);
        Assert.Equal(HttpStatusCode.OK, local.StatusCode);

        // From this machine's own non-loopback address the request arrives as from another host.
        var remote = new UriBuilder(silo.Http) { Host = outside.ToString() }.Uri;
        using var refused = await GetAsync(http, new Uri(remote, "dashboard/"), null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        using var health = await GetAsync(http, new Uri(remote, "/healthz"), null);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task A_silo_listening_beyond_loopback_with_a_credential_opens_its_dashboard_to_other_hosts_that_give_it()
    {
        var outside = NonLoopbackAddress();
        await using var silo = SiloUnderTest.Start(
            new Dictionary<string, string> { ["GrainPool__Silo__DashboardPassword"] = Password },
            "--cluster-id", NewClusterId(), "--listen-address", "0.0.0.0", "--dashboard", "any", "--dashboard-user", User);
        await silo.ReadyAsync();

        using var http = new HttpClient();
        var remote = new UriBuilder(silo.Http) { Host = outside.ToString() }.Uri;
        using var without = await GetAsync(http, new Uri(remote, "dashboard/"), null);
        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        using var with = await GetAsync(http, new Uri(remote, "dashboard/"), Basic(User, Password));
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
        Assert.DoesNotContain(silo.Log, line => line.Contains(NoCredentialWarning, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("silo: invalid configuration: GrainPool:Silo:DashboardUser (--dashboard-user) needs a password: the environment variable GrainPool__Silo__DashboardPassword, or GrainPool:Silo:DashboardPasswordFile (--dashboard-password-file).",
        "silo", "--dashboard-user", "operator")]
    [InlineData("silo: invalid configuration: GrainPool:Silo:DashboardUser (--dashboard-user) must be a non-empty name without ':' (got 'a:b').",
        "silo", "--dashboard-user", "a:b", "--GrainPool:Silo:DashboardPassword", "x")]
    [InlineData("silo: invalid configuration: GrainPool:Silo:DashboardPassword needs GrainPool:Silo:DashboardUser (--dashboard-user).",
        "silo", "--GrainPool:Silo:DashboardPassword", "x")]
    [InlineData("silo: invalid configuration: GrainPool:Silo:DashboardPasswordFile (--dashboard-password-file) '/nonexistent/grainpool-password' does not exist.",
        "silo", "--dashboard-user", "operator", "--dashboard-password-file", "/nonexistent/grainpool-password")]
    public async Task Bad_dashboard_credential_settings_are_one_error_line_with_exit_code_2(string expected, params string[] args)
    {
        var line = (await CliProcess.RunAsync(args)).UsageError();
        Assert.Equal(CliResult.ErrorPrefix + expected, line);
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));

    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, Uri uri, AuthenticationHeaderValue? credential)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = credential;
        return await http.SendAsync(request);
    }

    // An IPv4 address of this machine that is not loopback: a request to it comes from that address, as from another host.
    private static IPAddress NonLoopbackAddress()
    {
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        Assert.True(address is not null, "this machine has no non-loopback IPv4 address to send a request from another host's address");
        return address!;
    }

    private static string NewClusterId() => "dashboard-test-" + Guid.NewGuid().ToString("N")[..8];
}
