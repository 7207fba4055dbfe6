using System.Collections;
using System.Text;
using HagiImages.Pipeline;

namespace HagiImages.Npm;

/// <summary>
/// The npm settings that resolving packages needs: the registry of each package, its token and the CA file.
/// Read with npm's precedence: <c>npm_config_*</c> environment variables, then the project's <c>.npmrc</c>,
/// then the user's <c>~/.npmrc</c>, then npm's defaults. Tokens are kept out of <see cref="ToString"/>.
/// </summary>
/// <remarks>
/// NOTE: npm's global file (<c>$PREFIX/etc/npmrc</c>) and <c>_auth</c> or username and password logins are not
/// read; only <c>_authToken</c> authenticates.
/// </remarks>
public sealed class NpmConfig
{
    /// <summary>npm's default registry.</summary>
    public const string DefaultRegistry = "https://registry.npmjs.org/";

    private const string AuthTokenSuffix = ":_authToken";

    private readonly IReadOnlyDictionary<string, NpmConfigValue> _values;
    private readonly string _homeDirectory;

    private NpmConfig(IReadOnlyDictionary<string, NpmConfigValue> values, IReadOnlyList<string> files, string homeDirectory)
    {
        _values = values;
        _homeDirectory = homeDirectory;
        Files = files;
        Registry = ReadRegistry("registry") ?? new Uri(DefaultRegistry);
        CaFile = ReadCaFile();
    }

    /// <summary>The registry of unscoped packages and of scopes without their own registry; ends with <c>/</c>.</summary>
    public Uri Registry { get; }

    /// <summary>Full path of the PEM file whose certificates are the only trusted CAs, or null to use the system trust store.</summary>
    public string? CaFile { get; }

    /// <summary>The <c>.npmrc</c> files that were read, highest precedence first.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>
    /// Reads the configuration of a repository.
    /// </summary>
    /// <param name="projectDirectory">The repository root, whose <c>.npmrc</c> is the project configuration.</param>
    /// <param name="userConfigPath">The user configuration file; by default the <c>userconfig</c> setting from the
    /// environment or <c>~/.npmrc</c>.</param>
    /// <param name="environment">Environment variables; by default those of this process.</param>
    /// <exception cref="PipelineException">A setting names an unset environment variable, a registry is not an
    /// http(s) URL, or the CA file does not exist.</exception>
    public static NpmConfig Load(string projectDirectory, string? userConfigPath = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(projectDirectory);
        environment ??= ReadProcessEnvironment();

        var fromEnvironment = NpmrcParser.ParseEnvironment(environment);
        userConfigPath ??= fromEnvironment.TryGetValue("userconfig", out var configured)
            ? ExpandHome(configured.Value, environment)
            : Path.Combine(HomeDirectory(environment), ".npmrc");

        var projectConfigPath = Path.GetFullPath(Path.Combine(projectDirectory, ".npmrc"));
        var layers = new List<Dictionary<string, NpmConfigValue>> { fromEnvironment };
        var files = new List<string>();
        foreach (var path in new[] { projectConfigPath, Path.GetFullPath(userConfigPath) }.Distinct(StringComparer.Ordinal))
        {
            if (File.Exists(path))
            {
                layers.Add(NpmrcParser.ParseFile(File.ReadAllText(path), path, environment));
                files.Add(path);
            }
        }

        var merged = new Dictionary<string, NpmConfigValue>(StringComparer.Ordinal);
        foreach (var layer in layers)
        {
            foreach (var (key, value) in layer)
            {
                merged.TryAdd(key, value);
            }
        }

        return new NpmConfig(merged, files, HomeDirectory(environment));
    }

    /// <summary>
    /// Returns the registry of a package: the <c>@scope:registry</c> setting for a scoped package when set,
    /// otherwise <see cref="Registry"/>.
    /// </summary>
    /// <exception cref="PipelineException">The scope's registry setting is not an http(s) URL.</exception>
    public Uri RegistryFor(string packageName)
    {
        ArgumentException.ThrowIfNullOrEmpty(packageName);
        if (packageName.StartsWith('@') && packageName.IndexOf('/', StringComparison.Ordinal) is > 1 and var slash)
        {
            return ReadRegistry($"{packageName[..slash]}:registry") ?? Registry;
        }

        return Registry;
    }

    /// <summary>Returns whether a token is configured for <paramref name="registry"/>.</summary>
    public bool HasTokenFor(Uri registry) => FindTokenSetting(registry) is not null;

