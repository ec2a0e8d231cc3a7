using System.Net;

namespace GrainPool.Observability.Tests;

/// <summary>
/// The Orleans Dashboard each silo serves at <c>/dashboard/</c>, opened in headless Chromium (Debian's chromium) as a
/// user's browser would: the page's scripts run and render the cluster from the dashboard's JSON endpoints.
/// </summary>
[Collection(StackCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Observability)]
public sealed class OrleansDashboardTests(StackFixture stack)
{
    [Fact]
    public async Task The_dashboard_page_in_chromium_shows_the_clusters_silos_and_the_worker_grain_type()
    {
        var page = new Uri(stack.Silos[0].Http, "dashboard/");
        var screenshot = Path.Combine(TestArtifacts.Path, "orleans-dashboard-silos.png");

        var silos = await HeadlessChromium.RenderAsync(new Uri(page, "#/silos"), screenshot);
        var grains = await HeadlessChromium.RenderAsync(new Uri(page, "#/grains"), null);

        Assert.Contains("Orleans Dashboard", silos, StringComparison.Ordinal);
        Assert.All(stack.Silos, s => Assert.Contains(s.Name, silos, StringComparison.Ordinal));
        Assert.Contains("ComputeWorkerGrain", grains, StringComparison.Ordinal);
        Assert.True(new FileInfo(screenshot).Length > 10_000, $"the screenshot {screenshot} is nearly empty");
    }

    [Fact]
    public async Task The_dashboard_is_served_on_loopback_and_redirects_its_bare_path()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var bare = await http.GetAsync(new Uri(stack.Silos[0].Http, "dashboard"));
        using var counters = await http.GetAsync(new Uri(stack.Silos[0].Http, "dashboard/DashboardCounters"));

        Assert.Equal(HttpStatusCode.MovedPermanently, bare.StatusCode);
        Assert.Equal(HttpStatusCode.OK, counters.StatusCode);
        var json = await counters.Content.ReadAsStringAsync();
        Assert.All(stack.Silos, s => Assert.Contains($"\"siloName\":\"{s.Name}\"", json, StringComparison.Ordinal));
    }
}
