using HagiImages.Pipeline;
using Octokit;
using Serilog;

namespace HagiImages.Release;

/// <summary>
/// Commits the files a Bump changed to a branch of their own, pushes it to <c>origin</c>, and opens a pull request
/// for it, or updates the one already open for that branch. The working tree, the index and the checked-out branch
/// are left as they are: the commit is made from a temporary index.
/// </summary>
public sealed class BumpPullRequest
{
    private const string Remote = "origin";

    private readonly GitCli git;
    private readonly IGitHubClient? github;
    private readonly GitHubSettings? settings;
    private readonly ILogger logger;

    /// <param name="repositoryRoot">Root of the git checkout.</param>
    /// <param name="github">Client for the pull request, or null to only commit and push.</param>
    /// <param name="settings">Repository the pull request is opened in; required with <paramref name="github"/>.</param>
    /// <param name="logger">Receives one line per step.</param>
    public BumpPullRequest(string repositoryRoot, IGitHubClient? github, GitHubSettings? settings, ILogger logger)
    {
        if (github is not null && settings is null)
        {
            throw new ArgumentNullException(nameof(settings), "A GitHub client needs the repository settings.");
        }

        git = new GitCli(repositoryRoot);
        this.github = github;
        this.settings = settings;
        this.logger = logger;
    }

