namespace HagiImages.Tests.Manifest;

/// <summary>Paths in the repository checkout that the tests run from.</summary>
internal static class RepositoryLayout
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The checkout's root folder: the first parent of the test assembly that contains HagiImages.sln.</summary>
    public static string Root => RootPath.Value;

    public static string ImagesDirectory => Path.Combine(Root, "images");

    public static string AiCliDirectory => Path.Combine(ImagesDirectory, "ai-cli");

    public static string AiCliManifest => Path.Combine(AiCliDirectory, "image.json");

    public static string SchemaFile => Path.Combine(ImagesDirectory, "image.schema.json");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HagiImages.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No parent folder of '{AppContext.BaseDirectory}' contains HagiImages.sln.");
    }
}
