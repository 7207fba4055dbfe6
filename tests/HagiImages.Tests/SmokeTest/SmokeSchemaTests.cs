using System.Text.Json;
using HagiImages.Tests.Manifest;
using Json.Schema;

namespace HagiImages.Tests.SmokeTest;

public sealed class SmokeSchemaTests
{
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(RepositoryLayout.SchemaFile)));

    [Fact]
    public void Schema_FullSmokeSection_Valid()
    {
        var smoke = """
            {
              "sizeBudgetMiB": 900,
              "commands": [{ "name": "git-version", "command": ["git", "--version"], "environment": { "LANG": "C" }, "user": "1000:1000", "expectedOutput": ["^git"], "excludedOutput": ["error"], "exitCode": 0 }],
              "files": [{ "path": "/usr/local/bin/hagi-entrypoint", "state": "present", "owner": "root", "group": "0", "mode": "0755" }],
              "metadata": { "user": "root", "entrypoint": ["/e"], "environment": { "HOME": "/home/x" }, "labels": { "a.b": "c" }, "volumes": ["/data"], "workdir": "/home/x" }
            }
            """;

        Assert.True(IsValid(SampleManifest.With("smoke", smoke).ToJsonString()));
    }

    [Theory]
    [InlineData("""{ "sizeBudgetMiB": -1 }""")]
    [InlineData("""{ "commands": [{ "name": "Git", "command": ["git"] }] }""")]
    [InlineData("""{ "commands": [{ "name": "a", "command": [] }] }""")]
    [InlineData("""{ "commands": [{ "command": ["a"] }] }""")]
    [InlineData("""{ "commands": [{ "name": "a", "command": ["a"], "exitCode": 256 }] }""")]
    [InlineData("""{ "commands": [{ "name": "a", "command": ["a"], "shouldExist": true }] }""")]
    [InlineData("""{ "files": [{ "path": "relative" }] }""")]
    [InlineData("""{ "files": [{ "path": "/a", "mode": "755x" }] }""")]
    [InlineData("""{ "files": [{ "path": "/a", "state": "missing" }] }""")]
    [InlineData("""{ "metadata": { "entrypoint": [] } }""")]
    [InlineData("""{ "metadata": { "workdir": "relative" } }""")]
    [InlineData("""{ "unknown": 1 }""")]
    public void Schema_BrokenSmokeEntry_Rejected(string smoke)
    {
        Assert.False(IsValid(SampleManifest.With("smoke", smoke).ToJsonString()));
    }

    private static bool IsValid(string manifestText)
    {
        using var document = JsonDocument.Parse(manifestText);
        return Schema.Value.Evaluate(document.RootElement).IsValid;
    }
}
