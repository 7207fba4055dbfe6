namespace HagiImages.SmokeTest;

/// <summary>A smoke check found the image misbehaving; the message is the reason shown in reports.</summary>
public sealed class SmokeCheckFailedException : Exception
{
    public SmokeCheckFailedException(string message, string? containerLogs = null)
        : base(message)
    {
        ContainerLogs = containerLogs;
    }

    /// <summary>The last lines the container printed, when a container was involved.</summary>
    public string? ContainerLogs { get; }
}
