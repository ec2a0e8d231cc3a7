using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace GrainPool.Hosting;

/// <summary>
/// The Orleans Dashboard's credential (<see cref="GrainPoolSiloOptions.DashboardUser"/> and its password), compared in
/// constant time: both sides are hashed to the same length first, and the user and password are always both compared.
/// </summary>
internal sealed class DashboardCredential(string user, string password)
{
    private readonly byte[] _user = Hash(user);
    private readonly byte[] _password = Hash(password);

    /// <summary>Whether <paramref name="user"/> and <paramref name="password"/> are this credential.</summary>
    public bool Matches(string user, string password) =>
        CryptographicOperations.FixedTimeEquals(Hash(user), _user) & CryptographicOperations.FixedTimeEquals(Hash(password), _password);

    private static byte[] Hash(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text));
}

/// <summary>
/// HTTP Basic authentication (RFC 7617) for the Orleans Dashboard's endpoints: a request without credentials, with
/// malformed ones or with the wrong ones is answered 401 with <c>WWW-Authenticate: Basic</c>.
/// </summary>
internal sealed class DashboardAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    DashboardCredential credential) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The authentication scheme's name.</summary>
    public const string SchemeName = "GrainPoolDashboardBasic";

    private const string Realm = "GrainPool Orleans Dashboard";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header)
            || !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter ?? string.Empty));
        }
        catch (FormatException)
        {
            return Task.FromResult(AuthenticateResult.Fail("The Basic credentials are not base64."));
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0 || !credential.Matches(decoded[..colon], decoded[(colon + 1)..]))
        {
            return Task.FromResult(AuthenticateResult.Fail("Wrong dashboard user or password."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, decoded[..colon])], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"Basic realm=\"{Realm}\", charset=\"UTF-8\"";
        return Task.CompletedTask;
    }
}
