using HagiImages.Pipeline;
using Octokit;

namespace HagiImages.Release;

/// <summary>
/// The GitHub repository, API base URL and token that the Release target and <c>Bump --pull-request</c> use.
/// <see cref="ToString"/> never shows the token.
/// </summary>
public sealed class GitHubSettings
{
    /// <summary>API base URL of github.com.</summary>
    public const string DefaultApiUrl = "https://api.github.com";

    private readonly string token;

    private GitHubSettings(string owner, string name, Uri apiUrl, string token)
    {
        Owner = owner;
        Name = name;
        ApiUrl = apiUrl;
        this.token = token;
    }

    /// <summary>Owner of the repository, a user or an organization.</summary>
    public string Owner { get; }

    /// <summary>Repository name without the owner.</summary>
    public string Name { get; }

    /// <summary>
    /// API base URL. For any host but <c>api.github.com</c>, Octokit 14 sends requests below <c>/api/v3/</c> of it,
    /// as GitHub Enterprise Server expects.
    /// </summary>
    public Uri ApiUrl { get; }

    /// <summary>
    /// Reads the settings: the repository from <paramref name="repositoryOption"/> (<c>--github-repository</c>) or
    /// <c>GITHUB_REPOSITORY</c>, the API URL from <paramref name="apiUrlOption"/> (<c>--github-api-url</c>) or
    /// <c>GITHUB_API_URL</c> or <see cref="DefaultApiUrl"/>, and the token from <c>GITHUB_TOKEN</c>.
    /// <paramref name="environment"/> reads an environment variable.
    /// </summary>
    /// <exception cref="PipelineException">The token or the repository is missing, or a value is malformed.</exception>
    public static GitHubSettings Resolve(string? repositoryOption, string? apiUrlOption, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);

        var token = environment("GITHUB_TOKEN");
        if (string.IsNullOrWhiteSpace(token))
        {
            throw new PipelineException(
                "GITHUB_TOKEN is not set. Set it to a token that may write releases and pull requests (in a workflow: 'GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}').");
        }

        var (repository, repositorySource) = repositoryOption is not null
            ? (repositoryOption, "--github-repository")
            : (environment("GITHUB_REPOSITORY"), "GITHUB_REPOSITORY");
        if (string.IsNullOrWhiteSpace(repository))
        {
            throw new PipelineException("No GitHub repository is given. Pass --github-repository OWNER/NAME or set GITHUB_REPOSITORY.");
        }

        var parts = repository.Split('/');
        if (parts.Length != 2 || parts.Any(part => part.Length == 0 || !part.All(character => char.IsAsciiLetterOrDigit(character) || character is '-' or '_' or '.')))
        {
            throw new PipelineException($"GitHub repository '{repository}' (from {repositorySource}) is invalid. Expected OWNER/NAME, such as 'hagicode/hagiimages'.");
        }

        var (apiUrl, apiUrlSource) = apiUrlOption is not null
            ? (apiUrlOption, "--github-api-url")
            : environment("GITHUB_API_URL") is { Length: > 0 } fromEnvironment ? (fromEnvironment, "GITHUB_API_URL") : (DefaultApiUrl, "the default");
        if (!Uri.TryCreate(apiUrl, UriKind.Absolute, out var apiUri) || (apiUri.Scheme != Uri.UriSchemeHttps && apiUri.Scheme != Uri.UriSchemeHttp))
        {
            throw new PipelineException($"GitHub API URL '{apiUrl}' (from {apiUrlSource}) is not an absolute http(s) URL, such as '{DefaultApiUrl}'.");
        }

        if (apiUri.Scheme == Uri.UriSchemeHttp && !apiUri.IsLoopback)
        {
            throw new PipelineException($"GitHub API URL '{apiUrl}' (from {apiUrlSource}) uses plain HTTP; the token is only sent over HTTPS or to a loopback address.");
        }

        return new GitHubSettings(parts[0], parts[1], apiUri, token);
    }

    /// <summary>Creates an Octokit client for <see cref="ApiUrl"/> that authenticates with the token.</summary>
    public IGitHubClient CreateClient() =>
        new GitHubClient(new ProductHeaderValue("HagiImages"), ApiUrl) { Credentials = new Credentials(token) };

    public override string ToString() => $"{Owner}/{Name} at {ApiUrl}";
}
