using HagiImages.Pipeline;

namespace HagiImages.BaseImage;

/// <summary>Where the Node.js base image comes from (the <c>--base-image</c> option).</summary>
public enum BaseImageSource
{
    /// <summary>The manifest's registry image, such as <c>node:22-bookworm-slim</c>, found locally or pulled.</summary>
    Registry,

    /// <summary>Built here from Debian packages (debootstrap) and the pinned Node.js and npm packages of the npm registry.</summary>
    Bootstrap,
}

/// <summary>Parsing of the <c>--base-image</c> option.</summary>
public static class BaseImageSources
{
    /// <summary>Parses <c>registry</c> or <c>bootstrap</c>, ignoring case.</summary>
    /// <exception cref="PipelineException">The value is neither.</exception>
    public static BaseImageSource Parse(string value, string origin = "--base-image")
    {
        return value?.Trim().ToLowerInvariant() switch
        {
            "registry" => BaseImageSource.Registry,
            "bootstrap" => BaseImageSource.Bootstrap,
            _ => throw new PipelineException($"The value '{value}' of {origin} is invalid. Use 'registry' or 'bootstrap'."),
        };
    }
}
