using System.Diagnostics;

namespace GrainPool.Observability.Tests;

/// <summary>Debian's chromium, headless, as a user's browser: renders a page (its scripts run) to a DOM or a screenshot.</summary>
internal static class HeadlessChromium
{
    /// <summary>
    /// The DOM of <paramref name="url"/> after its scripts ran (Chromium's virtual time lets polling pages render), and a
    /// screenshot of it at <paramref name="screenshot"/> when given.
    /// </summary>
    public static async Task<string> RenderAsync(Uri url, string? screenshot, string windowSize = "1400,1000")
    {
        var chromium = StackFixture.Require("chromium", "chromium");
        var profile = Directory.CreateTempSubdirectory("grainpool-chromium-");
        try
        {
            var start = new ProcessStartInfo(chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            string[] flags =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile.FullName, "--window-size=" + windowSize,
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
