using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace HagiImages.Tests.Fixtures;

/// <summary>
/// A Verdaccio 6 npm registry on a free 127.0.0.1 port, with its configuration, htpasswd file and storage in a
/// temporary folder. It has no uplinks, so it serves only the packages published to it. Packages under
/// <see cref="AuthenticatedScope"/> need a token to read; all others are public. Disposing stops the process and
/// deletes the folder.
/// </summary>
/// <remarks>
/// Verdaccio is installed with the host's npm into a cache folder under the system temp folder, once, and reused
/// by later runs. Publishing, deprecating and tagging run the host's <c>npm</c> against the registry.
/// </remarks>
public sealed class Verdaccio : IAsyncDisposable
{
    /// <summary>The scope whose packages need a token, even to read.</summary>
    public const string AuthenticatedScope = "@hagi-test";

    private const string VerdaccioSpec = "verdaccio@6";
    private const string UserName = "hagi-test";

    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan NpmTimeout = TimeSpan.FromSeconds(60);
    private static readonly SemaphoreSlim InstallLock = new(1, 1);

    private readonly Process _process;
    private readonly string _directory;
    private readonly StringBuilder _output;

    private Verdaccio(Process process, string directory, StringBuilder output, int port)
    {
        _process = process;
        _directory = directory;
        _output = output;
        Port = port;
        Token = "";
    }

    public int Port { get; }

    /// <summary>The registry URL, such as <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Url => new($"http://127.0.0.1:{Port}/");

    /// <summary>The token of the test user, who may read and publish every package.</summary>
    public string Token { get; private set; }

    /// <summary>The folder where Verdaccio stores package documents and tarballs.</summary>
    public string StorageDirectory => Path.Combine(_directory, "storage");

