namespace HagiImages.Docker;

/// <summary>
/// Label keys that HagiImages puts on the Docker objects it creates, so that a cleanup can find them.
/// </summary>
public static class DockerLabels
{
    /// <summary>Set to <c>true</c> on every container, volume and image that HagiImages creates.</summary>
    public const string Managed = "hagiimages.managed";

    /// <summary>Set to <c>true</c> by tests on every object they create.</summary>
    public const string Test = "hagiimages.test";

    /// <summary>
    /// Returns the given labels plus <see cref="Managed"/>; a caller's own value for a key wins.
    /// </summary>
    public static Dictionary<string, string> WithManaged(IReadOnlyDictionary<string, string>? labels)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal) { [Managed] = "true" };
        if (labels is not null)
        {
            foreach (var (key, value) in labels)
            {
                result[key] = value;
            }
        }

        return result;
    }
}