    /// <summary>
    /// Returns the <c>_authToken</c> for a registry URL. As npm does, it looks for
    /// <c>//host[:port]/path/:_authToken</c> and then walks up the path to <c>//host[:port]/</c>.
    /// </summary>
    internal string? TokenFor(Uri registry) => FindTokenSetting(registry)?.Value;

    /// <summary>
    /// Returns an <c>.npmrc</c> for npm inside a build or a throwaway container: the registry, the scoped
    /// registries and their tokens, with every variable already expanded. The text holds secrets; it is passed
    /// only to build stages and never logged.
    /// </summary>
    internal string ToContainerNpmrc()
    {
        var text = new StringBuilder($"registry={Registry}\n");
        foreach (var (key, value) in _values.Where(entry => entry.Key.EndsWith(":registry", StringComparison.Ordinal) && entry.Key.StartsWith('@')).OrderBy(entry => entry.Key, StringComparer.Ordinal))
        {
            text.Append(key).Append('=').Append(value.Value).Append('\n');
        }

        foreach (var (key, value) in _values.Where(entry => entry.Key.StartsWith("//", StringComparison.Ordinal) && entry.Key.EndsWith(AuthTokenSuffix, StringComparison.Ordinal)).OrderBy(entry => entry.Key, StringComparer.Ordinal))
        {
            text.Append(key).Append('=').Append(value.Value).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Describes the settings in use; token values are never included.</summary>
    public override string ToString()
    {
        var text = new StringBuilder($"registry={Registry}");
        foreach (var (key, value) in _values.Where(entry => entry.Key.EndsWith(":registry", StringComparison.Ordinal)).OrderBy(entry => entry.Key, StringComparer.Ordinal))
        {
            text.Append($", {key}={value.Value}");
        }

        if (CaFile is not null)
        {
            text.Append($", cafile={CaFile}");
        }

        var tokenKeys = _values.Keys.Where(key => key.StartsWith("//", StringComparison.Ordinal) && key.EndsWith(AuthTokenSuffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        if (tokenKeys.Count > 0)
        {
            text.Append($", tokens set for {string.Join(' ', tokenKeys.Select(key => key[..^AuthTokenSuffix.Length]))}");
        }

        return text.ToString();
    }

    private NpmConfigValue? FindTokenSetting(Uri registry)
    {
        var key = $"//{registry.Authority}{registry.AbsolutePath}";
        while (key.Length > 2)
        {
            if (_values.TryGetValue(key + AuthTokenSuffix, out var token) && token.Value.Length > 0)
            {
                return token;
            }

            // Both "//host/path/:_authToken" and "//host/path:_authToken" are valid keys, so each step removes
            // either the trailing slash or the last path segment.
            key = key.EndsWith('/') ? key[..^1] : key[..(key.LastIndexOf('/') + 1)];
        }

        return null;
    }

    private Uri? ReadRegistry(string key)
    {
        if (!_values.TryGetValue(key, out var setting))
        {
            return null;
        }

        var text = setting.Value.EndsWith('/') ? setting.Value : setting.Value + "/";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp)
            || !string.IsNullOrEmpty(url.UserInfo) || !string.IsNullOrEmpty(url.Query))
        {
            throw new PipelineException(
                $"npm setting '{key}' at {setting.Source} is '{setting.Value}', which is not a registry URL. "
                + "Use an http(s) URL without credentials or query, such as 'https://registry.npmjs.org/', and put a token in '//host/:_authToken'.");
        }

        return url;
    }

    private string? ReadCaFile()
    {
        if (!_values.TryGetValue("cafile", out var setting) || setting.Value.Length == 0)
        {
            return null;
        }

        var path = Path.GetFullPath(setting.Value.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(_homeDirectory, setting.Value[2..])
            : setting.Value);
        if (!File.Exists(path))
        {
            throw new PipelineException(
                $"npm setting 'cafile' at {setting.Source} names '{path}', which does not exist. Point it at a PEM file of CA certificates or remove the setting.");
        }

        return path;
    }

    private static string ExpandHome(string path, IReadOnlyDictionary<string, string> environment) =>
        path.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(HomeDirectory(environment), path[2..]) : path;

    private static string HomeDirectory(IReadOnlyDictionary<string, string> environment) =>
        environment.TryGetValue("HOME", out var home) && home.Length > 0
            ? home
            : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    private static Dictionary<string, string> ReadProcessEnvironment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment[(string)entry.Key] = (string?)entry.Value ?? "";
        }

        return environment;
    }
}
