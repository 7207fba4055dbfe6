namespace HagiImages.Pipeline;

/// <summary>
/// A failure caused by input or environment that the user can fix. The message names the value, where it
/// came from and the fix; the build host prints it without a stack trace.
/// </summary>
public sealed class PipelineException : Exception
{
    public PipelineException(string message)
        : base(message)
    {
    }

    public PipelineException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
