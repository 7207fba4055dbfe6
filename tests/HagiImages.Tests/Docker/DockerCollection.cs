namespace HagiImages.Tests.Docker;

/// <summary>
/// Engine tests run one at a time and share <see cref="DockerFixture"/>, which bootstraps one base image per run.
/// </summary>
[CollectionDefinition("docker")]
public sealed class DockerCollection : ICollectionFixture<DockerFixture>
{
}
