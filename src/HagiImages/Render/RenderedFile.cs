namespace HagiImages.Render;

/// <summary>One generated file: where it goes, its full text and whether it must be executable.</summary>
public sealed record RenderedFile(string Path, string Content, bool Executable);
