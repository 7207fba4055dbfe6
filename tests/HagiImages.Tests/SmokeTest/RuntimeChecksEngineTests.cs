using Docker.DotNet;
using HagiImages.Manifest;
using HagiImages.Render;
using HagiImages.Resolve;
using HagiImages.SmokeTest;
using HagiImages.SmokeTest.Checks;
using HagiImages.Tests.Docker;
using HagiImages.Tests.Manifest;

namespace HagiImages.Tests.SmokeTest;

/// <summary>
/// The checks of the entrypoint's runtime behaviour (PUID/PGID remapping, invalid PUID, <c>--user</c> mode, version
/// overrides) pass on a tiny image with the entrypoint rendered from the real template, and fail on the same image
/// whose entrypoint has one behaviour broken by a text edit.
/// </summary>
[Collection("docker")]
public sealed class RuntimeChecksEngineTests
{
    private const string VersionVariable = "TOOL_VERSION";

    private readonly DockerFixture fixture;

    public RuntimeChecksEngineTests(DockerFixture fixture)
    {
        this.fixture = fixture;
    }

    [Fact]
    public async Task PuidRemap_PuidIgnored_Fails()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var (passing, failing) = await RunOnBothAsync(
            client,
            new PuidRemapCheck(),
            "puid-ignored",
            "  run_uid=$((10#$uid))\n  run_gid=$((10#$gid))\n",
            "  run_uid=$default_uid\n  run_gid=$default_gid\n");

