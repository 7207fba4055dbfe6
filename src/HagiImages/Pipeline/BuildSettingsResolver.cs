using HagiImages.Npm;
using HagiImages.Resolve;
using Serilog;

namespace HagiImages.Pipeline;

/// <summary>
/// Finds the CA bundle and npm configuration that npm inside builds needs: the same as the host's npm uses,
/// unless <c>--ca-bundle</c> names another bundle.
/// </summary>
public static class BuildSettingsResolver
{
    /// <summary>
    /// Picks the CA bundle from <c>--ca-bundle</c>, else npm's <c>cafile</c>, else <c>NODE_EXTRA_CA_CERTS</c>, and
    /// writes an npmrc from the host's npm configuration.
    /// </summary>
    /// <exception cref="PipelineException">The chosen bundle does not exist or contains no PEM certificate.</exception>
    public static BuildSettings Resolve(string? caBundleOption, NpmConfig npmConfig, ILogger logger)
    {
        var candidates = new (string? Path, string Source)[]
        {
            (caBundleOption, "--ca-bundle"),
            (npmConfig.CaFile, "npm's cafile setting"),
            (Environment.GetEnvironmentVariable("NODE_EXTRA_CA_CERTS"), "NODE_EXTRA_CA_CERTS"),
        };
        var (path, source) = candidates.FirstOrDefault(candidate => !string.IsNullOrWhiteSpace(candidate.Path));

        string? bundle = null;
        if (path is not null)
        {
            if (!File.Exists(path))
            {
                throw new PipelineException($"CA bundle '{path}' (from {source}) was not found. Pass an existing PEM file with --ca-bundle PATH.");
            }

            bundle = File.ReadAllText(path);
            if (!bundle.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            {
                throw new PipelineException($"CA bundle '{path}' (from {source}) contains no PEM certificate. Pass a PEM bundle such as /etc/ssl/certs/ca-certificates.crt with --ca-bundle PATH.");
            }

            logger.Information("Registry requests of the build host and npm in Bump's lock containers trust the CA bundle {Path} (from {Source})", path, source);
        }

        return new BuildSettings
        {
            CaBundle = bundle,
            CaBundleSource = path is null ? "none" : $"{path} (from {source})",
            Npmrc = npmConfig.ToContainerNpmrc(),
        };
    }
}
