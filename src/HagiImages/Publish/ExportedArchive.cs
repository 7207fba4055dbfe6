namespace HagiImages.Publish;

/// <summary>An image saved to a <c>docker save</c> archive with a <c>sha256sum</c> checksum file beside it.</summary>
/// <param name="ArchivePath">Absolute path of the tar archive.</param>
/// <param name="ChecksumPath">Absolute path of <c>&lt;archive&gt;.sha256</c>.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the archive.</param>
/// <param name="SizeBytes">Archive size in bytes.</param>
/// <param name="Tags">References that <c>docker load</c> restores from the archive.</param>
public sealed record ExportedArchive(string ArchivePath, string ChecksumPath, string Sha256, long SizeBytes, IReadOnlyList<string> Tags)
{
    /// <summary>Shell commands that check and load the archive.</summary>
    public string LoadInstructions =>
        $"Check the archive with: (cd '{Path.GetDirectoryName(ArchivePath)}' && sha256sum -c '{Path.GetFileName(ChecksumPath)}')\n"
        + $"Load it with: docker load -i '{ArchivePath}'";
}
