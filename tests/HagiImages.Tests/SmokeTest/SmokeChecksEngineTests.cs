using System.Security.Cryptography;
using Docker.DotNet;
using HagiImages.Manifest;
using HagiImages.SmokeTest;
using HagiImages.SmokeTest.Checks;
using HagiImages.Tests.Docker;

namespace HagiImages.Tests.SmokeTest;

/// <summary>Each smoke check passes on a correct tiny image and fails on one built to break it.</summary>
[Collection("docker")]
public sealed class SmokeChecksEngineTests
{
    private static readonly SmokeSettings CorrectDeclarations = new()
    {
        Commands =
        [
            new SmokeCommandCheck { Name = "node-version", Command = ["node", "--version"], ExpectedOutput = ["^v22\\."], ExcludedOutput = ["error"] },
            new SmokeCommandCheck { Name = "env-and-user", Command = ["sh", "-c", "echo $EXTRA; id -u; exit 3"], Environment = new Dictionary<string, string> { ["EXTRA"] = "given" }, User = "0", ExpectedOutput = ["^given$", "^0$"], ExitCode = 3 },
        ],
        Files =
        [
            new SmokeFileCheck { Path = "/usr/local/bin/entrypoint", Owner = "root", Group = "0", Mode = "0755" },
            new SmokeFileCheck { Path = "/home/hagicode", Owner = "1000", Group = "hagicode" },
            new SmokeFileCheck { Path = "/opt/hagi/build", State = SmokeFileState.Absent },
        ],
        Metadata = new SmokeMetadataCheck
        {
            User = "hagicode",
            Entrypoint = ["/usr/local/bin/entrypoint"],
            Environment = new Dictionary<string, string> { ["TOOL_MODE"] = "test" },
            Labels = new Dictionary<string, string> { ["org.example.title"] = "smoke-tiny" },
            Workdir = "/home/hagicode",
        },
    };

    private readonly DockerFixture fixture;

    public SmokeChecksEngineTests(DockerFixture fixture) => this.fixture = fixture;

    [Fact]
    public async Task CorrectImage_ContentAndDeclaredChecks_Pass()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        await using var images = new SmokeTestImages(client, fixture);
        var image = await images.CorrectAsync();
        var manifest = SmokeTestImages.Manifest(CorrectDeclarations);
        var checks = SmokeTestStage.ImageContentChecks(manifest).Concat(SmokeTestStage.DeclaredChecks(manifest)).ToList();

        var results = await Stage(client).RunAsync(manifest, SmokeTestImages.Lock(), image, checks);

        Assert.Equal(checks.Select(check => check.Name), results.Select(result => result.Check));
        foreach (var result in results)
        {
            Assert.True(result.Passed, $"{result.Check}: {result.Reason}");
        }