        Assert.True(passing.Passed, passing.Reason);
        Assert.False(failing.Passed);
        Assert.Contains("PID 1 runs as '1000:1000', expected 1001:1001 from PUID/PGID", failing.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PuidRemap_StateNotReowned_Fails()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var (passing, failing) = await RunOnBothAsync(
            client,
            new PuidRemapCheck(),
            "state-not-reowned",
            "  own_state_paths \"$run_uid\" \"$run_gid\"\n",
            "");

        Assert.True(passing.Passed, passing.Reason);
        Assert.False(failing.Passed);
        Assert.Contains("after start with PUID=1001: expected owner 1001:1001", failing.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidPuid_ZeroAccepted_Fails()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var (passing, failing) = await RunOnBothAsync(
            client,
            new InvalidPuidCheck(),
            "puid-zero-accepted",
            "  if (( 10#$value == 0 )) && [[ ${HAGI_ALLOW_ROOT:-0} != 1 ]]; then\n",
            "  if false; then\n");

        Assert.True(passing.Passed, passing.Reason);
        Assert.False(failing.Passed);
        Assert.Contains("With PUID='0' the container exited with code 0 and ran the command", failing.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidPuid_NoNumberCheck_Fails()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var (passing, failing) = await RunOnBothAsync(
            client,
            new InvalidPuidCheck(),
            "puid-not-number-checked",
            "  if [[ ! $value =~ ^[0-9]+$ ]]; then\n",
            "  if false; then\n");

        Assert.True(passing.Passed, passing.Reason);
        Assert.False(failing.Passed);
        Assert.Contains("With PUID='abc' the output lacks the message \"PUID must be a whole number, got 'abc'\"", failing.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidPgid_NotValidated_Fails()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var (passing, failing) = await RunOnBothAsync(
            client,
            new InvalidPuidCheck(),
            "pgid-not-validated",
            "  validate_id PGID \"$gid\"\n",
            "");

        Assert.True(passing.Passed, passing.Reason);
        Assert.False(failing.Passed);
        Assert.Contains("With PGID='0'", failing.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserMode_RootRequired_Fails()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var (passing, failing) = await RunOnBothAsync(
            client,
            new UserModeCheck(),
            "user-mode-rejected",
            "main() {\n",
            "main() {\n  [[ $(id -u) == 0 ]] || fail \"start the container as root\"\n");

        Assert.True(passing.Passed, passing.Reason);
        Assert.False(failing.Passed);
        Assert.Contains("With --user 1000:1000, 'id -u' exited with code 64", failing.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserMode_StateCheckSkipped_Fails()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var (passing, failing) = await RunOnBothAsync(
            client,
            new UserModeCheck(),
            "user-state-unchecked",
            "    check_state_paths\n",
            "");

        Assert.True(passing.Passed, passing.Reason);
        Assert.False(failing.Passed);
        Assert.Contains("the container exited with code 0; expected a non-zero exit because the user cannot write there", failing.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VersionOverride_UnanchoredPattern_Fails()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var (passing, failing) = await RunOnBothAsync(
            client,
            new VersionOverrideCheck(),
            "version-unanchored",
            "(\\.[0-9A-Za-z-]+)*)?$'\n",
            "(\\.[0-9A-Za-z-]+)*)?'\n");

        Assert.True(passing.Passed, passing.Reason);
        Assert.False(failing.Passed);
        Assert.Contains($"{VersionVariable}='1.0.0 && id' was accepted (exit 0)", failing.Reason, StringComparison.Ordinal);
    }

    /// <summary>The tiny manifest with a state folder <c>~/.tool</c> and the version variable of the CLI.</summary>
    private static ImageManifest Manifest()
    {
        var tiny = SmokeTestImages.Manifest();
        return tiny with
        {
            Clis = [tiny.Clis[0] with { State = [new StatePath { Path = "~/.tool" }], VersionVariable = VersionVariable }],
        };
    }

    private static ImageLock Lock() => SmokeTestImages.Lock() with
    {
        Clis = new Dictionary<string, PinnedPackage>
        {
            ["tool"] = new()
            {
                Package = "tool",
                Spec = "1.0.0",
                Version = "1.0.0",
                Integrity = TestPins.Node.Integrity,
                Tarball = "https://registry.npmjs.org/tool/-/tool-1.0.0.tgz",
            },
        },
    };

    private static string RenderEntrypoint()
    {
        var template = Path.Combine(RepositoryLayout.ImagesDirectory, "templates", "entrypoint.sh.scriban");
        return TemplateRenderer.Render(template, RenderModel.Create(Manifest(), Lock(), "compose.yaml"));
    }

    /// <summary>
    /// Replaces <paramref name="original"/>, which must occur exactly once, so a changed template fails here and not in
    /// a check.
    /// </summary>
    private static string BreakEntrypoint(string entrypoint, string original, string replacement)
    {
        var occurrences = entrypoint.Split(original).Length - 1;
        Assert.True(occurrences == 1, $"The rendered entrypoint contains {occurrences} occurrences of '{original.TrimEnd('\n')}', expected 1.");
        return entrypoint.Replace(original, replacement, StringComparison.Ordinal);
    }

    /// <summary>
    /// Builds the correct runtime image and a broken one on top of the tiny image, runs <paramref name="check"/> on
    /// both and removes the images.
    /// </summary>
    private async Task<(SmokeResult Passing, SmokeResult Failing)> RunOnBothAsync(
        DockerClient client,
        ISmokeCheck check,
        string brokenName,
        string original,
        string replacement)
    {
        var entrypoint = RenderEntrypoint();
        var broken = BreakEntrypoint(entrypoint, original, replacement);

        await using var images = new SmokeTestImages(client, fixture);
        var correctImage = await RuntimeImageAsync(images, "runtime-correct", entrypoint);
        var brokenImage = await RuntimeImageAsync(images, $"runtime-{brokenName}", broken);

        var passing = await RunAsync(client, correctImage, check);
        var failing = await RunAsync(client, brokenImage, check);
        return (passing, failing);
    }

    /// <summary>
    /// Builds an image that starts as root, as the real image does, with <paramref name="entrypoint"/> as
    /// <c>/usr/local/bin/hagi-entrypoint</c> and the state folder <c>~/.tool</c> owned by the image user.
    /// </summary>
    private static Task<string> RuntimeImageAsync(SmokeTestImages images, string name, string entrypoint) =>
        images.DerivedAsync(
            name,
            """
            USER root
            RUN install -d -o 1000 -g 1000 /home/hagicode/.tool
            COPY hagi-entrypoint /usr/local/bin/hagi-entrypoint
            RUN chmod 755 /usr/local/bin/hagi-entrypoint
            ENTRYPOINT ["/usr/local/bin/hagi-entrypoint"]
            CMD ["bash"]
            """,
            new Dictionary<string, string> { ["hagi-entrypoint"] = entrypoint });

    private async Task<SmokeResult> RunAsync(DockerClient client, string image, ISmokeCheck check)
    {
        var stage = new SmokeTestStage(client, fixture.Log.Logger);
        var results = await stage.RunAsync(Manifest(), Lock(), image, [check]);
        return Assert.Single(results);
    }
}
