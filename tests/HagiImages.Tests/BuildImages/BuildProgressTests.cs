using System.Text.Json;
using Docker.DotNet.Models;
using HagiImages.BuildImages;
using HagiImages.Tests.Docker;
using Serilog.Events;

namespace HagiImages.Tests.BuildImages;

public sealed class BuildProgressTests
{
    [Fact]
    public void Progress_TracksStepsIdsAndErrors()
    {
        var log = new TestLog();
        var progress = new BuildProgress(log.Logger, "hagi-test/x:1", ["hunter2"]);

        progress.Report(new JSONMessage { Stream = "Step 1/2 : FROM base\n" });
        progress.Report(new JSONMessage { Stream = " ---> 0123456789ab\n" });
        progress.Report(new JSONMessage { Stream = "Step 2/2 : RUN make\n ---> Running in aaaaaaaaaaaa\n" });
        progress.Report(new JSONMessage { Stream = "token hunt" });
        progress.Report(new JSONMessage { Stream = "er2 printed\n" });
        progress.Report(new JSONMessage { Aux = new ObjectExtensionData { ExtensionData = new Dictionary<string, object> { ["ID"] = JsonDocument.Parse("\"sha256:feed\"").RootElement } } });
        progress.Report(new JSONMessage { Error = new JSONError { Code = 2, Message = "The command '/bin/sh -c make hunter2' returned a non-zero code: 2" } });

        Assert.Equal("Step 2/2 : RUN make", progress.CurrentStep);
        Assert.Equal(["0123456789ab", "sha256:feed"], progress.ImageIds);
        Assert.Equal(["---> Running in aaaaaaaaaaaa", "token **** printed"], progress.StepOutput.Select(line => line.Trim()));
        Assert.Equal("The command '/bin/sh -c make ****' returned a non-zero code: 2", progress.Error);
        Assert.Equal(2, log.MessagesAt(LogEventLevel.Information).Count);
        Assert.DoesNotContain(log.Messages, message => message.Contains("hunter2", StringComparison.Ordinal));
    }
}
