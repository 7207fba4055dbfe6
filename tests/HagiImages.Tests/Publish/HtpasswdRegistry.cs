using HagiImages.Tests.Fixtures;

namespace HagiImages.Tests.Publish;

/// <summary>One htpasswd-protected <see cref="LocalRegistry"/> shared by the tests of a class; each test uses its own namespace.</summary>
public sealed class HtpasswdRegistry : IAsyncLifetime
{
    public const string Username = "hagi";
    public const string Password = "s3cret-Pa55";

    public LocalRegistry? Registry { get; private set; }

    public async Task InitializeAsync()
    {
        if (await DockerTestEngine.ConnectAsync() is not { } client)
        {
            return;
        }

        client.Dispose();
        Registry = await LocalRegistry.StartAsync(Username, Password);
    }

    public async Task DisposeAsync()
    {
        if (Registry is not null)
        {
            await Registry.DisposeAsync();
        }
    }
}
