using HagiImages.Pipeline;
using HagiImages.Tests.Manifest;
using HagiImages.Tests.Render;

namespace HagiImages.Tests.Pipeline;

public sealed class BuildIdentityTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 8, 30, 0, TimeSpan.Zero);

    // On GitHub Actions these variables win over the git checkout, so the tests that read the checkout stop early.
    private static readonly bool SourceFromEnvironment = Environment.GetEnvironmentVariable("GITHUB_REPOSITORY") is { Length: > 0 };

    private static readonly bool TagFromEnvironment = Environment.GetEnvironmentVariable("GITHUB_REF_TYPE") == "tag";

    [Fact]
    public async Task DetectAsync_ExplicitVersion_Used()
    {
        var identity = await BuildIdentity.DetectAsync(RepositoryLayout.Root, "1.3.0-rc.1", new FixedTime(Now));

        Assert.Equal("1.3.0-rc.1", identity.Version);
    }

    [Fact]
    public async Task DetectAsync_Checkout_CreatedIsCommitTime()
    {
        if (Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH") is { Length: > 0 })
        {
            return;
        }

        var seconds = long.Parse((await GitAsync(RepositoryLayout.Root, "show", "-s", "--format=%ct", "HEAD")).Trim(), System.Globalization.CultureInfo.InvariantCulture);

        var identity = await BuildIdentity.DetectAsync(RepositoryLayout.Root, "1.0.0", new FixedTime(Now));

        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(seconds), identity.Created);
    }

    [Fact]
    public async Task DetectAsync_NoCheckout_CreatedIsClock()
    {
        if (Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH") is { Length: > 0 })
        {
            return;
        }

        var folder = Directory.CreateTempSubdirectory("hagi-test-no-git-");
        var previous = Environment.GetEnvironmentVariable("GITHUB_SHA");
        try
        {
            Environment.SetEnvironmentVariable("GITHUB_SHA", new string('a', 40));
            var identity = await BuildIdentity.DetectAsync(folder.FullName, "1.0.0", new FixedTime(Now));

            Assert.Equal(Now, identity.Created);
        }
        finally
        {
            Environment.SetEnvironmentVariable("GITHUB_SHA", previous);
            folder.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("1.2")]
    [InlineData("v1.2.0")]
    [InlineData("1.2.0+build.5")]
    [InlineData("01.2.0")]
    [InlineData("")]
    public async Task DetectAsync_InvalidVersion_NamesValueAndFix(string version)
    {
        var exception = await Assert.ThrowsAsync<PipelineException>(() => BuildIdentity.DetectAsync(RepositoryLayout.Root, version, new FixedTime(Now)));

        Assert.Contains($"Version '{version}' (from --version) is not a valid SemVer version", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Pass --version X.Y.Z", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DetectAsync_Checkout_RevisionFromGit()
    {
        var expected = (await GitAsync(RepositoryLayout.Root, "rev-parse", "HEAD")).Trim();

        var identity = await BuildIdentity.DetectAsync(RepositoryLayout.Root, "1.0.0", new FixedTime(Now));

        Assert.Matches("^[0-9a-f]{40}$", expected);
        Assert.Equal(expected, identity.Revision);
    }

    [Fact]
    public async Task DetectAsync_RemoteWithCredentials_Stripped()
    {
        if (SourceFromEnvironment)
        {
            return;
        }

        using var repository = await CreateRepositoryAsync();
        await GitAsync(repository.Path, "remote", "add", "origin", "https://builder:s3cr3t@git.example.com/org/repo.git");

        var identity = await BuildIdentity.DetectAsync(repository.Path, "1.0.0", new FixedTime(Now));

        Assert.Equal("https://git.example.com/org/repo.git", identity.Source);
    }

    [Fact]
    public async Task DetectAsync_ScpLikeRemote_Kept()
    {
        if (SourceFromEnvironment)
        {
            return;
        }

        using var repository = await CreateRepositoryAsync();
        await GitAsync(repository.Path, "remote", "add", "origin", "git@git.example.com:org/repo.git");

        var identity = await BuildIdentity.DetectAsync(repository.Path, "1.0.0", new FixedTime(Now));

        Assert.Equal("git@git.example.com:org/repo.git", identity.Source);
    }

    [Fact]
    public async Task DetectAsync_NoRemote_EmptySource()
    {
        if (SourceFromEnvironment)
        {
            return;
        }

        using var repository = await CreateRepositoryAsync();

        var identity = await BuildIdentity.DetectAsync(repository.Path, "1.0.0", new FixedTime(Now));

        Assert.Equal("", identity.Source);
    }

    [Fact]
    public async Task DetectAsync_ReleaseTagOnHead_Version()
    {
        if (TagFromEnvironment)
        {
            return;
        }

        using var repository = await CreateRepositoryAsync();
        await GitAsync(repository.Path, "tag", "v2.3.4");

        var identity = await BuildIdentity.DetectAsync(repository.Path, null, new FixedTime(Now));

        Assert.Equal("2.3.4", identity.Version);
    }

    [Fact]
    public async Task DetectAsync_OtherTagOnHead_DevelopmentVersion()
    {
        if (TagFromEnvironment)
        {
            return;
        }

        using var repository = await CreateRepositoryAsync();
        await GitAsync(repository.Path, "tag", "nightly");

        var identity = await BuildIdentity.DetectAsync(repository.Path, null, new FixedTime(Now));

        Assert.Equal(BuildIdentity.DevelopmentVersion, identity.Version);
    }

    [Fact]
    public async Task DetectAsync_NoGitCheckout_Rejected()
    {
        if (Environment.GetEnvironmentVariable("GITHUB_SHA") is not null)
        {
            return;
        }

        using var folder = new TemporaryDirectory();

        var exception = await Assert.ThrowsAsync<PipelineException>(() => BuildIdentity.DetectAsync(folder.Path, "1.0.0", new FixedTime(Now)));

        Assert.Contains($"The git revision of '{folder.Path}' could not be read", exception.Message, StringComparison.Ordinal);
        Assert.Contains("set GITHUB_SHA", exception.Message, StringComparison.Ordinal);
    }

    private static async Task<TemporaryDirectory> CreateRepositoryAsync()
    {
        var repository = new TemporaryDirectory();
        await GitAsync(repository.Path, "init", "--quiet");
        await File.WriteAllTextAsync(Path.Combine(repository.Path, "README"), "test\n");
        await GitAsync(repository.Path, "add", "README");
        await GitAsync(repository.Path, "-c", "user.name=HagiImages Test", "-c", "user.email=test@example.com", "commit", "--quiet", "--message", "first");
        return repository;
    }

    private static async Task<string> GitAsync(string directory, params string[] arguments)
    {
        var (exitCode, output) = await ShellProcess.RunAsync("git", ["-C", directory, .. arguments]);
        Assert.True(exitCode == 0, $"git {string.Join(' ', arguments)} failed: {output}");
        return output;
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
