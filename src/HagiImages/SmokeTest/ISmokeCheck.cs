namespace HagiImages.SmokeTest;

/// <summary>
/// One behaviour of a built image that users depend on. A check passes by returning and fails by throwing
/// <see cref="SmokeCheckFailedException"/>.
/// </summary>
public interface ISmokeCheck
{
    /// <summary>Short kebab-case name shown in reports.</summary>
    string Name { get; }

    Task RunAsync(SmokeContext context, CancellationToken cancellationToken);
}
