using System.Text.Json.Nodes;
using HagiImages.Resolve;
using HagiImages.Tests.Fixtures;

namespace HagiImages.Tests.Resolve;

/// <summary>
/// Tests against one <see cref="Verdaccio"/> per run, which this fixture starts and fills with the test packages.
/// </summary>
[CollectionDefinition("verdaccio")]
public sealed class VerdaccioCollection : ICollectionFixture<VerdaccioFixture>
{
}

/// <summary>
/// Starts Verdaccio and publishes the packages the tests resolve. When Verdaccio cannot be installed or started,
/// <see cref="Registry"/> is null and tests return early, unless <c>CI=true</c>, which makes the start failure
/// fail every test of the collection.
/// </summary>
public sealed class VerdaccioFixture : IAsyncLifetime
{
    /// <summary>Versions 1.0.0 to 1.3.0 and 2.0.0-beta.1 (dist-tag <c>next</c>); <c>latest</c> is moved back to 1.1.0.</summary>
    public const string RangePackage = "hagi-range";

    /// <summary>Versions 1.0.0 and 1.1.0; 1.1.0 is <c>latest</c> and deprecated.</summary>
    public const string DeprecatedPackage = "hagi-deprecated";

    /// <summary>1.0.0 needs Node &gt;=18 and 1.1.0 (<c>latest</c>) needs Node &gt;=24.</summary>
    public const string EnginesPackage = "hagi-engines";

    /// <summary>Versions 1.0.0, with its publish time moved 10 days back in storage, and 1.1.0.</summary>
    public const string FreshPackage = "hagi-fresh";

    /// <summary>Version 1.0.0, with the <c>time</c> object removed from storage.</summary>
    public const string UndatedPackage = "hagi-undated";

    /// <summary>Versions 1.0.0 and 1.1.0 in the scope that needs a token.</summary>
    public const string ScopedPackage = Verdaccio.AuthenticatedScope + "/secret";

    /// <summary>The Node version that <c>node.version</c> "22" resolves to once the versions are old enough.</summary>
    public const string NodeVersion = "22.5.0";

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(3);

    /// <summary>The running registry, or null when it could not be started outside CI.</summary>
    public Verdaccio? Registry { get; private set; }

    /// <summary>Why <see cref="Registry"/> is null.</summary>
    public string? StartFailure { get; private set; }

    private static bool Required => Environment.GetEnvironmentVariable("CI") == "true";

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(PublishTimeout);
        Verdaccio registry;
        try
        {
            registry = await Verdaccio.StartAsync(timeout.Token);
        }
        catch (Exception exception) when (!Required && exception is InvalidOperationException or IOException or HttpRequestException or System.ComponentModel.Win32Exception or OperationCanceledException)
        {
            StartFailure = exception.Message;
            return;
        }

        try
        {
            await PublishAllAsync(registry, timeout.Token);
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }

        Registry = registry;
    }

    public async Task DisposeAsync()
    {
        if (Registry is not null)
        {
            await Registry.DisposeAsync();
        }
    }

    // Each package is published by its own chain of npm commands; the chains run in parallel.
    private static async Task PublishAllAsync(Verdaccio registry, CancellationToken cancellationToken)
    {
        await Task.WhenAll(
            PublishNodeAsync(registry, cancellationToken),
            PublishNpmAsync(registry, cancellationToken),
            PublishRangeAsync(registry, cancellationToken),
            PublishDeprecatedAsync(registry, cancellationToken),
            PublishEnginesAsync(registry, cancellationToken),
            PublishFreshAsync(registry, cancellationToken),
            PublishUndatedAsync(registry, cancellationToken),
            PublishScopedAsync(registry, cancellationToken));
    }

    private static async Task PublishNodeAsync(Verdaccio registry, CancellationToken cancellationToken)
    {
        await registry.PublishAsync(ResolveStage.NodePackage, "20.18.0", cancellationToken: cancellationToken);
        await registry.PublishAsync(ResolveStage.NodePackage, NodeVersion, cancellationToken: cancellationToken);
        await registry.PublishAsync(ResolveStage.NodePackage, "22.6.0-rc.1", "rc", cancellationToken: cancellationToken);
        await registry.PublishAsync(ResolveStage.NodePackage, "24.1.0", cancellationToken: cancellationToken);
    }

    private static async Task PublishNpmAsync(Verdaccio registry, CancellationToken cancellationToken)
    {
        await registry.PublishAsync(ResolveStage.NpmPackage, "10.8.0", enginesNode: "^18.17.0 || >=20.5.0", cancellationToken: cancellationToken);
        await registry.PublishAsync(ResolveStage.NpmPackage, "11.0.0", enginesNode: "^20.17.0 || >=22.9.0", cancellationToken: cancellationToken);
    }

    private static async Task PublishRangeAsync(Verdaccio registry, CancellationToken cancellationToken)
    {
        foreach (var version in new[] { "1.0.0", "1.1.0", "1.2.0", "1.3.0" })
        {
            await registry.PublishAsync(RangePackage, version, cancellationToken: cancellationToken);
        }

        await registry.PublishAsync(RangePackage, "2.0.0-beta.1", "next", cancellationToken: cancellationToken);
        await registry.AddDistTagAsync(RangePackage, "1.1.0", "latest", cancellationToken);
    }

    private static async Task PublishDeprecatedAsync(Verdaccio registry, CancellationToken cancellationToken)
    {
        await registry.PublishAsync(DeprecatedPackage, "1.0.0", cancellationToken: cancellationToken);
        await registry.PublishAsync(DeprecatedPackage, "1.1.0", cancellationToken: cancellationToken);
        await registry.DeprecateAsync(DeprecatedPackage, "1.1.0", "broken build, use 1.0.0", cancellationToken);
    }

    private static async Task PublishEnginesAsync(Verdaccio registry, CancellationToken cancellationToken)
    {
        await registry.PublishAsync(EnginesPackage, "1.0.0", enginesNode: ">=18", cancellationToken: cancellationToken);
        await registry.PublishAsync(EnginesPackage, "1.1.0", enginesNode: ">=24", cancellationToken: cancellationToken);
    }

    private static async Task PublishFreshAsync(Verdaccio registry, CancellationToken cancellationToken)
    {
        await registry.PublishAsync(FreshPackage, "1.0.0", cancellationToken: cancellationToken);
        await registry.PublishAsync(FreshPackage, "1.1.0", cancellationToken: cancellationToken);
        await registry.EditStoredDocumentAsync(
            FreshPackage,
            document =>
            {
                var published = DateTimeOffset.Parse(document["time"]!["1.0.0"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
                document["time"]!["1.0.0"] = (published - TimeSpan.FromDays(10)).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
            },
            cancellationToken);
    }

    private static async Task PublishUndatedAsync(Verdaccio registry, CancellationToken cancellationToken)
    {
        await registry.PublishAsync(UndatedPackage, "1.0.0", cancellationToken: cancellationToken);
        await registry.EditStoredDocumentAsync(UndatedPackage, document => document.Remove("time"), cancellationToken);
    }

    private static async Task PublishScopedAsync(Verdaccio registry, CancellationToken cancellationToken)
    {
        await registry.PublishAsync(ScopedPackage, "1.0.0", cancellationToken: cancellationToken);
        await registry.PublishAsync(ScopedPackage, "1.1.0", cancellationToken: cancellationToken);
    }
}
