namespace HagiImages.Pipeline;

/// <summary>
/// The parameters of a pipeline run, as the build script reads them from the command line.
/// </summary>
public sealed record PipelineOptions
{
    /// <summary>Repository root; <c>images/</c> and <c>artifacts/</c> are below it.</summary>
    public required string RepositoryRoot { get; init; }

    /// <summary>Only this image (a folder name under <c>images/</c>); null for every image.</summary>
    public string? Image { get; init; }

    /// <summary>With Bump: the CLI id to pin with <see cref="To"/>.</summary>
    public string? Cli { get; init; }

    /// <summary>With Bump: the exact version to pin <see cref="Cli"/> to.</summary>
    public string? To { get; init; }

    /// <summary>With Render: compare instead of writing.</summary>
    public bool Check { get; init; }

    /// <summary><c>registry</c> (the manifest's Node image from a registry) or <c>bootstrap</c> (debootstrap plus Node from npm).</summary>
    public string BaseImage { get; init; } = "registry";

    /// <summary>Debian mirror for the bootstrap base image.</summary>
    public string DebianMirror { get; init; } = "http://deb.debian.org/debian";

    /// <summary>CA bundle for npm inside builds; null to use the host npm's <c>cafile</c> or <c>NODE_EXTRA_CA_CERTS</c>.</summary>
    public string? CaBundle { get; init; }

    /// <summary>Target registries as <c>HOST[:PORT]/NAMESPACE</c>; empty to export an archive instead.</summary>
    public IReadOnlyList<string> Registries { get; init; } = [];

    /// <summary>Image version for tags and labels; null to derive it from the git tag or use a development version.</summary>
    public string? ImageVersion { get; init; }

    /// <summary>With Publish: read the registries and print the plan, pushing and exporting nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>With Bump: commit the changes to a branch, push it and open or update a pull request.</summary>
    public bool PullRequest { get; init; }

    /// <summary>GitHub repository as <c>OWNER/NAME</c> for Release and pull requests; null to read <c>GITHUB_REPOSITORY</c>.</summary>
    public string? GitHubRepository { get; init; }

    /// <summary>GitHub API base URL; null to read <c>GITHUB_API_URL</c> or use <c>https://api.github.com</c>.</summary>
    public string? GitHubApiUrl { get; init; }

    /// <summary>With SmokeTest: names of the checks to run; empty for every check.</summary>
    public IReadOnlyList<string> SmokeChecks { get; init; } = [];

    /// <summary>With Test: a <c>dotnet test --filter</c> expression; null for every test.</summary>
    public string? TestFilter { get; init; }

    public bool Verbose { get; init; }

    public string ImagesDirectory => Path.Combine(RepositoryRoot, "images");

    public string ArtifactsDirectory => Path.Combine(RepositoryRoot, "artifacts");
}
