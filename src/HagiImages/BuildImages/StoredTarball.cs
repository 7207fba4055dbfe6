namespace HagiImages.BuildImages;

/// <summary>A verified tarball of one package of a locked tree, kept in the build host's tarball store.</summary>
/// <param name="Package">The package name.</param>
/// <param name="Version">The locked version.</param>
/// <param name="Path">The file in the store.</param>
/// <param name="Sha512Hex">The sha512 of the file, as lower-case hex; the lock's integrity names the same digest.</param>
public sealed record StoredTarball(string Package, string Version, string Path, string Sha512Hex)
{
    /// <summary>
    /// The file's place in an npm cache folder. npm keeps package content under
    /// <c>_cacache/content-v2/sha512/</c>, in folders named by the first two and the next two hex digits of the
    /// digest, and <c>npm ci --offline</c> reads a locked package from there by its integrity.
    /// </summary>
    public string CachePath => $"_cacache/content-v2/sha512/{Sha512Hex[..2]}/{Sha512Hex[2..4]}/{Sha512Hex[4..]}";
}
