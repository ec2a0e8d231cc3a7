using GrainPool.Silo;
using Microsoft.Extensions.Options;

// Content root = the folder of GrainPool.Silo.dll, so appsettings.json is found when a launcher starts the silo from
// another working directory (`dotnet path/to/GrainPool.Silo.dll ...`).
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
try
{
    builder.AddGrainPoolSilo(args);
}
catch (OptionsValidationException ex)
{
    await Console.Error.WriteLineAsync("grainpool-silo: cannot start with this configuration:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", ex.Failures));
    return 2;
}

var app = builder.Build();
app.MapGrainPoolSiloEndpoints();
var stopping = app.Lifetime.ApplicationStopping;
try
{
    await app.RunAsync();
    return 0;
}
catch (Exception ex) when (ex.GetBaseException() is OperationCanceledException && stopping.IsCancellationRequested)
{
    // Asked to stop (SIGTERM) while still joining: a clean stop, not a crash.
    return 0;
}
catch (Exception ex)
{
    // The host has already logged the exception with its stack trace; end with one line that says what failed.
    await Console.Error.WriteLineAsync("grainpool-silo: failed: " + ex.GetBaseException().Message);
    return 1;
}
