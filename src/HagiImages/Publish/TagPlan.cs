using HagiImages.Pipeline;

namespace HagiImages.Publish;

/// <summary>
/// The references an image is published under: <c>&lt;registry&gt;/&lt;image name&gt;:&lt;version&gt;</c> and
/// <c>:sha-&lt;revision&gt;</c> for each registry, or the same two tags on the plain repository when no registry is given.
/// </summary>
public sealed class TagPlan
{
    private TagPlan(string imageName, string version, string revisionTag, IReadOnlyList<RegistryTarget> registries, IReadOnlyList<ImageTarget> targets)
    {
        ImageName = imageName;
        Version = version;
        RevisionTag = revisionTag;
        Registries = registries;
        Targets = targets;
    }

    /// <summary>Last path part of the repository, such as <c>ai-cli</c>.</summary>
    public string ImageName { get; }

    /// <summary>Version tag, such as <c>1.0.0</c> or <c>1.0.0-rc.1</c>.</summary>
    public string Version { get; }

    /// <summary>Revision tag, <c>sha-</c> and 7 lower-case hex digits.</summary>
    public string RevisionTag { get; }

    /// <summary>Registries in the order given, or empty for an export.</summary>
    public IReadOnlyList<RegistryTarget> Registries { get; }

    /// <summary>Every reference, registry by registry, the version tag before the revision tag.</summary>
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
    /// <exception cref="PipelineException">A value is invalid. The message names it and the expected form.</exception>
    public static TagPlan Create(string repository, string version, string revision, IReadOnlyList<string> registries)
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
        }

        return new TagPlan(imageName, version, revisionTag, parsed, targets);
    }
}
