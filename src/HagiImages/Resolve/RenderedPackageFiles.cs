namespace HagiImages.Resolve;

/// <summary>The generated <c>package.json</c> and <c>package-lock.json</c> of one CLI, and the folder they go to.</summary>
public sealed record RenderedPackageFiles(string CliId, string Folder, string PackageJson, string PackageLock);
