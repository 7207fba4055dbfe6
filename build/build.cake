// The targets of the HagiImages pipeline. Each target is one call into the library that build.sh compiles;
// the logic and its tests live in src/HagiImages.
#r "../artifacts/build-host/HagiImages.dll"

using HagiImages.Pipeline;

OptionNames.RejectUnknown(Context.Arguments.GetArguments().Keys);
var target = Argument("target", "Publish");
var options = new PipelineOptions
{
    RepositoryRoot = MakeAbsolute(Directory("..")).FullPath,
    Image = Argument<string>("image", null),
    Cli = Argument<string>("cli", null),
    To = Argument<string>("to", null),
    Check = HasArgument("check"),
    BaseImage = Argument("base-image", "registry"),
    DebianMirror = Argument("debian-mirror", "http://deb.debian.org/debian"),
    CaBundle = Argument<string>("ca-bundle", null),
    Registries = Arguments<string>("registry", new string[0]).ToList(),
    ImageVersion = Argument<string>("image-version", null),
    SmokeChecks = Arguments<string>("smoke-check", new string[0]).ToList(),
    TestFilter = Argument<string>("test-filter", null),
    DryRun = HasArgument("dry-run"),
    PullRequest = HasArgument("pull-request"),
    GitHubRepository = Argument<string>("github-repository", null),
    GitHubApiUrl = Argument<string>("github-api-url", null),
    Verbose = HasArgument("verbose-log"),
};
var pipeline = new HagiPipeline(options, HagiLog.Configure(options.Verbose));

Setup(context => pipeline.CheckOptions());

// A dry run of Publish only reads registries, so it skips the stages that write files and build images.
var publishDryRun = target == "Publish" && options.DryRun;

Task("Resolve")
    .Description("Resolves each CLI's version from the npm registry and compares it with the lock file; writes nothing.")
    .Does(async () => await pipeline.ResolveAsync());

Task("Bump")
    .Description("Resolves versions and writes the lock files (--cli ID --to VERSION pins one CLI).")
    .Does(async () => await pipeline.BumpAsync());

Task("Render")
    .Description("Generates Dockerfile, entrypoint and compose file from manifest and lock (--check compares only).")
    .WithCriteria(() => !publishDryRun, "--dry-run plans the publish only")
    .Does(async () => await pipeline.RenderAsync());

Task("BaseImage")
    .Description("Makes the Node base image: from a registry, or with --base-image bootstrap from debootstrap and npm.")
    .WithCriteria(() => !publishDryRun, "--dry-run plans the publish only")
    .Does(async () => await pipeline.BaseImageAsync());

Task("BuildImages")
    .Description("Builds and tags every image through the Docker Engine API.")
    .WithCriteria(() => !publishDryRun, "--dry-run plans the publish only")
    .IsDependentOn("Render")
    .IsDependentOn("BaseImage")
    .Does(async () => await pipeline.BuildImagesAsync());

Task("SmokeTest")
    .Description("Runs the built-in and image.json smoke checks of each built image (--smoke-check NAME runs only that check); reports go to artifacts/smoke.")
    .WithCriteria(() => !publishDryRun, "--dry-run plans the publish only")
    .IsDependentOn("BuildImages")
    .Does(async () => await pipeline.SmokeTestAsync());

Task("Publish")
    .Description("Pushes every tag to each --registry and checks digests; without one, exports an archive.")
    .IsDependentOn("SmokeTest")
    .Does(async () => await pipeline.PublishAsync());

Task("Release")
    .Description("Creates or updates the GitHub release of the version that Publish wrote to artifacts/publish/result.json.")
    .Does(async () => await pipeline.ReleaseAsync());

Task("Test")
    .Description("Runs the solution's tests.")
    .Does(async () => await pipeline.TestAsync());

Teardown(context => pipeline.Dispose());

RunTarget(target);
