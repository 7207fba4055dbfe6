using HagiImages.Manifest;

namespace HagiImages.SmokeTest.Checks;

/// <summary>The image configuration matches the manifest's <c>smoke.metadata</c>.</summary>
public sealed class DeclaredMetadataCheck : ISmokeCheck
{
    private readonly SmokeMetadataCheck definition;

    public DeclaredMetadataCheck(SmokeMetadataCheck definition)
    {
        this.definition = definition;
    }

    public string Name => "metadata";

    public async Task RunAsync(SmokeContext context, CancellationToken cancellationToken)
    {
        var config = (await context.Session.InspectImageAsync(cancellationToken).ConfigureAwait(false)).Config
            ?? throw new SmokeCheckFailedException($"The engine reported no configuration for image {context.Session.Image}.");
        var problems = new List<string>();

        if (definition.User is { } user && (config.User ?? "") != user)
        {
            problems.Add($"user is '{config.User}', expected '{user}'");
        }

        var entrypoint = config.Entrypoint ?? [];
        if (definition.Entrypoint is { } expectedEntrypoint && !entrypoint.SequenceEqual(expectedEntrypoint))
        {
            problems.Add($"entrypoint is [{Join(entrypoint)}], expected [{Join(expectedEntrypoint)}]");
        }

        var environment = (config.Env ?? [])
            .Select(variable => variable.Split('=', 2))
            .GroupBy(parts => parts[0], StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Last().ElementAtOrDefault(1) ?? "", StringComparer.Ordinal);
        foreach (var (name, expected) in definition.Environment)
        {
            if (!environment.TryGetValue(name, out var actual))
            {
                problems.Add($"environment variable {name} is not set, expected '{expected}'");
            }
            else if (actual != expected)
            {
                problems.Add($"environment variable {name} is '{actual}', expected '{expected}'");
            }
        }

        var labels = config.Labels ?? new Dictionary<string, string>();
        foreach (var (name, expected) in definition.Labels)
        {
            if (!labels.TryGetValue(name, out var actual))
            {
                problems.Add($"label {name} is missing, expected '{expected}'");
            }
            else if (actual != expected)
            {
                problems.Add($"label {name} is '{actual}', expected '{expected}'");
            }
        }

        var volumes = config.Volumes?.Keys.ToHashSet(StringComparer.Ordinal) ?? [];
        foreach (var volume in definition.Volumes.Where(volume => !volumes.Contains(volume)))
        {
            problems.Add($"{volume} is not declared as a volume");
        }

        if (definition.Workdir is { } workdir && (config.WorkingDir ?? "") != workdir)
        {
            problems.Add($"workdir is '{config.WorkingDir}', expected '{workdir}'");
        }

        if (problems.Count > 0)
        {
            throw new SmokeCheckFailedException($"Image configuration differs from smoke.metadata: {string.Join("; ", problems)}.");
        }
    }

    private static string Join(IEnumerable<string> values) => string.Join(", ", values.Select(value => $"'{value}'"));
}
