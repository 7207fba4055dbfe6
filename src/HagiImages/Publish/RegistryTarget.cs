using System.Net;
using HagiImages.Pipeline;

namespace HagiImages.Publish;

/// <summary>
/// One registry namespace that images are pushed to, parsed from a <c>--registry HOST[:PORT]/NAMESPACE</c>
/// value such as <c>ghcr.io/hagicode</c> or <c>127.0.0.1:5000/hagicode</c>.
/// </summary>
public sealed record RegistryTarget
{
    /// <summary>The form a registry value must have, shown in error messages.</summary>
    public const string ExpectedForm =
        "HOST[:PORT]/NAMESPACE in lower case, such as 'ghcr.io/hagicode', 'docker.io/hagicode' or '127.0.0.1:5000/hagicode'";

    private const string DockerHubApiHost = "registry-1.docker.io";

    private RegistryTarget(string address, string host, string @namespace)
    {
        Address = address;
        Host = host;
        Namespace = @namespace;
    }

    /// <summary>Host and optional port, such as <c>127.0.0.1:5000</c>, which starts every reference.</summary>
    public string Address { get; }

    /// <summary>Host without port.</summary>
    public string Host { get; }

    /// <summary>Path between the address and the image name, such as <c>hagicode</c> or <c>org/team</c>.</summary>
    public string Namespace { get; }

    /// <summary>Whether this is Docker Hub (<c>docker.io</c> or <c>index.docker.io</c>).</summary>
    public bool IsDockerHub => Host is "docker.io" or "index.docker.io";

    /// <summary>
    /// Whether the registry is on this machine (<c>localhost</c> or 127.0.0.0/8). The Docker engine talks plain HTTP
    /// to such registries by default, and so does the digest check.
    /// </summary>
    public bool IsLoopback => Host == "localhost" || (IPAddress.TryParse(Host, out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Base URI of the registry's HTTP API, such as <c>https://ghcr.io/</c>.</summary>
    public Uri ApiBaseUri => IsDockerHub
        ? new Uri($"https://{DockerHubApiHost}")
        : new Uri($"{(IsLoopback ? "http" : "https")}://{Address}");

    /// <summary>
    /// Server address under which the Docker CLI stores credentials for this registry: the address itself, or
    /// <c>https://index.docker.io/v1/</c> for Docker Hub.
    /// </summary>
    public string CredentialServerAddress => IsDockerHub ? "https://index.docker.io/v1/" : Address;

    /// <summary>Text of the value as given, in canonical form.</summary>
    public override string ToString() => $"{Address}/{Namespace}";

    /// <summary>
    /// Parses a registry value. <paramref name="source"/> names where it came from, such as <c>--registry</c>.
    /// </summary>
    /// <exception cref="PipelineException">The value is not <see cref="ExpectedForm"/>.</exception>
    public static RegistryTarget Parse(string value, string source = "--registry")
    {
        ArgumentNullException.ThrowIfNull(value);

        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == value.Length - 1)
        {
            throw Invalid(value, source, "it needs a host and a namespace separated by '/'");
        }

        var address = value[..slash];
        var @namespace = value[(slash + 1)..];
        var match = ReferenceGrammar.RegistryAddress().Match(address);
        if (!match.Success)
        {
            throw Invalid(value, source, $"'{address}' is not a lower-case host name or IPv4 address with an optional port");
        }

        var host = match.Groups["host"].Value;
        if (match.Groups["port"].Success && (!int.TryParse(match.Groups["port"].Value, out var port) || port is < 1 or > 65535))
        {
            throw Invalid(value, source, $"port '{match.Groups["port"].Value}' is not between 1 and 65535");
        }

        // Docker reads a first part without '.' or ':' that is not 'localhost' as a Docker Hub namespace.
        if (!host.Contains('.', StringComparison.Ordinal) && !match.Groups["port"].Success && host != "localhost")
        {
            throw Invalid(value, source, $"'{address}' would be read as a Docker Hub namespace, not a registry host; write 'docker.io/{value}' for Docker Hub");
        }

        if (!ReferenceGrammar.RepositoryPath().IsMatch(@namespace))
        {
            throw Invalid(value, source, $"namespace '{@namespace}' is not a lower-case path of letters, digits and single '.', '_' or '-' separators");
        }

        return new RegistryTarget(address, host, @namespace);
    }

    private static PipelineException Invalid(string value, string source, string reason) =>
        new($"Registry value '{value}' from {source} is invalid: {reason}. Expected {ExpectedForm}.");
}
