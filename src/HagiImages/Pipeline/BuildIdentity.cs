using System.Diagnostics;
using System.Text.RegularExpressions;

namespace HagiImages.Pipeline;

/// <summary>
/// The version, git revision and source of a build, for image tags and OCI labels.
/// </summary>
public sealed partial record BuildIdentity(string Version, string Revision, string Source, DateTimeOffset Created)
{
    public const string DevelopmentVersion = "0.0.0-dev";

    /// <summary>
    /// Determines the identity: the version from <paramref name="requestedVersion"/>, else from a <c>vX.Y.Z</c> git
    /// tag on HEAD (or <c>GITHUB_REF_NAME</c>), else <see cref="DevelopmentVersion"/>; the revision from
    /// <c>git rev-parse HEAD</c> or <c>GITHUB_SHA</c>.
    /// </summary>
    /// <exception cref="PipelineException">The version is not SemVer, or no git revision can be found.</exception>
    public static async Task<BuildIdentity> DetectAsync(string repositoryRoot, string? requestedVersion, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var version = requestedVersion;
        var versionSource = "--version";
        if (version is null)
        {
            var tag = Environment.GetEnvironmentVariable("GITHUB_REF_TYPE") == "tag" ? Environment.GetEnvironmentVariable("GITHUB_REF_NAME") : null;
            tag ??= await GitAsync(repositoryRoot, ["describe", "--tags", "--exact-match", "HEAD"], cancellationToken).ConfigureAwait(false);
            version = tag is not null && ReleaseTag().IsMatch(tag) ? tag[1..] : DevelopmentVersion;
            versionSource = tag is not null && ReleaseTag().IsMatch(tag) ? $"git tag {tag}" : "the default";
        }

        if (!SemVer().IsMatch(version))
        {
            throw new PipelineException(
                $"Version '{version}' (from {versionSource}) is not a valid SemVer version. Pass --version X.Y.Z or X.Y.Z-prerelease, such as 1.2.0 or 1.3.0-rc.1.");
        }

        var revision = await GitAsync(repositoryRoot, ["rev-parse", "HEAD"], cancellationToken).ConfigureAwait(false)
            ?? Environment.GetEnvironmentVariable("GITHUB_SHA");
        if (revision is null || !GitRevision().IsMatch(revision))
        {
            throw new PipelineException(
                $"The git revision of '{repositoryRoot}' could not be read (found '{revision}'). Run the build in a git checkout with at least one commit, or set GITHUB_SHA.");
        }

        var source = Environment.GetEnvironmentVariable("GITHUB_REPOSITORY") is { Length: > 0 } repository
            ? $"{Environment.GetEnvironmentVariable("GITHUB_SERVER_URL") ?? "https://github.com"}/{repository}"
            : await GitAsync(repositoryRoot, ["remote", "get-url", "origin"], cancellationToken).ConfigureAwait(false) ?? "";
        source = StripCredentials(source);

        return new BuildIdentity(version, revision, source, time.GetUtcNow());
    }

    // A remote URL such as https://user:token@host/repo must not reach an image label.
    private static string StripCredentials(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString()
            : url;

    private static async Task<string?> GitAsync(string repositoryRoot, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = repositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var output = await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return process.ExitCode == 0 && output.Trim().Length > 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // git is not installed; callers fall back to CI variables.
            return null;
        }
    }

    [GeneratedRegex(@"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$")]
    private static partial Regex ReleaseTag();

    [GeneratedRegex(@"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$")]
    private static partial Regex SemVer();

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex GitRevision();
}
