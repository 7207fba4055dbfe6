namespace HagiImages.Resolve;

/// <summary>The outcome of a Bump: the resolution, the lock that was written and what changed.</summary>
public sealed record BumpResult
{
    public required ResolveReport Report { get; init; }

    /// <summary>The lock as it is on disk after the Bump.</summary>
    public required ImageLock Lock { get; init; }

    /// <summary>Pins that differ from the previous lock, in lock order; empty when nothing changed.</summary>
    public required IReadOnlyList<PinChange> Changes { get; init; }

    /// <summary>False when the lock file already held the same bytes and was not rewritten.</summary>
    public required bool Written { get; init; }
}

/// <summary>One pin that a Bump added or moved.</summary>
/// <param name="Id"><c>node</c>, <c>npm</c> or the CLI id.</param>
/// <param name="Package">The npm package name.</param>
/// <param name="From">The previous version, or null when the package was not pinned.</param>
/// <param name="To">The new version.</param>
public sealed record PinChange(string Id, string Package, string? From, string To);
