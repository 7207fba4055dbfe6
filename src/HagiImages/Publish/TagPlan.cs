using System.Globalization;
using HagiImages.Pipeline;
using Semver;

namespace HagiImages.Publish;

/// <summary>
/// The references an image is published under. In each registry: the version <c>X.Y.Z[-pre]</c>,
/// <c>sha-&lt;revision&gt;</c> and, for an image with one CLI, <c>&lt;cli id&gt;-&lt;cli version&gt;</c>; for a release
/// without prerelease part also <c>X.Y</c>, <c>X</c> (not for major 0) and <c>latest</c>. With no registry, only the
/// version and revision tags on the plain repository, for an export.
/// </summary>
public sealed class TagPlan
{
    /// <summary>The floating tag that follows the newest release of a repository.</summary>
    public const string LatestTag = "latest";

    private TagPlan(string imageName, SemVersion version, string revisionTag, IReadOnlyList<RegistryTarget> registries, IReadOnlyList<ImageTarget> targets)
    {
        ImageName = imageName;
        SemanticVersion = version;
        Version = version.ToString();
        RevisionTag = revisionTag;
        Registries = registries;
        Targets = targets;
    }

    /// <summary>Last path part of the repository, such as <c>ai-cli</c>.</summary>
    public string ImageName { get; }

    /// <summary>Version tag, such as <c>1.0.0</c> or <c>1.0.0-rc.1</c>.</summary>
    public string Version { get; }

    /// <summary>The version, parsed as SemVer 2.0, for comparisons with the versions a registry already has.</summary>
    public SemVersion SemanticVersion { get; }

    /// <summary>Revision tag, <c>sha-</c> and 7 lower-case hex digits.</summary>
    public string RevisionTag { get; }

    /// <summary>Registries in the order given, or empty for an export.</summary>
    public IReadOnlyList<RegistryTarget> Registries { get; }

    /// <summary>
    /// Every reference in push order: the immutable tags registry by registry (version, revision, CLI tag), then the
    /// <c>X.Y</c> and <c>X</c> tags, then <c>latest</c>. So a failed push never leaves a floating tag on an image
    /// whose immutable tags are missing.
    /// </summary>
    public IReadOnlyList<ImageTarget> Targets { get; }

    /// <summary>Whether the plan pushes to registries. False means export to an archive.</summary>
    public bool IsPush => Registries.Count > 0;

    /// <summary>
    /// Computes the references for an image.
    /// </summary>
    /// <param name="repository">Manifest repository, such as <c>hagicode/ai-cli</c>.</param>
    /// <param name="version">Image version, which must be a valid Docker tag.</param>
    /// <param name="revision">Git revision, 7 to 40 lower-case hex digits. The first 7 form the revision tag.</param>
    /// <param name="registries">Values of the repeatable <c>--registry</c> option.</param>
    /// <param name="cliTag">Extra immutable tag for an image with one CLI, from <see cref="CliTag"/>; null for none.
    /// It is pushed to registries only, not written into an export.</param>
    /// <exception cref="PipelineException">A value is invalid. The message names it and the expected form.</exception>
    public static TagPlan Create(string repository, string version, string revision, IReadOnlyList<string> registries, string? cliTag = null)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(revision);
        ArgumentNullException.ThrowIfNull(registries);

        if (!ReferenceGrammar.RepositoryPath().IsMatch(repository))
        {
            throw new PipelineException(
                $"Image repository '{repository}' is invalid. Expected lower-case path parts separated by '/', such as 'hagicode/ai-cli'.");
        }

        if (!ReferenceGrammar.Tag().IsMatch(version))
        {
            throw new PipelineException(
                $"Version '{version}' is not a valid Docker tag. Expected a letter, digit or '_', then up to 127 letters, digits, '_', '.' or '-', such as '1.0.0' or '1.0.0-rc.1' (build metadata after '+' is not allowed).");
        }

        if (!SemVersion.TryParse(version, SemVersionStyles.Strict, out var semanticVersion) || semanticVersion.Metadata.Length > 0)
        {
            throw new PipelineException(
                $"Version '{version}' is not a valid SemVer version. Pass --version X.Y.Z or X.Y.Z-prerelease, such as '1.2.0' or '1.3.0-rc.1'.");
        }

        if (cliTag is not null && (!ReferenceGrammar.Tag().IsMatch(cliTag) || cliTag == LatestTag || cliTag == version))
        {
            throw new PipelineException($"CLI tag '{cliTag}' is not a valid Docker tag of its own. Expected '<cli id>-<cli version>', such as 'claude-code-2.1.32'.");
        }

        if (revision.Length is < 7 or > 40 || !revision.All(char.IsAsciiHexDigitLower))
        {
            throw new PipelineException(
                $"Git revision '{revision}' is invalid. Expected 7 to 40 lower-case hex digits, such as the output of 'git rev-parse --short=7 HEAD'.");
        }

