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
    /// <c>git rev-parse HEAD</c> or <c>GITHUB_SHA</c>; the creation time from <c>SOURCE_DATE_EPOCH</c>, the commit
    /// time of HEAD, or <paramref name="time"/> outside a git checkout.
    /// </summary>
    /// <exception cref="PipelineException">The version is not SemVer, no git revision can be found, or
    /// <c>SOURCE_DATE_EPOCH</c> is not a number.</exception>
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

        var created = await CreatedAsync(repositoryRoot, time, cancellationToken).ConfigureAwait(false);
        return new BuildIdentity(version, revision, source, created);
    }

    /// <summary>
    /// The creation time for labels: <c>SOURCE_DATE_EPOCH</c> when set, else the commit time of HEAD, else the clock.
    /// Building the same revision again then gives the same labels, so the engine's cache returns the same image and
    /// a repeated Publish finds its tags already in the registry.
    /// </summary>
    private static async Task<DateTimeOffset> CreatedAsync(string repositoryRoot, TimeProvider time, CancellationToken cancellationToken)
    {
        var epoch = Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH");
        if (epoch is { Length: > 0 })
        {
            if (!long.TryParse(epoch, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
            {
                throw new PipelineException($"SOURCE_DATE_EPOCH is '{epoch}', which is not a number of seconds since 1970. Unset it or give such a number.");
            }

            return DateTimeOffset.FromUnixTimeSeconds(seconds);
        }

        var commitTime = await GitAsync(repositoryRoot, ["show", "-s", "--format=%ct", "HEAD"], cancellationToken).ConfigureAwait(false);
        return long.TryParse(commitTime, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var commitSeconds)
            ? DateTimeOffset.FromUnixTimeSeconds(commitSeconds)
            : time.GetUtcNow();
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
