using HagiImages.Docker;
using HagiImages.Pipeline;

namespace HagiImages.BaseImage;

/// <summary>Checks that a base image runs the pinned Node.js and npm versions.</summary>
internal sealed class BaseImageVerifier
{
    private static readonly IReadOnlyDictionary<string, string> QuietNpm = new Dictionary<string, string>
    {
        ["NO_UPDATE_NOTIFIER"] = "1",
        ["npm_config_update_notifier"] = "false",
    };

    private readonly ContainerRunner runner;

    public BaseImageVerifier(ContainerRunner runner) => this.runner = runner;

    /// <summary>Runs <c>node --version</c> and <c>npm --version</c> in containers of <paramref name="image"/>.</summary>
    /// <exception cref="PipelineException">A command failed or printed another version.</exception>
    public async Task VerifyAsync(string image, string nodeVersion, string npmVersion, IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken = default)
    {
        await ExpectAsync(image, ["node", "--version"], "v" + nodeVersion, labels, cancellationToken).ConfigureAwait(false);
        await ExpectAsync(image, ["npm", "--version"], npmVersion, labels, cancellationToken).ConfigureAwait(false);
    }

    private async Task ExpectAsync(
        string image, IReadOnlyList<string> command, string expected, IReadOnlyDictionary<string, string> labels, CancellationToken cancellationToken)
    {
        var result = await runner.RunAsync(
            new ContainerRunRequest { Image = image, Command = command, Environment = QuietNpm, Labels = labels, Timeout = TimeSpan.FromMinutes(1) },
            cancellationToken).ConfigureAwait(false);
        var actual = result.Stdout.Trim();
        if (result.ExitCode != 0 || actual != expected)
        {
            throw new PipelineException(
                $"The base image {image} failed its check: '{string.Join(' ', command)}' exited with {result.ExitCode} and printed '{actual}', "
                + $"expected '{expected}'. Output:\n{result.Tail()}");
        }
    }
}