    /// <summary>
    /// Installs Verdaccio when the cache folder does not hold it yet, starts it, waits until <c>/-/ping</c>
    /// responds and creates the test user.
    /// </summary>
    /// <exception cref="InvalidOperationException">npm or node is missing, the install failed, or Verdaccio did
    /// not start within the start timeout.</exception>
    public static async Task<Verdaccio> StartAsync(CancellationToken cancellationToken = default)
    {
        var entryPoint = await InstallAsync(cancellationToken).ConfigureAwait(false);
        var directory = Directory.CreateTempSubdirectory("hagi-test-verdaccio-").FullName;
        Verdaccio? registry = null;
        try
        {
            var port = FindFreePort();
            var configPath = Path.Combine(directory, "config.yaml");
            await File.WriteAllTextAsync(configPath, CreateConfig(directory), cancellationToken).ConfigureAwait(false);

            var output = new StringBuilder();
            var startInfo = new ProcessStartInfo("node")
            {
                ArgumentList = { entryPoint, "--config", configPath, "--listen", $"127.0.0.1:{port}" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = directory,
            };
            var process = new Process { StartInfo = startInfo };
            process.OutputDataReceived += (_, line) => AppendLine(output, line.Data);
            process.ErrorDataReceived += (_, line) => AppendLine(output, line.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();

            registry = new Verdaccio(process, directory, output, port);
            await registry.WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
            registry.Token = await registry.AddUserAsync(cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(registry.UserConfigPath, registry.CreateNpmrc(), cancellationToken).ConfigureAwait(false);
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

    private string UserConfigPath => Path.Combine(_directory, "npmrc");

    // The .npmrc of the npm commands that publish, deprecate and tag.
    private string CreateNpmrc() => $"registry={Url}\n//127.0.0.1:{Port}/:_authToken={Token}\n";

    /// <summary>
    /// Publishes a package that holds only its <c>package.json</c>, with <c>npm publish</c>.
    /// </summary>
    /// <param name="name">The package name.</param>
    /// <param name="version">The version.</param>
    /// <param name="tag">The dist-tag to publish under; pass another tag than <c>latest</c> for a prerelease.</param>
    /// <param name="enginesNode">The <c>engines.node</c> range, or null for none.</param>
    /// <param name="cancellationToken">Cancels the npm process.</param>
    /// <exception cref="InvalidOperationException">npm failed or timed out.</exception>
    public async Task PublishAsync(string name, string version, string tag = "latest", string? enginesNode = null, CancellationToken cancellationToken = default)
    {
        var packageDirectory = Path.Combine(_directory, "packages", $"{name.Replace('/', '+')}-{version}");
        Directory.CreateDirectory(packageDirectory);
        var manifest = new JsonObject
        {
            ["name"] = name,
            ["version"] = version,
            ["description"] = $"Test package {name} {version}",
            ["license"] = "MIT",
        };
        if (enginesNode is not null)
        {
            manifest["engines"] = new JsonObject { ["node"] = enginesNode };
        }

        await File.WriteAllTextAsync(Path.Combine(packageDirectory, "package.json"), manifest.ToJsonString(), cancellationToken).ConfigureAwait(false);
        await RunNpmAsync(packageDirectory, ["publish", "--tag", tag], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Marks one version deprecated with <c>npm deprecate</c>.</summary>
    /// <exception cref="InvalidOperationException">npm failed or timed out.</exception>
    public Task DeprecateAsync(string name, string version, string message, CancellationToken cancellationToken = default) =>
        RunNpmAsync(_directory, ["deprecate", $"{name}@{version}", message], cancellationToken);

    /// <summary>Points a dist-tag at a version with <c>npm dist-tag add</c>.</summary>
    /// <exception cref="InvalidOperationException">npm failed or timed out.</exception>
    public Task AddDistTagAsync(string name, string version, string tag, CancellationToken cancellationToken = default) =>
        RunNpmAsync(_directory, ["dist-tag", "add", $"{name}@{version}", tag], cancellationToken);

    /// <summary>
    /// Changes the package document that Verdaccio stores for <paramref name="name"/>. Verdaccio reads the file
    /// on each request, so the next GET returns the edited document.
    /// </summary>
    public async Task EditStoredDocumentAsync(string name, Action<JsonObject> edit, CancellationToken cancellationToken = default)
    {
        var path = Path.Combine(StorageDirectory, name, "package.json");
        var document = JsonNode.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false))!.AsObject();
        edit(document);
        await File.WriteAllTextAsync(path, document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Fetches the package document as the test user.</summary>
    public async Task<JsonObject> GetDocumentAsync(string name, CancellationToken cancellationToken = default)
    {
        using var http = CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Url, name.Replace("/", "%2F", StringComparison.Ordinal)));
        request.Headers.Authorization = new("Bearer", Token);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false))!.AsObject();
    }

    /// <summary>Downloads a tarball as the test user.</summary>
    public async Task<byte[]> DownloadAsync(string tarballUrl, CancellationToken cancellationToken = default)
    {
        using var http = CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, tarballUrl);
        request.Headers.Authorization = new("Bearer", Token);
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the Verdaccio process with SIGSTOP, so the kernel accepts connections but no request gets a response
    /// until <see cref="ResumeAsync"/>.
    /// </summary>
    public Task SuspendAsync(CancellationToken cancellationToken = default) => SignalAsync("STOP", cancellationToken);

    /// <summary>Continues a process stopped by <see cref="SuspendAsync"/>.</summary>
    public Task ResumeAsync(CancellationToken cancellationToken = default) => SignalAsync("CONT", cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().ConfigureAwait(false);
        _process.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    // Returns the path of Verdaccio's command-line entry point in the cache folder, installing it first when needed.
    private static async Task<string> InstallAsync(CancellationToken cancellationToken)
    {
        var cache = Path.Combine(Path.GetTempPath(), "hagi-test-verdaccio-cache", "6");
        var entryPoint = Path.Combine(cache, "node_modules", "verdaccio", "bin", "verdaccio");
        var marker = Path.Combine(cache, ".installed");
        await InstallLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (File.Exists(marker) && File.Exists(entryPoint))
            {
                return entryPoint;
            }

            // npm installs into a fresh folder that is moved into place only when complete, so an interrupted
            // install never leaves a half-filled cache behind.
            Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
            var staging = $"{cache}.{Guid.NewGuid():N}";
            Directory.CreateDirectory(staging);
            try
            {
                await RunAsync(
                    "npm",
                    ["install", "--prefix", staging, VerdaccioSpec, "--no-audit", "--no-fund", "--no-save"],
                    staging,
                    null,
                    InstallTimeout,
                    cancellationToken).ConfigureAwait(false);
                await File.WriteAllTextAsync(Path.Combine(staging, ".installed"), VerdaccioSpec, cancellationToken).ConfigureAwait(false);
                if (Directory.Exists(cache))
                {
                    Directory.Delete(cache, recursive: true);
                }

                Directory.Move(staging, cache);
            }
            finally
            {
                if (Directory.Exists(staging))
                {
                    Directory.Delete(staging, recursive: true);
                }
            }

            return entryPoint;
        }
        finally
        {
            InstallLock.Release();
        }
    }

    private static string CreateConfig(string directory)
    {
        // No "uplinks" and no "proxy" on any package pattern: a package that was not published here is a 404.
        return $"""
            storage: '{Path.Combine(directory, "storage")}'
            auth:
              htpasswd:
                file: '{Path.Combine(directory, "htpasswd")}'
                max_users: 10
            packages:
              '{AuthenticatedScope}/*':
                access: $authenticated
                publish: $authenticated
                unpublish: $authenticated
              '**':
                access: $all
                publish: $authenticated
                unpublish: $authenticated
            max_body_size: 50mb
            web:
              enable: false
            log:
              type: stdout
              format: json
              level: warn
            """;
    }

    private async Task<string> AddUserAsync(CancellationToken cancellationToken)
    {
        using var http = CreateHttpClient();
        var password = Convert.ToHexString(Guid.NewGuid().ToByteArray());
        using var response = await http.PutAsJsonAsync(
            new Uri(Url, $"-/user/org.couchdb.user:{UserName}"),
            new Dictionary<string, string> { ["name"] = UserName, ["password"] = password },
            cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Creating user {UserName} on {Url} returned HTTP {(int)response.StatusCode}: {body}");
        }

        return JsonNode.Parse(body)?["token"]?.GetValue<string>()
            ?? throw new InvalidOperationException($"Creating user {UserName} on {Url} returned no token.");
    }

    private async Task RunNpmAsync(string workingDirectory, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string>
        {
            ["npm_config_userconfig"] = UserConfigPath,
            ["npm_config_registry"] = Url.ToString(),
            ["npm_config_cache"] = Path.Combine(_directory, "npm-cache"),
            ["npm_config_update_notifier"] = "false",
        };
        await RunAsync("npm", arguments, workingDirectory, environment, NpmTimeout, cancellationToken).ConfigureAwait(false);
    }

    private async Task SignalAsync(string signal, CancellationToken cancellationToken)
    {
        if (_process.HasExited)
        {
            return;
        }

        await RunAsync("kill", [$"-{signal}", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], _directory, null, TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + StartTimeout;
        var url = new Uri(Url, "-/ping");
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Verdaccio exited with code {_process.ExitCode} before {url} responded. Output:\n{ReadOutput()}");
            }

            try
            {
                using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
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

            await Task.Delay(200, cancellationToken).ConfigureAwait(false);
        }

        throw new InvalidOperationException($"Verdaccio did not respond at {url} within {StartTimeout.TotalSeconds} s. Output:\n{ReadOutput()}");
    }

    private static async Task RunAsync(
        string fileName,
        IReadOnlyList<string> arguments,
        string workingDirectory,
        IReadOnlyDictionary<string, string>? environment,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            startInfo.Environment[key] = value;
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var standardOutput = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var standardError = process.StandardError.ReadToEndAsync(cancellationToken);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds} s.");
        }

        var output = await standardOutput.ConfigureAwait(false) + await standardError.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited with code {process.ExitCode}:\n{output}");
        }
    }

    private static HttpClient CreateHttpClient() => new() { Timeout = TimeSpan.FromSeconds(30) };

    private string ReadOutput()
    {
        lock (_output)
        {
            return _output.ToString();
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
}
