using HagiImages.Pipeline;
using HagiImages.Publish;
using Octokit;
using Semver;
using Serilog;

namespace HagiImages.Release;

/// <summary>
/// Creates the GitHub release <c>v&lt;version&gt;</c> of a publish run, or updates it when it exists, so running the
/// Release target twice never makes a second release.
/// </summary>
public sealed class GitHubReleasePublisher
{
    private readonly IGitHubClient github;
    private readonly GitHubSettings settings;
    private readonly ILogger logger;

    public GitHubReleasePublisher(IGitHubClient github, GitHubSettings settings, ILogger logger)
    {
        this.github = github;
        this.settings = settings;
        this.logger = logger;
    }

    /// <summary>
    /// Writes the release of <paramref name="record"/>: image references with digests, CLI versions, and the CLI
    /// changes since the highest earlier release (for a release version, the highest earlier release version).
    /// </summary>
    /// <returns>The created or updated release.</returns>
    /// <exception cref="PipelineException">The version is not SemVer, or the GitHub API rejects a request; the message
    /// names the repository and the status.</exception>
    public async Task<Octokit.Release> CreateOrUpdateAsync(PublishRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!SemVersion.TryParse(record.Version, SemVersionStyles.Strict, out var version))
        {
            throw new PipelineException($"Version '{record.Version}' in the publish result is not SemVer. Run Publish again with --version X.Y.Z.");
        }

        var tag = $"v{record.Version}";
        var releases = await CallAsync("list releases", () => github.Repository.Release.GetAll(settings.Owner, settings.Name), cancellationToken).ConfigureAwait(false);
        var existing = releases.FirstOrDefault(release => release.TagName == tag && !release.Draft);
        var previous = FindPrevious(releases, version);
        var body = ReleaseNotes.Format(record, previous?.TagName, previous is null ? null : ReleaseNotes.ParseCliTable(previous.Body));

        if (existing is null)
        {
            var created = await CallAsync(
                $"create release {tag}",
                () => github.Repository.Release.Create(settings.Owner, settings.Name, new NewRelease(tag)
                {
                    Name = tag,
                    Body = body,
                    Prerelease = version.IsPrerelease,
                    TargetCommitish = record.Revision,
                }),
                cancellationToken).ConfigureAwait(false);
            logger.Information("Created release {Tag} in {Repository}: {Url}", tag, $"{settings.Owner}/{settings.Name}", created.HtmlUrl);
            return created;
        }

        var updated = await CallAsync(
            $"update release {tag}",
            () => github.Repository.Release.Edit(settings.Owner, settings.Name, existing.Id, new ReleaseUpdate { Name = tag, Body = body, Prerelease = version.IsPrerelease }),
            cancellationToken).ConfigureAwait(false);
        logger.Information("Updated release {Tag} ({ReleaseId}) in {Repository}: {Url}", tag, existing.Id, $"{settings.Owner}/{settings.Name}", updated.HtmlUrl);
        return updated;
    }

    private static Octokit.Release? FindPrevious(IReadOnlyList<Octokit.Release> releases, SemVersion version)
    {
        Octokit.Release? best = null;
        SemVersion? bestVersion = null;
        foreach (var release in releases.Where(release => !release.Draft && release.TagName.StartsWith('v')))
        {
            if (!SemVersion.TryParse(release.TagName[1..], SemVersionStyles.Strict, out var other)
                || other.ComparePrecedenceTo(version) >= 0
                || (!version.IsPrerelease && other.IsPrerelease))
            {
                continue;
            }

            if (bestVersion is null || other.ComparePrecedenceTo(bestVersion) > 0)
            {
                best = release;
                bestVersion = other;
            }
        }

        return best;
    }

    private async Task<T> CallAsync<T>(string action, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException exception)
        {
            throw GitHubErrors.Describe(action, settings, exception);
        }
        catch (HttpRequestException exception)
        {
            throw new PipelineException($"GitHub API request to {action} in {settings} failed: {exception.Message}", exception);
        }
    }
}