        Assert.Empty(await images.ContainersOfAsync(image));
    }

    [Fact]
    public async Task NodeEngines_RangeAboveNode_Fails()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        await using var images = new SmokeTestImages(client, fixture);
        var image = await images.CorrectAsync(enginesNode: ">=99");

        var result = await RunOneAsync(client, image, new NodeEnginesCheck("tool"));

        Assert.False(result.Passed);
        Assert.Contains("does not satisfy engines.node '>=99'", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Entrypoint_IgnoresArguments_Fails()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        await using var images = new SmokeTestImages(client, fixture);
        var image = await images.DerivedAsync("ignoring-entrypoint", """ENTRYPOINT ["sh", "-c", "echo ignored"]""");

        var result = await RunOneAsync(client, image, new EntrypointCommandCheck());

        Assert.False(result.Passed);
        Assert.Contains("printed 'ignored'", result.Reason, StringComparison.Ordinal);
        Assert.Equal("ignored", result.ContainerLogs);
    }

    [Fact]
    public async Task AccountPasswords_EmptyAndBakedIn_Fail()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        await using var images = new SmokeTestImages(client, fixture);
        var image = await images.DerivedAsync("passwords", """
            USER root
            RUN useradd empty && passwd -d empty && useradd -p '$6$fixedsalt$notarealhash' baked
            USER hagicode
            """);

        var result = await RunOneAsync(client, image, new AccountPasswordCheck());

        Assert.False(result.Passed);
        Assert.Contains("empty in /etc/shadow: empty password", result.Reason, StringComparison.Ordinal);
        Assert.Contains("baked in /etc/shadow: a password hash", result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("notarealhash", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuildSecrets_LeakedNpmrcTokenAndLabel_Fail()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        await using var images = new SmokeTestImages(client, fixture);
        var npmrc = $"//registry.example.test/:_authToken={SmokeTestImages.FakeToken}\n";
        var image = await images.DerivedAsync(
            "secrets",
            $"""
            USER root
            COPY npmrc /opt/hagi/build/npmrc
            COPY app.conf /srv/app.conf
            LABEL leaked.token={SmokeTestImages.FakeToken}
            USER hagicode
            """,
            new Dictionary<string, string> { ["npmrc"] = npmrc, ["app.conf"] = $"token = {SmokeTestImages.FakeToken}\n" });
        var secrets = BuildSecrets.FromBuildSettings(new HagiImages.Resolve.BuildSettings { Npmrc = npmrc });

        var result = await RunOneAsync(client, image, new BuildSecretsCheck(), secrets);

        Assert.False(result.Passed);
        Assert.Contains("contains /opt/hagi/build/npmrc (a path under /opt/hagi/build", result.Reason, StringComparison.Ordinal);
        Assert.Contains("file /srv/app.conf contains secret value #1", result.Reason, StringComparison.Ordinal);
        Assert.Contains("(image config, history or manifest) contains secret value #1", result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(SmokeTestImages.FakeToken, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SizeBudget_Exceeded_FailsAndWithin_Passes()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        await using var images = new SmokeTestImages(client, fixture);

        // Random bytes do not compress, so the one layer is about 256 KiB after gzip.
        var image = await images.ScratchAsync(RandomNumberGenerator.GetBytes(256 * 1024));

        var over = await RunOneAsync(client, image, new ImageSizeCheck(), smoke: new SmokeSettings { SizeBudgetMiB = 0.2 });
        var within = await RunOneAsync(client, image, new ImageSizeCheck(), smoke: new SmokeSettings { SizeBudgetMiB = 0.3 });

        Assert.False(over.Passed);
        Assert.Contains("above the budget of 0.2 MiB", over.Reason, StringComparison.Ordinal);
        Assert.True(within.Passed, within.Reason);
    }

    [Fact]
    public async Task DeclaredCommand_WrongOutputAndExitCode_Fails()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        await using var images = new SmokeTestImages(client, fixture);
        var image = await images.CorrectAsync();
        var check = new DeclaredCommandCheck(new SmokeCommandCheck
        {
            Name = "broken",
            Command = ["sh", "-c", "echo warning: disk full; exit 2"],
            ExpectedOutput = ["^all good$"],
            ExcludedOutput = ["^warning"],
        });

        var result = await RunOneAsync(client, image, check);

        Assert.False(result.Passed);
        Assert.Contains("exited with code 2, expected 0", result.Reason, StringComparison.Ordinal);
        Assert.Contains("output does not match '^all good$'", result.Reason, StringComparison.Ordinal);
        Assert.Contains("output matches the excluded '^warning'", result.Reason, StringComparison.Ordinal);
        Assert.Equal("warning: disk full", result.ContainerLogs);
    }

    [Fact]
    public async Task DeclaredFile_WrongModeOwnerAndPresence_Fail()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        await using var images = new SmokeTestImages(client, fixture);
        var image = await images.CorrectAsync();

        var mode = await RunOneAsync(client, image, new DeclaredFileCheck(new SmokeFileCheck { Path = "/usr/local/bin/entrypoint", Owner = "hagicode", Mode = "0700" }));
        var missing = await RunOneAsync(client, image, new DeclaredFileCheck(new SmokeFileCheck { Path = "/no/such/file" }));
        var present = await RunOneAsync(client, image, new DeclaredFileCheck(new SmokeFileCheck { Path = "/usr/local/bin/entrypoint", State = SmokeFileState.Absent }));

        Assert.Contains("owner is root (0), expected hagicode", mode.Reason, StringComparison.Ordinal);
        Assert.Contains("mode is 0755, expected 0700", mode.Reason, StringComparison.Ordinal);
        Assert.Contains("/no/such/file does not exist", missing.Reason, StringComparison.Ordinal);
        Assert.Contains("exists, expected it to be absent", present.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeclaredMetadata_WrongValues_Fails()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        await using var images = new SmokeTestImages(client, fixture);
        var image = await images.CorrectAsync();
        var check = new DeclaredMetadataCheck(new SmokeMetadataCheck
        {
            User = "root",
            Entrypoint = ["/bin/sh"],
            Environment = new Dictionary<string, string> { ["TOOL_MODE"] = "prod", ["MISSING"] = "x" },
            Labels = new Dictionary<string, string> { ["org.example.title"] = "other" },
            Volumes = ["/data"],
            Workdir = "/",
        });

        var result = await RunOneAsync(client, image, check);

        Assert.False(result.Passed);
        Assert.Contains("user is 'hagicode', expected 'root'", result.Reason, StringComparison.Ordinal);
        Assert.Contains("entrypoint is ['/usr/local/bin/entrypoint'], expected ['/bin/sh']", result.Reason, StringComparison.Ordinal);
        Assert.Contains("environment variable TOOL_MODE is 'test', expected 'prod'", result.Reason, StringComparison.Ordinal);
        Assert.Contains("environment variable MISSING is not set", result.Reason, StringComparison.Ordinal);
        Assert.Contains("label org.example.title is 'smoke-tiny', expected 'other'", result.Reason, StringComparison.Ordinal);
        Assert.Contains("/data is not declared as a volume", result.Reason, StringComparison.Ordinal);
        Assert.Contains("workdir is '/home/hagicode', expected '/'", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Cancelled_RemovesContainers()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        await using var images = new SmokeTestImages(client, fixture);
        var image = await images.CorrectAsync();
        var manifest = SmokeTestImages.Manifest(new SmokeSettings
        {
            Commands =
            [
                new SmokeCommandCheck { Name = "slow-1", Command = ["sleep", "60"] },
                new SmokeCommandCheck { Name = "slow-2", Command = ["sleep", "60"] },
            ],
        });
        using var cancellation = new CancellationTokenSource(TimeSpan.FromSeconds(3));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => Stage(client).RunAsync(manifest, SmokeTestImages.Lock(), image, SmokeTestStage.DeclaredChecks(manifest), cancellation.Token));

        Assert.Empty(await images.ContainersOfAsync(image));
    }

    private SmokeTestStage Stage(DockerClient client, BuildSecrets? secrets = null) =>
        new(client, fixture.Log.Logger) { Secrets = secrets ?? BuildSecrets.None };

    private async Task<SmokeResult> RunOneAsync(DockerClient client, string image, ISmokeCheck check, BuildSecrets? secrets = null, SmokeSettings? smoke = null)
    {
        var results = await Stage(client, secrets).RunAsync(SmokeTestImages.Manifest(smoke), SmokeTestImages.Lock(), image, [check]);
        return Assert.Single(results);
    }
}
