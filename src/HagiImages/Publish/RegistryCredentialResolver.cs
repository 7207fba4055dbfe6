using System.Text;
using HagiImages.Pipeline;

namespace HagiImages.Publish;

/// <summary>
/// Finds the login for a registry. The first source that has one wins:
/// <list type="number">
/// <item><c>HAGI_REGISTRY_&lt;HOST&gt;_USERNAME</c> and <c>HAGI_REGISTRY_&lt;HOST&gt;_PASSWORD</c>, where HOST is the
/// registry address in upper case with every character other than A-Z and 0-9 replaced by <c>_</c>
/// (<c>ghcr.io</c> gives <c>HAGI_REGISTRY_GHCR_IO_USERNAME</c>, <c>127.0.0.1:5000</c> gives <c>HAGI_REGISTRY_127_0_0_1_5000_USERNAME</c>);</item>
/// <item><c>HAGI_REGISTRY_USERNAME</c> and <c>HAGI_REGISTRY_PASSWORD</c>, for every registry;</item>
/// <item>the Docker configuration <c>$DOCKER_CONFIG/config.json</c>, or <c>~/.docker/config.json</c> when
/// <c>DOCKER_CONFIG</c> is unset: <c>credHelpers</c> for the address, else <c>credsStore</c>, else <c>auths</c>,
/// the order the Docker CLI uses.</item>
/// </list>
/// No login at all is valid, for an open registry.
/// </summary>
public sealed class RegistryCredentialResolver
{
    public const string UsernameVariable = "HAGI_REGISTRY_USERNAME";
    public const string PasswordVariable = "HAGI_REGISTRY_PASSWORD";

    private readonly Func<string, string?> getEnvironmentVariable;

    /// <param name="getEnvironmentVariable">Reads an environment variable. Null reads the process environment.</param>
    public RegistryCredentialResolver(Func<string, string?>? getEnvironmentVariable = null)
    {
        this.getEnvironmentVariable = getEnvironmentVariable ?? Environment.GetEnvironmentVariable;
    }

    /// <summary>One sentence for error messages that lists where logins for a registry are read.</summary>
    public string DescribeSources(RegistryTarget registry)
    {
        var (usernameVariable, passwordVariable) = HostVariables(registry);
        return $"Logins are read from {usernameVariable} and {passwordVariable}, then {UsernameVariable} and {PasswordVariable}, "
            + $"then the Docker configuration '{ConfigPath()}' (written by 'docker login {registry.Address}').";
    }

    /// <summary>
    /// Returns the login for <paramref name="registry"/>, or null when no source has one.
    /// </summary>
    /// <exception cref="PipelineException">A source is incomplete or broken: a user name without a password, an
    /// unreadable config file, or a failing credential helper.</exception>
    public async Task<RegistryCredential?> ResolveAsync(RegistryTarget registry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registry);

        var (usernameVariable, passwordVariable) = HostVariables(registry);
        var fromHostVariables = ReadVariables(usernameVariable, passwordVariable);
        if (fromHostVariables is not null)
        {
            return fromHostVariables;
        }

        var fromVariables = ReadVariables(UsernameVariable, PasswordVariable);
        if (fromVariables is not null)
        {
            return fromVariables;
        }

        var configPath = ConfigPath();
        var config = await DockerConfigFile.ReadAsync(configPath, cancellationToken).ConfigureAwait(false);
        if (config is null)
        {
            return null;
        }

        var serverAddress = registry.CredentialServerAddress;
        if (config.CredentialHelpers.TryGetValue(registry.Address, out var helperName) && !string.IsNullOrWhiteSpace(helperName))
        {
            var helper = new DockerCredentialHelper(helperName, getEnvironmentVariable("PATH") ?? "");
            return await helper.GetAsync(serverAddress, $"credHelpers in {configPath}", cancellationToken).ConfigureAwait(false);
        }

        if (config.CredentialsStore is not null)
        {
            var helper = new DockerCredentialHelper(config.CredentialsStore, getEnvironmentVariable("PATH") ?? "");
            return await helper.GetAsync(serverAddress, $"credsStore in {configPath}", cancellationToken).ConfigureAwait(false);
        }

        var entry = config.FindAuth(serverAddress);
        if (entry is null)
        {
            return null;
        }

        var source = $"auths in {configPath}";
        if (!string.IsNullOrEmpty(entry.IdentityToken))
        {
            return new RegistryCredential("", null, entry.IdentityToken, source);
        }

        var (username, password) = config.DecodeAuth(serverAddress, entry);
        return username.Length == 0 && password.Length == 0 ? null : new RegistryCredential(username, password, null, source);
    }

    /// <summary>Returns the names of the per-registry variables, such as <c>HAGI_REGISTRY_GHCR_IO_USERNAME</c>.</summary>
    public static (string Username, string Password) HostVariables(RegistryTarget registry)
    {
        ArgumentNullException.ThrowIfNull(registry);

        var key = new StringBuilder(registry.Address.Length);
        foreach (var character in registry.Address.ToUpperInvariant())
        {
            key.Append(char.IsAsciiLetterOrDigit(character) ? character : '_');
        }

        return ($"HAGI_REGISTRY_{key}_USERNAME", $"HAGI_REGISTRY_{key}_PASSWORD");
    }

    /// <summary>Returns the path of the Docker configuration file that is read.</summary>
    public string ConfigPath()
    {
        var directory = getEnvironmentVariable("DOCKER_CONFIG");
        if (string.IsNullOrEmpty(directory))
        {
            var home = getEnvironmentVariable("HOME");
            if (string.IsNullOrEmpty(home))
            {
                home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            }

            directory = Path.Combine(home, ".docker");
        }

        return Path.Combine(directory, "config.json");
    }

    private RegistryCredential? ReadVariables(string usernameVariable, string passwordVariable)
    {
        var username = getEnvironmentVariable(usernameVariable);
        var password = getEnvironmentVariable(passwordVariable);
        if (string.IsNullOrEmpty(username) && string.IsNullOrEmpty(password))
        {
            return null;
        }

        if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password))
        {
            var (setVariable, missingVariable) = string.IsNullOrEmpty(username) ? (passwordVariable, usernameVariable) : (usernameVariable, passwordVariable);
            throw new PipelineException($"{setVariable} is set but {missingVariable} is empty. Set both, or neither to use the Docker configuration.");
        }

        return new RegistryCredential(username, password, null, $"environment variables {usernameVariable} and {passwordVariable}");
    }
}
