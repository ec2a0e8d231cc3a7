using System.Diagnostics;
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
        var chromium = StackFixture.Require("chromium", "chromium");
        var page = new Uri(stack.Silos[0].Http, "dashboard/");
        var screenshot = Path.Combine(Path.GetTempPath(), $"grainpool-orleans-dashboard-{stack.ClusterId}.png");

        var silos = await RenderAsync(chromium, new Uri(page, "#/silos"), screenshot);
        var grains = await RenderAsync(chromium, new Uri(page, "#/grains"), null);

        Assert.Contains("Orleans Dashboard", silos, StringComparison.Ordinal);
        Assert.All(stack.Silos, s => Assert.Contains(s.Name, silos, StringComparison.Ordinal));
        Assert.Contains("ComputeWorkerGrain", grains, StringComparison.Ordinal);
        Assert.True(new FileInfo(screenshot).Length > 10_000, $"the screenshot {screenshot} is nearly empty");
        File.Delete(screenshot);
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

    // The DOM after the page's scripts ran (Chromium's virtual time lets the polling render), and optionally a screenshot.
    private static async Task<string> RenderAsync(string chromium, Uri url, string? screenshot)
    {
        var profile = Directory.CreateTempSubdirectory("grainpool-chromium-");
        try
        {
            var start = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            string[] flags =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile.FullName, "--window-size=1400,1000",
                "--virtual-time-budget=8000", "--run-all-compositor-stages-before-draw",
            ];
            foreach (var flag in flags)
            {
                start.ArgumentList.Add(flag);
            }

            start.ArgumentList.Add(screenshot is null ? "--dump-dom" : "--screenshot=" + screenshot);
            start.ArgumentList.Add(url.ToString());
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await WaitOrKillAsync(process);
            Assert.True(process.ExitCode == 0, $"chromium exited {process.ExitCode}: {await stderr}");
            if (screenshot is null)
            {
                return await stdout;
            }

            // A screenshot run prints no DOM; render again for the text.
            start.ArgumentList[^2] = "--dump-dom";
            using var again = Process.Start(start)!;
            var dom = again.StandardOutput.ReadToEndAsync();
            _ = again.StandardError.ReadToEndAsync();
            await WaitOrKillAsync(again);
            return await dom;
        }
        finally
        {
            try
            {
                profile.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A profile Chromium still writes to at exit; the temp folder is harmless.
            }
        }
    }

    private static async Task WaitOrKillAsync(Process process)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not finish within 90 s: {process.StartInfo.ArgumentList[^1]}");
        }
    }
}
