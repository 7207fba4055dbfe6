using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HagiImages.Tests.Fixtures;

/// <summary>
/// A Docker registry (Debian's <c>docker-registry</c>, distribution 2.8) on a free 127.0.0.1 port, with its
/// configuration and storage in a temporary folder. The Docker engine treats 127.0.0.0/8 registries as insecure,
/// so images can be pushed to <see cref="Address"/> over plain HTTP. Disposing stops the process and deletes the folder.
/// </summary>
public sealed class LocalRegistry : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private readonly Process process;
    private readonly string directory;
    private readonly StringBuilder output;

    private LocalRegistry(Process process, string directory, StringBuilder output, int port, string? username, string? password)
    {
        this.process = process;
        this.directory = directory;
        this.output = output;
        Port = port;
        Username = username;
        Password = password;
    }

    public int Port { get; }

    /// <summary>Host and port, such as <c>127.0.0.1:41234</c>.</summary>
    public string Address => $"127.0.0.1:{Port}";

    /// <summary>The htpasswd user, or null for an open registry.</summary>
    public string? Username { get; }

    public string? Password { get; }

    /// <summary>Whether the registry process has exited.</summary>
    public bool HasExited => process.HasExited;

    /// <summary>
    /// Starts a registry and waits until <c>/v2/</c> responds. With <paramref name="username"/>, the registry
    /// requires HTTP Basic authentication against a bcrypt htpasswd file that contains only that user.
    /// </summary>
    /// <exception cref="InvalidOperationException">The registry did not respond within the start timeout.</exception>
    public static async Task<LocalRegistry> StartAsync(string? username = null, string? password = null, CancellationToken cancellationToken = default)
    {
        var directory = Directory.CreateTempSubdirectory("hagi-test-registry-").FullName;
        LocalRegistry? registry = null;
        try
        {
            var port = FindFreePort();
            var authSection = "";
            if (username is not null)
            {
                var htpasswdPath = Path.Combine(directory, "htpasswd");
                await WriteHtpasswdAsync(htpasswdPath, username, password ?? "", cancellationToken).ConfigureAwait(false);
                authSection = $"auth:\n  htpasswd:\n    realm: hagi-test\n    path: {htpasswdPath}\n";
            }

            var configPath = Path.Combine(directory, "config.yml");
            var config = "version: 0.1\n"
                + "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
                + $"storage:\n  filesystem:\n    rootdirectory: {Path.Combine(directory, "data")}\n  delete:\n    enabled: true\n"
                + $"http:\n  addr: 127.0.0.1:{port}\n"
                + authSection;
            await File.WriteAllTextAsync(configPath, config, cancellationToken).ConfigureAwait(false);

            var output = new StringBuilder();
            var startInfo = new ProcessStartInfo("docker-registry")
            {
                ArgumentList = { "serve", configPath },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            var process = new Process { StartInfo = startInfo };
            process.OutputDataReceived += (_, line) => AppendLine(output, line.Data);
            process.ErrorDataReceived += (_, line) => AppendLine(output, line.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            registry = new LocalRegistry(process, directory, output, port, username, password);
            await registry.WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
            return registry;
        }
        catch
        {
            if (registry is not null)
            {
                await registry.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                Directory.Delete(directory, recursive: true);
            }

            throw;
        }
    }

    /// <summary>Kills the registry process, so the next request to it is refused. Safe to call twice.</summary>
    public void Stop()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        await process.WaitForExitAsync().ConfigureAwait(false);
        process.Dispose();
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + StartTimeout;
        var url = $"http://{Address}/v2/";
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"docker-registry exited with code {process.ExitCode} before {url} responded. Output:\n{ReadOutput()}");
            }

            try
            {
                using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Unauthorized)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The 2 s request timeout elapsed.
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"docker-registry did not respond at {url} within {StartTimeout.TotalSeconds} s. Output:\n{ReadOutput()}");
    }

    private string ReadOutput()
    {
        lock (output)
        {
            return output.ToString();
        }
    }

    private static void AppendLine(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static int FindFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task WriteHtpasswdAsync(string path, string username, string password, CancellationToken cancellationToken)
    {
        // distribution 2.8 accepts only bcrypt entries, which htpasswd writes with -B.
        var startInfo = new ProcessStartInfo("htpasswd")
        {
            ArgumentList = { "-B", "-b", "-c", path, username, password },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var htpasswd = Process.Start(startInfo) ?? throw new InvalidOperationException("htpasswd did not start.");
        var error = await htpasswd.StandardError.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await htpasswd.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (htpasswd.ExitCode != 0)
        {
            throw new InvalidOperationException($"htpasswd exited with code {htpasswd.ExitCode}: {error}");
        }
    }
}
