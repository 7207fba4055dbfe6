namespace HagiImages.SmokeTest;

/// <summary>The outcome of one check on one image.</summary>
public sealed record SmokeResult(string Image, string Check, bool Passed, TimeSpan Duration, string Reason, string? ContainerLogs);
