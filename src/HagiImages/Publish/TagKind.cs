namespace HagiImages.Publish;

/// <summary>
/// How a tag behaves over time. Immutable tags name one build for good; floating tags move to the newest release
/// of their range and are pushed only after every immutable tag.
/// </summary>
public enum TagKind
{
    /// <summary>The version, the <c>sha-</c> revision tag or a CLI version tag.</summary>
    Immutable,

    /// <summary><c>X.Y</c>: the newest release of that minor version.</summary>
    Minor,

    /// <summary><c>X</c>: the newest release of that major version, never for major 0.</summary>
    Major,

    /// <summary><c>latest</c>: the newest release in the repository.</summary>
    Latest,
}
