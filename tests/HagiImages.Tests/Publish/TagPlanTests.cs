using HagiImages.Pipeline;
using HagiImages.Publish;

namespace HagiImages.Tests.Publish;

public sealed class TagPlanTests
{
    [Fact]
    public void Create_OneRegistry_ImmutableThenFloating()
    {
        var plan = TagPlan.Create("hagicode/ai-cli", "1.0.0", "1a2b3c4", ["127.0.0.1:5000/hagicode"]);

        Assert.Equal(["1.0.0", "sha-1a2b3c4", "1.0", "1", "latest"], plan.Targets.Select(target => target.Tag));
        Assert.Equal([TagKind.Immutable, TagKind.Immutable, TagKind.Minor, TagKind.Major, TagKind.Latest], plan.Targets.Select(target => target.Kind));
        Assert.Equal("127.0.0.1:5000/hagicode/ai-cli:1.0.0", plan.Targets[0].Reference);
        Assert.True(plan.IsPush);
        Assert.Equal("ai-cli", plan.ImageName);
    }

    [Fact]
    public void Create_TwoRegistriesPrerelease_RegistryByRegistry()
    {
        var plan = TagPlan.Create("hagicode/ai-cli", "1.0.0-rc.1", "1a2b3c4", ["ghcr.io/hagicode", "registry.example.com:8443/org/team"]);

        Assert.Equal(
            [
                "ghcr.io/hagicode/ai-cli:1.0.0-rc.1",
                "ghcr.io/hagicode/ai-cli:sha-1a2b3c4",
                "registry.example.com:8443/org/team/ai-cli:1.0.0-rc.1",
                "registry.example.com:8443/org/team/ai-cli:sha-1a2b3c4",
            ],
            plan.Targets.Select(target => target.Reference));
    }

    [Fact]
    public void Create_TwoRegistries_AllImmutableBeforeFloating()
    {
        var plan = TagPlan.Create("hagicode/ai-cli", "2.3.4", "1a2b3c4", ["ghcr.io/hagicode", "127.0.0.1:5000/hagicode"], "claude-code-2.1.32");

        Assert.Equal(
            [
                "ghcr.io/hagicode/ai-cli:2.3.4",
                "ghcr.io/hagicode/ai-cli:sha-1a2b3c4",
                "ghcr.io/hagicode/ai-cli:claude-code-2.1.32",
                "127.0.0.1:5000/hagicode/ai-cli:2.3.4",
                "127.0.0.1:5000/hagicode/ai-cli:sha-1a2b3c4",
                "127.0.0.1:5000/hagicode/ai-cli:claude-code-2.1.32",
                "ghcr.io/hagicode/ai-cli:2.3",
                "127.0.0.1:5000/hagicode/ai-cli:2.3",
                "ghcr.io/hagicode/ai-cli:2",
                "127.0.0.1:5000/hagicode/ai-cli:2",
                "ghcr.io/hagicode/ai-cli:latest",
                "127.0.0.1:5000/hagicode/ai-cli:latest",
            ],
            plan.Targets.Select(target => target.Reference));
    }

    [Fact]
    public void Create_MajorZero_NoMajorTag()
    {
        var plan = TagPlan.Create("hagicode/ai-cli", "0.4.1", "1a2b3c4", ["ghcr.io/hagicode"]);

        Assert.Equal(["0.4.1", "sha-1a2b3c4", "0.4", "latest"], plan.Targets.Select(target => target.Tag));
    }

    [Fact]
    public void Create_Prerelease_OnlyFullAndRevision()
    {
        var plan = TagPlan.Create("hagicode/ai-cli", "1.3.0-rc.1", "1a2b3c4", ["ghcr.io/hagicode"], "codex-0.5.0");

        Assert.Equal(["1.3.0-rc.1", "sha-1a2b3c4", "codex-0.5.0"], plan.Targets.Select(target => target.Tag));
        Assert.All(plan.Targets, target => Assert.Equal(TagKind.Immutable, target.Kind));
    }

    [Fact]
    public void Create_ExportWithCliTag_TwoTags()
    {
        var plan = TagPlan.Create("hagicode/ai-cli", "1.0.0", "1a2b3c4", [], "claude-code-2.1.32");

        Assert.Equal(["hagicode/ai-cli:1.0.0", "hagicode/ai-cli:sha-1a2b3c4"], plan.Targets.Select(target => target.Reference));
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("01.0.0")]
    [InlineData("v1.0.0")]
    public void Create_NotSemVer_Rejected(string version)
    {
        var exception = Assert.Throws<PipelineException>(() => TagPlan.Create("hagicode/ai-cli", version, "1a2b3c4", []));

        Assert.Contains($"'{version}'", exception.Message);
        Assert.Contains("SemVer", exception.Message);
    }

