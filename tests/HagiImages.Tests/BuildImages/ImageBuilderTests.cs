using System.Text.RegularExpressions;
using Docker.DotNet;
using Docker.DotNet.Models;
using HagiImages.BuildImages;
using HagiImages.Docker;
using HagiImages.Pipeline;
using HagiImages.Tests.Docker;

namespace HagiImages.Tests.BuildImages;

[Collection("docker")]
public sealed partial class ImageBuilderTests
{
    private const string Secret = "s3cr3t-token-value";

    private readonly DockerFixture fixture;

    public ImageBuilderTests(DockerFixture fixture) => this.fixture = fixture;

    [Fact]
    public async Task Build_TwoStagesLabelsTagsAndCleanup()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var baseImage = await fixture.GetDebianImageAsync();
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var tags = new[] { $"hagi-test/two-stage:{suffix}", $"hagi-test/two-stage:{suffix}-alias" };
        var context = BuildContext.Empty()
            .AddFile("Dockerfile", $"""
                FROM {baseImage} AS builder
                ARG SECRET_TOKEN
                COPY ca.pem /tmp/ca.pem
                RUN echo "secret is $SECRET_TOKEN" && wc -c < /tmp/ca.pem > /tmp/artifact

                FROM {baseImage}
                ARG PLAIN
                COPY --from=builder /tmp/artifact /artifact
                RUN echo "$PLAIN" > /plain
                """)
            .AddFile("ca.pem", "-----BEGIN CERTIFICATE-----\n");
        var log = new TestLog();

        try
        {
            var imageId = await new ImageBuilder(client, log.Logger).BuildAsync(new ImageBuildRequest
            {
                Context = context,
                Tags = tags,
                BuildArgs = new Dictionary<string, string> { ["PLAIN"] = "plain-value" },
                SecretBuildArgs = new Dictionary<string, string> { ["SECRET_TOKEN"] = Secret },
                Labels = new Dictionary<string, string> { [DockerLabels.Test] = "true", ["org.example.case"] = "two-stage" },
            });

            var inspected = await client.Images.InspectImageAsync(tags[0]);
            var alias = await client.Images.InspectImageAsync(tags[1]);
            var history = (await client.Images.GetImageHistoryAsync(imageId)).Select(layer => layer.ID).ToHashSet();
            var reported = log.Messages.Select(message => ReportedId().Match(message)).Where(match => match.Success).Select(match => match.Groups["id"].Value).ToList();
            var leftovers = new List<string>();
            foreach (var id in reported.Where(id => !history.Any(layer => layer.Contains(id, StringComparison.Ordinal))))
            {
                if (await ExistsAsync(client, id))
                {
                    leftovers.Add(id);
                }
            }

            var files = await new ContainerRunner(client, log.Logger).RunAsync(new ContainerRunRequest
            {
                Image = tags[0],
                Command = ["sh", "-c", "cat /artifact /plain; test -e /tmp/ca.pem && echo ca-present || true"],
                Labels = DockerFixture.TestLabels,
            });

            Assert.Equal(inspected.ID, imageId);
            Assert.Equal(imageId, alias.ID);
            Assert.Equal("two-stage", inspected.Config!.Labels!["org.example.case"]);
            Assert.Equal("true", inspected.Config.Labels[DockerLabels.Test]);
            Assert.True(reported.Count >= 4, $"expected the build to report step images, got {reported.Count}");
            Assert.Empty(leftovers);
            Assert.Equal("28\nplain-value\n", files.Stdout);
            Assert.DoesNotContain(log.Messages, message => message.Contains(Secret, StringComparison.Ordinal));
            Assert.Contains(log.Messages, message => message.Contains("secret is ****", StringComparison.Ordinal));
            Assert.Contains(log.MessagesAt(Serilog.Events.LogEventLevel.Information), message => Regex.IsMatch(message, @"Step 1/\d+ : FROM "));
        }
        finally
        {
            await RemoveTagsAsync(client, tags);
        }
    }

    [Fact]
    public async Task Build_FailingStepNamesStepAndOutput()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var baseImage = await fixture.GetDebianImageAsync();
        var tag = $"hagi-test/failing:{Guid.NewGuid().ToString("N")[..8]}";
        var context = BuildContext.Empty().AddFile("Dockerfile", $"""
            FROM {baseImage}
            RUN echo prepared > /prepared
            RUN echo before-failure && echo to-stderr >&2 && exit 3
            """);
        var log = new TestLog();

        var exception = await Assert.ThrowsAsync<PipelineException>(() => new ImageBuilder(client, log.Logger).BuildAsync(
            new ImageBuildRequest { Context = context, Tags = [tag], Labels = DockerFixture.TestLabels }));
        var reported = log.Messages.Select(message => ReportedId().Match(message)).Where(match => match.Success).Select(match => match.Groups["id"].Value).ToList();
        var baseId = (await client.Images.InspectImageAsync(baseImage)).ID;
        var leftovers = new List<string>();
        foreach (var id in reported.Where(id => !baseId.Contains(id, StringComparison.Ordinal)))
        {
            if (await ExistsAsync(client, id))
            {
                leftovers.Add(id);
            }
        }

        Assert.Contains(tag, exception.Message, StringComparison.Ordinal);
        Assert.Matches(@"failed at 'Step 3/\d+ : RUN echo before-failure", exception.Message);
        Assert.Contains("returned a non-zero code: 3", exception.Message, StringComparison.Ordinal);
        Assert.Contains("before-failure\n", exception.Message, StringComparison.Ordinal);
        Assert.Contains("to-stderr", exception.Message, StringComparison.Ordinal);
        Assert.False(await ExistsAsync(client, tag));
        Assert.Empty(leftovers);
    }

    [Fact]
    public async Task Build_MissingBaseImageFails()
    {
        var client = fixture.ClientOrSkip();
        if (client is null)
        {
            return;
        }

        var context = BuildContext.Empty().AddFile("Dockerfile", "FROM 127.0.0.1:9/hagi-test/absent:1\nRUN true\n");

        var exception = await Assert.ThrowsAsync<PipelineException>(() => new ImageBuilder(client, fixture.Log.Logger).BuildAsync(
            new ImageBuildRequest { Context = context, Tags = ["hagi-test/absent-base:1"] }));

        Assert.Contains("hagi-test/absent-base:1", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Step 1/2 : FROM 127.0.0.1:9/hagi-test/absent:1", exception.Message, StringComparison.Ordinal);
    }

    private static async Task<bool> ExistsAsync(DockerClient client, string image)
    {
        try
        {
            await client.Images.InspectImageAsync(image);
            return true;
        }
        catch (DockerImageNotFoundException)
        {
            return false;
        }
    }

    private static async Task RemoveTagsAsync(DockerClient client, IEnumerable<string> tags)
    {
        foreach (var tag in tags)
        {
            try
            {
                await client.Images.DeleteImageAsync(tag, new ImageDeleteParameters());
            }
            catch (DockerImageNotFoundException)
            {
            }
        }
    }

    [GeneratedRegex(@" ---> (?<id>[0-9a-f]{12,64})""?$")]
    private static partial Regex ReportedId();
}
