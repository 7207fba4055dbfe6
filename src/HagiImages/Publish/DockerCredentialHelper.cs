using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using HagiImages.Pipeline;

namespace HagiImages.Publish;

/// <summary>
/// Runs a Docker credential helper (<c>docker-credential-&lt;name&gt; get</c>), which reads a server address on
/// standard input and writes <c>{"ServerURL", "Username", "Secret"}</c> as JSON on standard output.
/// </summary>
internal sealed class DockerCredentialHelper
{
    /// <summary>The text helpers print, with a non-zero exit code, when they hold no login for the server.</summary>
    private const string NotFoundText = "credentials not found";

    /// <summary>The user name with which a helper marks <c>Secret</c> as an identity token.</summary>
    private const string IdentityTokenUsername = "<token>";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly string name;
    private readonly string searchPath;

    /// <param name="name">Helper name without the <c>docker-credential-</c> prefix, such as <c>pass</c>.</param>
    /// <param name="searchPath">The <c>PATH</c> value to find the helper in.</param>
    public DockerCredentialHelper(string name, string searchPath)
    {
        this.name = name;
        this.searchPath = searchPath;
    }

    public string ExecutableName => $"docker-credential-{name}";

    /// <summary>
    /// Returns the login the helper stores for <paramref name="serverAddress"/>, or null when it stores none.
    /// <paramref name="configuredIn"/> names where the helper is configured, for messages, such as
    /// <c>credsStore in /root/.docker/config.json</c>.
    /// </summary>
    /// <exception cref="PipelineException">The helper is not on PATH, fails, times out or writes invalid output.</exception>
    public async Task<RegistryCredential?> GetAsync(string serverAddress, string configuredIn, CancellationToken cancellationToken = default)
    {
        var executable = FindExecutable() ?? throw new PipelineException(
            $"Credential helper '{ExecutableName}' ({configuredIn}) is not on PATH. Install it, or remove it from the Docker configuration and log in again with 'docker login {serverAddress}'.");

        var startInfo = new ProcessStartInfo(executable)
        {
            ArgumentList = { "get" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        startInfo.Environment["PATH"] = searchPath;

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            throw new PipelineException($"Credential helper '{executable}' ({configuredIn}) could not be started: {exception.Message}", exception);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        string output;
        string error;
        try
        {
            await process.StandardInput.WriteAsync(serverAddress.AsMemory(), timeout.Token).ConfigureAwait(false);
            process.StandardInput.Close();
            var outputTask = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var errorTask = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            output = await outputTask.ConfigureAwait(false);
            error = await errorTask.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new PipelineException(
                $"Credential helper '{executable}' ({configuredIn}) did not answer for '{serverAddress}' within {Timeout.TotalSeconds} s. A helper that waits for a desktop prompt or a locked keyring causes this; unlock it or log in again.");
        }

        if (process.ExitCode != 0)
        {
            // A failing helper writes its reason, not the secret, so the output can be shown.
            var reason = string.Join(" ", new[] { output.Trim(), error.Trim() }.Where(text => text.Length > 0));
            if (reason.Contains(NotFoundText, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            throw new PipelineException(
                $"Credential helper '{executable}' ({configuredIn}) failed for '{serverAddress}' with exit code {process.ExitCode}: {reason}");
        }

        HelperOutput? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<HelperOutput>(output);
        }
        catch (JsonException exception)
        {
            // The output may hold the secret, so the message names neither the output nor the parser's excerpt of it.
            throw new PipelineException(
                $"Credential helper '{executable}' ({configuredIn}) wrote output for '{serverAddress}' that is not the expected JSON object with Username and Secret.",
                new JsonException("The helper output could not be parsed.", exception.Path, exception.LineNumber, exception.BytePositionInLine));
        }

        if (parsed is null || string.IsNullOrEmpty(parsed.Secret))
        {
            throw new PipelineException(
                $"Credential helper '{executable}' ({configuredIn}) returned no secret for '{serverAddress}'. Log in again with 'docker login {serverAddress}'.");
        }

        var source = $"credential helper {ExecutableName} ({configuredIn})";
        return parsed.Username == IdentityTokenUsername
            ? new RegistryCredential("", null, parsed.Secret, source)
            : new RegistryCredential(parsed.Username ?? "", parsed.Secret, null, source);
    }

    private string? FindExecutable()
    {
        foreach (var directory in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, ExecutableName);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private sealed class HelperOutput
    {
        [JsonPropertyName("Username")]
        public string? Username { get; init; }

        [JsonPropertyName("Secret")]
        public string? Secret { get; init; }
    }
}
