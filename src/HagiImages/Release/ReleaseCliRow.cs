namespace HagiImages.Release;

/// <summary>One row of the CLI versions table in a release body.</summary>
/// <param name="Image">Image name, such as <c>ai-cli</c>.</param>
/// <param name="Cli">CLI id, such as <c>claude-code</c>.</param>
/// <param name="Package">npm package, such as <c>@anthropic-ai/claude-code</c>.</param>
/// <param name="Version">Pinned version.</param>
public sealed record ReleaseCliRow(string Image, string Cli, string Package, string Version);
