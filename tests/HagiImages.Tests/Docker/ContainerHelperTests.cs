using System.Text;
using Docker.DotNet.Models;
using HagiImages.Docker;
using HagiImages.Pipeline;

namespace HagiImages.Tests.Docker;

[Collection("docker")]
public sealed class ContainerHelperTests
{
    private readonly DockerFixture fixture;

    public ContainerHelperTests(DockerFixture fixture) => this.fixture = fixture;

    [Fact]
    public async Task Run_CapturesStreamsAndExitCode()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var image = await fixture.GetDebianImageAsync();

        var result = await new ContainerRunner(client, fixture.Log.Logger).RunAsync(new ContainerRunRequest
        {
            Image = image,
            Command = ["sh", "-c", "echo out; echo err >&2; echo \"$GREETING\"; exit 7"],
            Environment = new Dictionary<string, string> { ["GREETING"] = "hello" },
            Labels = DockerFixture.TestLabels,
        });

        Assert.Equal(7, result.ExitCode);
        Assert.Equal("out\nhello\n", result.Stdout);
        Assert.Equal("err\n", result.Stderr);
    }

    [Fact]
    public async Task Run_TimeoutKillsAndRemoves()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var image = await fixture.GetDebianImageAsync();
        var marker = Guid.NewGuid().ToString("N");

        var exception = await Assert.ThrowsAsync<PipelineException>(() => new ContainerRunner(client, fixture.Log.Logger).RunAsync(new ContainerRunRequest
        {
            Image = image,
            Command = ["sh", "-c", "echo started; sleep 60"],
            Labels = new Dictionary<string, string> { [DockerLabels.Test] = marker },
            Timeout = TimeSpan.FromSeconds(2),
        }));
        var left = await client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [$"{DockerLabels.Test}={marker}"] = true } },
        });

        Assert.Contains("did not finish within 2 s", exception.Message, StringComparison.Ordinal);
        Assert.Contains("started", exception.Message, StringComparison.Ordinal);
        Assert.Empty(left);
    }

    [Fact]
    public async Task Run_MissingImageFails()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var exception = await Assert.ThrowsAsync<PipelineException>(() => new ContainerRunner(client, fixture.Log.Logger).RunAsync(
            new ContainerRunRequest { Image = "hagi-test/absent:1", Command = ["true"] }));

        Assert.Contains("hagi-test/absent:1", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exec_OutputExitCodeAndUser()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var image = await fixture.GetDebianImageAsync();
        var containers = new ContainerManager(client, fixture.Log.Logger);
        var id = await containers.CreateAndStartAsync(new ContainerSettings
        {
            Image = image,
            Name = $"hagi-test-exec-{Guid.NewGuid():N}",
            Command = ["sleep", "infinity"],
            Environment = new Dictionary<string, string> { ["FROM_SPEC"] = "spec-value" },
            Labels = DockerFixture.TestLabels,
        });
        try
        {
            var identity = await containers.ExecAsync(id, new ExecRequest { Command = ["sh", "-c", "id -u; echo \"$FROM_SPEC $FROM_EXEC\""], User = "1000:1000", Environment = new Dictionary<string, string> { ["FROM_EXEC"] = "exec-value" } });
            var failing = await containers.ExecAsync(id, new ExecRequest { Command = ["sh", "-c", "echo failing >&2; exit 5"] });

            Assert.Equal(0, identity.ExitCode);
            Assert.Equal("1000\nspec-value exec-value\n", identity.Stdout);
            Assert.Equal(5, failing.ExitCode);
            Assert.Equal("failing\n", failing.Stderr);
        }
        finally
        {
            await containers.RemoveAsync(id);
        }
    }

    [Fact]
    public async Task Volume_SurvivesRestartAndRecreate()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var image = await fixture.GetDebianImageAsync();
        var volumes = new VolumeManager(client, fixture.Log.Logger);
        var containers = new ContainerManager(client, fixture.Log.Logger);
        var volume = $"hagi-test-state-{Guid.NewGuid():N}";
        var spec = new ContainerSettings
        {
            Image = image,
            Command = ["sleep", "infinity"],
            Volumes = new Dictionary<string, string> { ["/state"] = volume },
            Labels = DockerFixture.TestLabels,
        };
        var read = new ExecRequest { Command = ["cat", "/state/value"] };
        string? first = null;
        string? second = null;
        try
        {
            await volumes.CreateAsync(volume, DockerFixture.TestLabels);
            first = await containers.CreateAndStartAsync(spec);
            await containers.ExecAsync(first, new ExecRequest { Command = ["sh", "-c", "echo kept > /state/value"] });

            await containers.RestartAsync(first, TimeSpan.FromSeconds(1));
            var afterRestart = await containers.ExecAsync(first, read);
            await containers.StopAsync(first, TimeSpan.FromSeconds(1));
            await containers.RemoveAsync(first);
            second = await containers.CreateAndStartAsync(spec);
            var afterRecreate = await containers.ExecAsync(second, read);

            Assert.Equal("kept\n", afterRestart.Stdout);
            Assert.Equal("kept\n", afterRecreate.Stdout);
            Assert.False(await containers.IsRunningAsync(first));
            Assert.True(await volumes.ExistsAsync(volume));
        }
        finally
        {
            foreach (var id in new[] { first, second }.OfType<string>())
            {
                await containers.RemoveAsync(id);
            }

            await volumes.RemoveAsync(volume);
        }

        Assert.False(await volumes.ExistsAsync(volume));
    }

    [Fact]
    public async Task Files_PutAndGetWithOwner()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var image = await fixture.GetDebianImageAsync();
        var containers = new ContainerManager(client, fixture.Log.Logger);
        var files = new ContainerFiles(client, fixture.Log.Logger);
        var content = Encoding.UTF8.GetBytes("registry=https://example.invalid/\n");
        var id = await containers.CreateAndStartAsync(new ContainerSettings { Image = image, Command = ["sleep", "infinity"], Labels = DockerFixture.TestLabels });
        try
        {
            await files.PutFileAsync(id, "/tmp/npmrc", content, (UnixFileMode)0x180, uid: 1000, gid: 1000);
            var stat = await containers.ExecAsync(id, new ExecRequest { Command = ["stat", "-c", "%u:%g %a", "/tmp/npmrc"] });
            var roundTrip = await files.GetFileAsync(id, "/tmp/npmrc");
            var missing = await Assert.ThrowsAsync<PipelineException>(() => files.GetFileAsync(id, "/tmp/absent"));

            Assert.Equal("1000:1000 600\n", stat.Stdout);
            Assert.Equal(content, roundTrip);
            Assert.Contains("/tmp/absent", missing.Message, StringComparison.Ordinal);
        }
        finally
        {
            await containers.RemoveAsync(id);
        }
    }

    [Fact]
    public async Task Logs_ReturnLastLines()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var image = await fixture.GetDebianImageAsync();
        var containers = new ContainerManager(client, fixture.Log.Logger);
        var id = await containers.CreateAndStartAsync(new ContainerSettings
        {
            Image = image,
            // stdout and stderr reach the engine through separate pipes, so the pause keeps line5 recorded last.
            Command = ["sh", "-c", "for i in 1 2 3 4; do echo line$i; done; sleep 1; echo line5 >&2; sleep infinity"],
            Labels = DockerFixture.TestLabels,
        });
        try
        {
            var tail = "";
            for (var attempt = 0; attempt < 100 && !tail.Contains("line5", StringComparison.Ordinal); attempt++)
            {
                await Task.Delay(100);
                tail = await containers.GetLogTailAsync(id, 2);
            }

            Assert.Equal("line4\nline5", tail);
        }
        finally
        {
            await containers.RemoveAsync(id);
        }
    }
}
