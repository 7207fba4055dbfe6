namespace HagiImages.BuildImages;

/// <summary>One image build through the Engine API with the classic builder.</summary>
public sealed record ImageBuildRequest
{
    public required BuildContext Context { get; init; }

    /// <summary>Path of the Dockerfile inside the context.</summary>
    public string Dockerfile { get; init; } = "Dockerfile";

    /// <summary>Full references (<c>repository:tag</c>) to tag the image with; the first one names it in logs and errors.</summary>
    public required IReadOnlyList<string> Tags { get; init; }

    /// <summary>Build arguments whose values may be logged.</summary>
    public IReadOnlyDictionary<string, string> BuildArgs { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Build arguments that carry secrets, such as a registry token. Their values are masked in every log line and
    /// error message. The classic builder records build arguments in the history of the stage that uses them, so
    /// only earlier stages, whose images are removed after the build, may use them.
    /// </summary>
    public IReadOnlyDictionary<string, string> SecretBuildArgs { get; init; } = new Dictionary<string, string>();

    /// <summary>Labels set on the final image.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Whether the images of earlier stages are removed after the build. They must be when the context or the
    /// build arguments carry secrets, which the classic builder keeps in those images. Without secrets they are the
    /// build cache that lets a later build skip unchanged stages.
    /// </summary>
    public bool RemoveIntermediateImages { get; init; } = true;

    /// <summary>Builds every step without the layer cache.</summary>
    public bool NoCache { get; init; }

    /// <summary>Time the build may take before it is cancelled.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(30);
}
