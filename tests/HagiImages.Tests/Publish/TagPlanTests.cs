using HagiImages.Pipeline;
using HagiImages.Publish;

namespace HagiImages.Tests.Publish;

public sealed class TagPlanTests
{
    [Fact]
    public void Create_OneRegistry_VersionAndRevisionTags()
    {
        var plan = TagPlan.Create("hagicode/ai-cli", "1.0.0", "1a2b3c4", ["127.0.0.1:5000/hagicode"]);

        Assert.Equal(["127.0.0.1:5000/hagicode/ai-cli:1.0.0", "127.0.0.1:5000/hagicode/ai-cli:sha-1a2b3c4"], plan.Targets.Select(target => target.Reference));
        Assert.True(plan.IsPush);
        Assert.Equal("ai-cli", plan.ImageName);
    }

    [Fact]
    public void Create_TwoRegistries_RegistryByRegistry()
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