        var imageName = repository[(repository.LastIndexOf('/') + 1)..];
        var revisionTag = $"sha-{revision[..7]}";
        var parsed = new List<RegistryTarget>();
        foreach (var value in registries)
        {
            var registry = RegistryTarget.Parse(value);
            if (parsed.Contains(registry))
            {
                throw new PipelineException($"Registry '{value}' is given twice with --registry. Give each registry once.");
            }

            parsed.Add(registry);
        }

        var targets = new List<ImageTarget>();
        if (parsed.Count == 0)
        {
            targets.Add(new ImageTarget(null, repository, version));
            targets.Add(new ImageTarget(null, repository, revisionTag));
        }

        var floating = FloatingTags(semanticVersion);
        var repositories = new List<(RegistryTarget Registry, string Repository)>();
        foreach (var registry in parsed)
        {
            var targetRepository = $"{registry.Address}/{registry.Namespace}/{imageName}";
            if (targetRepository.Length > ReferenceGrammar.MaxRepositoryLength)
            {
                throw new PipelineException(
                    $"Repository '{targetRepository}' for registry '{registry}' has {targetRepository.Length} characters; Docker allows at most {ReferenceGrammar.MaxRepositoryLength}. Use a shorter namespace.");
            }

            targets.Add(new ImageTarget(registry, targetRepository, version));
            targets.Add(new ImageTarget(registry, targetRepository, revisionTag));
            if (cliTag is not null)
            {
                targets.Add(new ImageTarget(registry, targetRepository, cliTag));
            }

            repositories.Add((registry, targetRepository));
        }

        foreach (var kind in new[] { TagKind.Minor, TagKind.Major, TagKind.Latest })
        {
            foreach (var (registry, targetRepository) in repositories)
            {
                targets.AddRange(floating.Where(tag => tag.Kind == kind).Select(tag => new ImageTarget(registry, targetRepository, tag.Tag, kind)));
            }
        }

        return new TagPlan(imageName, semanticVersion, revisionTag, parsed, targets);
    }

    /// <summary>
    /// Returns the immutable tag <c>&lt;cli id&gt;-&lt;cli version&gt;</c>, such as <c>claude-code-2.1.32</c>.
    /// </summary>
    /// <exception cref="PipelineException">The result is not a valid Docker tag, for example because the version has
    /// build metadata after '+'.</exception>
    public static string CliTag(string cliId, string cliVersion)
    {
        ArgumentException.ThrowIfNullOrEmpty(cliId);
        ArgumentException.ThrowIfNullOrEmpty(cliVersion);

        var tag = $"{cliId}-{cliVersion}";
        if (!ReferenceGrammar.Tag().IsMatch(tag))
        {
            throw new PipelineException(
                $"CLI '{cliId}' at version '{cliVersion}' gives the tag '{tag}', which is not a valid Docker tag. Docker tags allow letters, digits, '_', '.' and '-', up to 128 characters.");
        }

        return tag;
    }

    /// <summary>
    /// Returns whether a floating tag of <paramref name="kind"/> may point at <paramref name="version"/> when the
    /// repository already has <paramref name="existing"/>: no release version in the tag's range may be higher.
    /// Prereleases and tags that are not <c>X.Y.Z</c> are ignored. <paramref name="higher"/> receives the highest
    /// version that blocks the move, or null when the move is allowed.
    /// </summary>
    public static bool MayMoveFloatingTag(TagKind kind, SemVersion version, IEnumerable<string> existing, out SemVersion? higher)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(existing);

        higher = null;
        foreach (var tag in existing)
        {
            if (!SemVersion.TryParse(tag, SemVersionStyles.Strict, out var other) || other.IsPrerelease || other.Metadata.Length > 0)
            {
                continue;
            }

            var inRange = kind switch
            {
                TagKind.Minor => other.Major == version.Major && other.Minor == version.Minor,
                TagKind.Major => other.Major == version.Major,
                TagKind.Latest => true,
                _ => false,
            };
            if (inRange && other.ComparePrecedenceTo(version) > 0 && (higher is null || other.ComparePrecedenceTo(higher) > 0))
            {
                higher = other;
            }
        }

        return higher is null;
    }

    private static List<(string Tag, TagKind Kind)> FloatingTags(SemVersion version)
    {
        if (version.IsPrerelease)
        {
            return [];
        }

        var major = version.Major.ToString(CultureInfo.InvariantCulture);
        var tags = new List<(string Tag, TagKind Kind)> { ($"{major}.{version.Minor.ToString(CultureInfo.InvariantCulture)}", TagKind.Minor) };
        if (!version.Major.IsZero)
        {
            tags.Add((major, TagKind.Major));
        }

        tags.Add((LatestTag, TagKind.Latest));
        return tags;
    }
}
