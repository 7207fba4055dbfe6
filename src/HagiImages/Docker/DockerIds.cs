namespace HagiImages.Docker;

/// <summary>Formatting of Docker object ids for logs and messages.</summary>
public static class DockerIds
{
    /// <summary>Returns the first 12 hex digits of an id, without a <c>sha256:</c> prefix.</summary>
    public static string Short(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var bare = id.StartsWith("sha256:", StringComparison.Ordinal) ? id["sha256:".Length..] : id;
        return bare.Length > 12 ? bare[..12] : bare;
    }
}
