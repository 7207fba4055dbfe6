namespace HagiImages.Publish;

/// <summary>A CLI of an image and its pinned version, such as <c>claude-code</c>, <c>@anthropic-ai/claude-code</c>, <c>2.1.32</c>.</summary>
public sealed record CliVersionRecord(string Id, string Package, string Version);
