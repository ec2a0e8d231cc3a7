namespace GrainPool.Load;

/// <summary>What one step of one iteration returned: ok or failed, with an optional status code and size.</summary>
/// <param name="IsOk">Whether the step succeeded.</param>
/// <param name="StatusCode">The step's own status code, if it has one (an HTTP status, a kernel's result code).</param>
/// <param name="SizeBytes">The size of what the step sent and received, summed in the statistics.</param>
/// <param name="Message">Why the step failed; empty when it succeeded.</param>
public sealed record Response(bool IsOk, string? StatusCode, long SizeBytes, string Message)
{
    /// <summary>A successful step.</summary>
    public static Response Ok(string? statusCode = null, long sizeBytes = 0) => new(true, statusCode, sizeBytes, "");

    /// <summary>A failed step; the iteration's later steps do not run.</summary>
    public static Response Fail(string? statusCode = null, string message = "", long sizeBytes = 0) =>
        new(false, statusCode, sizeBytes, message);
}