    /// <summary>
    /// Commits the changes under <see cref="BumpPullRequestRequest.Paths"/> on top of HEAD to
    /// <see cref="BumpPullRequestRequest.Branch"/>, pushes the branch with <c>--force</c> (it belongs to this tool),
    /// and opens or updates the pull request into the current branch. When the paths equal HEAD, nothing is committed
    /// or pushed. When there is no remote <c>origin</c>, the branch stays local and no pull request is opened.
    /// </summary>
    /// <exception cref="PipelineException">HEAD is detached or is the bump branch, git fails, or the GitHub API rejects a request.</exception>
    public async Task<BumpPullRequestResult> OpenOrUpdateAsync(BumpPullRequestRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateBranch(request.Branch);

        var baseBranch = await git.RunAsync(["rev-parse", "--abbrev-ref", "HEAD"], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (baseBranch == "HEAD")
        {
            throw new PipelineException("HEAD is detached, so the pull request has no base branch. Check out the branch it should target, such as 'git checkout main'.");
        }

        if (baseBranch == request.Branch)
        {
            throw new PipelineException($"The checked-out branch is '{request.Branch}', the branch the bump writes to. Check out the base branch, such as 'git checkout main'.");
        }

        var commit = await CommitAsync(request, cancellationToken).ConfigureAwait(false);
        if (commit is null)
        {
            logger.Information("Nothing changed under {Paths}; no commit, push or pull request", string.Join(", ", request.Paths));
            return new BumpPullRequestResult(false, null, false, null, null, false);
        }

        var remote = await git.TryRunAsync(["remote", "get-url", Remote], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (remote.ExitCode != 0)
        {
            logger.Warning("No remote {Remote}: branch {Branch} ({Commit}) was committed locally and not pushed, so no pull request was opened", Remote, request.Branch, commit[..12]);
            return new BumpPullRequestResult(true, commit, false, null, null, false);
        }

        await git.RunAsync(["push", "--force", "--quiet", Remote, $"refs/heads/{request.Branch}:refs/heads/{request.Branch}"], cancellationToken: cancellationToken).ConfigureAwait(false);
        logger.Information("Pushed branch {Branch} ({Commit}) to {Remote}", request.Branch, commit[..12], Remote);

        if (github is null)
        {
            logger.Warning("No GitHub client: pull request for branch {Branch} was not opened", request.Branch);
            return new BumpPullRequestResult(true, commit, true, null, null, false);
        }

        var (pullRequest, created) = await OpenOrUpdatePullRequestAsync(request, baseBranch, cancellationToken).ConfigureAwait(false);
        return new BumpPullRequestResult(true, commit, true, pullRequest.Number, pullRequest.HtmlUrl, created);
    }

    /// <summary>Writes a commit of the paths on top of HEAD to the branch, or returns null when they equal HEAD.</summary>
    private async Task<string?> CommitAsync(BumpPullRequestRequest request, CancellationToken cancellationToken)
    {
        var indexPath = Path.Combine(Path.GetTempPath(), $"hagi-bump-index-{Guid.NewGuid():N}");
        var environment = new Dictionary<string, string>(await CommitIdentityAsync(cancellationToken).ConfigureAwait(false)) { ["GIT_INDEX_FILE"] = indexPath };
        try
        {
            await git.RunAsync(["read-tree", "HEAD"], environment, cancellationToken).ConfigureAwait(false);
            await git.RunAsync(["add", "--all", "--", .. request.Paths], environment, cancellationToken).ConfigureAwait(false);
            var tree = await git.RunAsync(["write-tree"], environment, cancellationToken).ConfigureAwait(false);
            var headTree = await git.RunAsync(["rev-parse", "HEAD^{tree}"], environment, cancellationToken).ConfigureAwait(false);
            if (tree == headTree)
            {
                return null;
            }

            var message = $"{request.Title}\n\n{request.Body}";
            var commit = await git.RunAsync(["commit-tree", tree, "-p", "HEAD", "-m", message], environment, cancellationToken).ConfigureAwait(false);
            await git.RunAsync(["update-ref", $"refs/heads/{request.Branch}", commit], environment, cancellationToken).ConfigureAwait(false);
            logger.Information("Committed {Paths} as {Commit} on branch {Branch}", string.Join(", ", request.Paths), commit[..12], request.Branch);
            return commit;
        }
        finally
        {
            File.Delete(indexPath);
        }
    }

    /// <summary>
    /// Returns author and committer variables when git has no <c>user.name</c> or <c>user.email</c>, as on a fresh
    /// CI runner; a configured identity is kept.
    /// </summary>
    private async Task<IReadOnlyDictionary<string, string>> CommitIdentityAsync(CancellationToken cancellationToken)
    {
        var name = await git.TryRunAsync(["config", "user.name"], cancellationToken: cancellationToken).ConfigureAwait(false);
        var email = await git.TryRunAsync(["config", "user.email"], cancellationToken: cancellationToken).ConfigureAwait(false);
        var identity = new Dictionary<string, string>();
        if (name.ExitCode != 0 || name.Output.Length == 0)
        {
            identity["GIT_AUTHOR_NAME"] = identity["GIT_COMMITTER_NAME"] = "HagiImages";
        }

        if (email.ExitCode != 0 || email.Output.Length == 0)
        {
            identity["GIT_AUTHOR_EMAIL"] = identity["GIT_COMMITTER_EMAIL"] = "hagiimages@users.noreply.github.com";
        }

        return identity;
    }

    private async Task<(PullRequest PullRequest, bool Created)> OpenOrUpdatePullRequestAsync(BumpPullRequestRequest request, string baseBranch, CancellationToken cancellationToken)
    {
        var owner = settings!.Owner;
        var name = settings.Name;
        var open = await CallAsync(
            $"list open pull requests of branch {request.Branch}",
            () => github!.PullRequest.GetAllForRepository(owner, name, new PullRequestRequest { State = ItemStateFilter.Open, Head = $"{owner}:{request.Branch}" }),
            cancellationToken).ConfigureAwait(false);

        if (open.FirstOrDefault() is { } existing)
        {
            var updated = await CallAsync(
                $"update pull request #{existing.Number}",
                () => github!.PullRequest.Update(owner, name, existing.Number, new PullRequestUpdate { Title = request.Title, Body = request.Body }),
                cancellationToken).ConfigureAwait(false);
            logger.Information("Updated pull request #{Number} for branch {Branch}: {Url}", updated.Number, request.Branch, updated.HtmlUrl);
            return (updated, false);
        }

        var created = await CallAsync(
            $"open a pull request from {request.Branch} into {baseBranch}",
            () => github!.PullRequest.Create(owner, name, new NewPullRequest(request.Title, request.Branch, baseBranch) { Body = request.Body }),
            cancellationToken).ConfigureAwait(false);
        logger.Information("Opened pull request #{Number} from {Branch} into {BaseBranch}: {Url}", created.Number, request.Branch, baseBranch, created.HtmlUrl);
        return (created, true);
    }

    private async Task<T> CallAsync<T>(string action, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException exception)
        {
            throw GitHubErrors.Describe(action, settings!, exception);
        }
        catch (HttpRequestException exception)
        {
            throw new PipelineException($"GitHub API request to {action} in {settings} failed: {exception.Message}", exception);
        }
    }

    private static void ValidateBranch(string branch)
    {
        var valid = branch.Length > 0
            && branch.All(character => char.IsAsciiLetterOrDigit(character) || character is '-' or '_' or '.' or '/')
            && !branch.StartsWith('/') && !branch.EndsWith('/') && !branch.Contains("..", StringComparison.Ordinal)
            && !branch.Contains("//", StringComparison.Ordinal) && !branch.EndsWith(".lock", StringComparison.Ordinal);
        if (!valid)
        {
            throw new PipelineException($"Branch name '{branch}' is invalid. Use letters, digits, '-', '_', '.' and single '/' separators, such as 'hagi/bump-ai-cli'.");
        }
    }
}