    [Theory]
    [InlineData("latest")]
    [InlineData("1.0.0")]
    [InlineData("cli tag")]
    public void Create_InvalidCliTag_Rejected(string cliTag)
    {
        var exception = Assert.Throws<PipelineException>(() => TagPlan.Create("hagicode/ai-cli", "1.0.0", "1a2b3c4", ["ghcr.io/hagicode"], cliTag));

        Assert.Contains($"'{cliTag}'", exception.Message);
    }

    [Fact]
    public void CliTag_IdAndVersion_Joined()
    {
        Assert.Equal("claude-code-2.1.32", TagPlan.CliTag("claude-code", "2.1.32"));
    }

    [Fact]
    public void CliTag_BuildMetadata_Rejected()
    {
        var exception = Assert.Throws<PipelineException>(() => TagPlan.CliTag("codex", "0.5.0+linux"));

        Assert.Contains("'codex-0.5.0+linux'", exception.Message);
    }

    [Theory]
    [InlineData(TagKind.Latest, new[] { "1.0.0", "0.9.0" }, true)]
    [InlineData(TagKind.Latest, new[] { "1.0.0", "1.2.0" }, false)]
    [InlineData(TagKind.Latest, new[] { "2.0.0-rc.1", "latest", "sha-1a2b3c4", "claude-code-9.9.9" }, true)]
    [InlineData(TagKind.Major, new[] { "2.0.0", "1.0.5" }, true)]
    [InlineData(TagKind.Major, new[] { "1.3.0" }, false)]
    [InlineData(TagKind.Minor, new[] { "1.3.0", "1.0.9" }, true)]
    [InlineData(TagKind.Minor, new[] { "1.1.1" }, false)]
    public void MayMoveFloatingTag_Version110(TagKind kind, string[] existing, bool expected)
    {
        var allowed = TagPlan.MayMoveFloatingTag(kind, Semver.SemVersion.Parse("1.1.0", Semver.SemVersionStyles.Strict), existing, out var higher);

        Assert.Equal(expected, allowed);
        Assert.Equal(expected, higher is null);
    }

    [Fact]
    public void Create_NoRegistry_LocalTagsForExport()
    {
        var plan = TagPlan.Create("hagicode/ai-cli", "1.0.0", "1a2b3c4", []);

        Assert.False(plan.IsPush);
        Assert.Equal(["hagicode/ai-cli:1.0.0", "hagicode/ai-cli:sha-1a2b3c4"], plan.Targets.Select(target => target.Reference));
        Assert.All(plan.Targets, target => Assert.Null(target.Registry));
    }

    [Fact]
    public void Create_FullRevision_ShortenedToSeven()
    {
        var plan = TagPlan.Create("hagicode/ai-cli", "1.0.0", "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b", []);

        Assert.Equal("sha-1a2b3c4", plan.RevisionTag);
    }

    [Fact]
    public void Target_RepositoryPath_WithoutRegistryAddress()
    {
        var plan = TagPlan.Create("hagicode/ai-cli", "1.0.0", "1a2b3c4", ["127.0.0.1:5000/org/team"]);

        Assert.Equal("org/team/ai-cli", plan.Targets[0].RepositoryPath);
    }

    [Theory]
    [InlineData("1.0.0+build.5")]
    [InlineData("-1.0.0")]
    [InlineData("")]
    [InlineData("1.0.0/x")]
    public void Create_InvalidVersion_Rejected(string version)
    {
        var exception = Assert.Throws<PipelineException>(() => TagPlan.Create("hagicode/ai-cli", version, "1a2b3c4", []));

        Assert.Contains($"'{version}'", exception.Message);
        Assert.Contains("Docker tag", exception.Message);
    }

    [Fact]
    public void Create_VersionOf129Characters_Rejected()
    {
        var version = new string('1', 129);

        Assert.Throws<PipelineException>(() => TagPlan.Create("hagicode/ai-cli", version, "1a2b3c4", []));
    }

    [Theory]
    [InlineData("1a2b3c")]
    [InlineData("1A2B3C4")]
    [InlineData("zzzzzzz")]
    public void Create_InvalidRevision_Rejected(string revision)
    {
        var exception = Assert.Throws<PipelineException>(() => TagPlan.Create("hagicode/ai-cli", "1.0.0", revision, []));

        Assert.Contains($"'{revision}'", exception.Message);
        Assert.Contains("hex", exception.Message);
    }

    [Theory]
    [InlineData("Hagicode/ai-cli")]
    [InlineData("hagicode//ai-cli")]
    [InlineData("hagicode/ai-cli:1.0")]
    public void Create_InvalidRepository_Rejected(string repository)
    {
        var exception = Assert.Throws<PipelineException>(() => TagPlan.Create(repository, "1.0.0", "1a2b3c4", []));

        Assert.Contains($"'{repository}'", exception.Message);
    }

    [Fact]
    public void Create_SameRegistryTwice_Rejected()
    {
        var exception = Assert.Throws<PipelineException>(() => TagPlan.Create("hagicode/ai-cli", "1.0.0", "1a2b3c4", ["ghcr.io/hagicode", "ghcr.io/hagicode"]));

        Assert.Contains("twice", exception.Message);
    }
}
