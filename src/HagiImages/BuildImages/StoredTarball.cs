namespace HagiImages.BuildImages;

/// <summary>A verified tarball of one package of a locked tree, kept in the build host's tarball store.</summary>
/// <param name="Package">The package name.</param>
/// <param name="Version">The locked version.</param>
/// <param name="Path">The file in the store.</param>
/// <param name="FileName">A file name for the build context, unique within the tree.</param>
public sealed record StoredTarball(string Package, string Version, string Path, string FileName);
