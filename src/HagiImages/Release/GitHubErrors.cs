using HagiImages.Pipeline;
using Octokit;

namespace HagiImages.Release;

/// <summary>Turns Octokit's API errors into messages that name the action, the repository, the status and a fix.</summary>
internal static class GitHubErrors
{
    public static PipelineException Describe(string action, GitHubSettings settings, ApiException exception)
    {
        var status = (int)exception.StatusCode;
        var details = exception.ApiError?.Errors is { Count: > 0 } errors
            ? $" ({string.Join("; ", errors.Select(error => error.Message ?? $"{error.Field} {error.Code}"))})"
            : "";
        var hint = status switch
        {
            401 => " Check that GITHUB_TOKEN is valid.",
            403 => " Check that GITHUB_TOKEN may write contents and pull requests in this repository.",
            404 => " Check --github-repository or GITHUB_REPOSITORY, and that the token can see the repository.",
            _ => "",
        };
        return new PipelineException($"GitHub API failed to {action} in {settings}: {status} {exception.Message}{details}.{hint}", exception);
    }
}
