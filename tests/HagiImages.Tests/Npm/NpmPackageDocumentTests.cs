using HagiImages.Npm;

namespace HagiImages.Tests.Npm;

public sealed class NpmPackageDocumentTests
{
    private static readonly Uri Registry = new("https://registry.example.test/");

    [Theory]
    [InlineData("""["musl"]""", new[] { "musl" })]
    [InlineData("""["glibc", "musl"]""", new[] { "glibc", "musl" })]
    [InlineData("\"glibc\"", new[] { "glibc" })]
    [InlineData("[]", new string[0])]
    [InlineData("\"\"", new string[0])]
    [InlineData("null", new string[0])]
    public void Parse_ReadsLibc(string libc, string[] expected)
    {
        var document = Parse($$"""{ "name": "tool", "versions": { "1.0.0": { "version": "1.0.0", "libc": {{libc}} } } }""");

        Assert.Equal(expected, document.Versions["1.0.0"].Libc);
    }

    [Fact]
    public void Parse_MissingLibcIsEmpty()
    {
        var document = Parse("""{ "name": "tool", "versions": { "1.0.0": { "version": "1.0.0" } } }""");

        Assert.Empty(document.Versions["1.0.0"].Libc);
    }

    private static NpmPackageDocument Parse(string json) => NpmPackageDocument.Parse(json, "tool", new Uri(Registry, "tool"), Registry);
}
