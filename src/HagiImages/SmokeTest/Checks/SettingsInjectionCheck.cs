using System.Text.Json.Nodes;
using HagiImages.Manifest;
using HagiImages.Render;

namespace HagiImages.SmokeTest.Checks;

/// <summary>
/// The entrypoint merges a CLI's settings variables into its settings file: a value from a <c>NAME_FILE</c> secret
/// file and a value given directly arrive JSON-escaped, the keys the user wrote survive, the file has mode 600 and
/// belongs to the image user, and no value appears in the container's output.
/// </summary>
public sealed class SettingsInjectionCheck : ISmokeCheck
{
    private const string SecretFolder = "/run/hagi-smoke-secrets";

    private readonly string cliId;

    public SettingsInjectionCheck(string cliId)
    {
        this.cliId = cliId;
    }

    public string Name => $"settings-injection-{cliId}";

    public async Task RunAsync(SmokeContext context, CancellationToken cancellationToken)
    {
        var cli = context.Manifest.Clis.Single(candidate => candidate.Id == cliId);
        var settings = cli.Settings ?? throw new InvalidOperationException($"CLI '{cliId}' declares no settings.");
        var settingsPath = $"{StateMount.HomeOf(context.Manifest)}/{settings.Path[2..]}";
        var owner = $"{context.Manifest.User.Uid}:{context.Manifest.User.Gid}";

        var binds = new Dictionary<string, string>
        {
            [await context.Session.CreateVolumeAsync($"secrets-{cliId}", cancellationToken).ConfigureAwait(false)] = SecretFolder,
        };
        foreach (var mount in StateMount.ForImage(context.Manifest).Where(mount => mount.CliId == cliId))
        {
            binds[await context.Session.CreateVolumeAsync($"settings-{mount.Volume}", cancellationToken).ConfigureAwait(false)] = mount.Mount;
        }

        // Characters that need JSON escapes or would break shell quoting, so that a raw copy shows up.
        var secret = $"hagi-smoke-\"secret\"\\{context.Session.RunId}";
        var plain = $"hagi-smoke-plain {{\"x\": 1}} $HOME {context.Session.RunId}";
        var userSettings = "{\"hagiSmokeUserKey\": \"kept\", \"" + settings.Key + "\": {\"HAGI_SMOKE_USER_VARIABLE\": \"kept\"}}";

        var seed = await context.Session.StartAsync($"settings-seed-{cliId}", binds, cancellationToken: cancellationToken).ConfigureAwait(false);
        await ExecOrFailAsync(context, seed, $"printf '%s' '{userSettings}' > {settingsPath}", owner, "write the user's settings", cancellationToken).ConfigureAwait(false);
        await ExecOrFailAsync(context, seed, $"printf '%s' '{secret}' > {SecretFolder}/token && chmod 400 {SecretFolder}/token", "0:0", "write the secret file", cancellationToken).ConfigureAwait(false);
        await context.Session.RemoveContainerAsync(seed).ConfigureAwait(false);

        var environment = new List<string> { $"{settings.Variables[0]}_FILE={SecretFolder}/token" };
        if (settings.Variables.Count > 1)
        {
            environment.Add($"{settings.Variables[1]}={plain}");
        }

        var container = await context.Session.StartAsync($"settings-{cliId}", binds, environment, cancellationToken: cancellationToken).ConfigureAwait(false);
        await EntrypointCompletion.WaitAsync(context, container, cancellationToken).ConfigureAwait(false);
        var logs = await context.Session.TailLogsAsync(container, 50, cancellationToken).ConfigureAwait(false);
        var read = await context.Session.ExecAsync(container, ["cat", settingsPath], cancellationToken: cancellationToken).ConfigureAwait(false);
        var json = ParseObject(read, settingsPath, logs);
        var injected = json[settings.Key] as JsonObject;

        Expect(json["hagiSmokeUserKey"]?.GetValue<string>() == "kept", $"{settingsPath} lost the user's key 'hagiSmokeUserKey'.", logs);
        Expect(injected?["HAGI_SMOKE_USER_VARIABLE"]?.GetValue<string>() == "kept", $"{settingsPath} lost the user's key '{settings.Key}.HAGI_SMOKE_USER_VARIABLE'.", logs);
        Expect(injected?[settings.Variables[0]]?.GetValue<string>() == secret, $"{settingsPath} lacks '{settings.Key}.{settings.Variables[0]}' with the value of the secret file.", logs);
        if (settings.Variables.Count > 1)
        {
            Expect(injected?[settings.Variables[1]]?.GetValue<string>() == plain, $"{settingsPath} lacks '{settings.Key}.{settings.Variables[1]}' with the value of the variable.", logs);
        }

        var stat = await context.Session.ExecAsync(container, ["stat", "-c", "%a %u:%g", settingsPath], cancellationToken: cancellationToken).ConfigureAwait(false);
        Expect(stat.Stdout.Trim() == $"600 {owner}", $"{settingsPath} has mode and owner '{stat.Output}', expected '600 {owner}'.", logs);

        var allLogs = await context.Session.TailLogsAsync(container, 1000, cancellationToken).ConfigureAwait(false);
        Expect(!allLogs.Contains(context.Session.RunId, StringComparison.Ordinal), "The container's output contains a settings value; it may print only variable names.", null);
    }

    private static async Task ExecOrFailAsync(SmokeContext context, string container, string script, string user, string purpose, CancellationToken cancellationToken)
    {
        var result = await context.Session.ExecAsync(container, ["sh", "-c", script], user, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            throw new SmokeCheckFailedException($"Could not {purpose} (exit {result.ExitCode}): {result.Output}");
        }
    }

    private static JsonObject ParseObject(ExecResult read, string path, string logs)
    {
        if (read.ExitCode != 0)
        {
            throw new SmokeCheckFailedException($"Could not read {path} (exit {read.ExitCode}): {read.Output}", logs);
        }

        try
        {
            return JsonNode.Parse(read.Stdout) as JsonObject
                ?? throw new SmokeCheckFailedException($"{path} does not contain a JSON object.", logs);
        }
        catch (System.Text.Json.JsonException exception)
        {
            throw new SmokeCheckFailedException($"{path} is not valid JSON after the merge: {exception.Message}", logs);
        }
    }

    private static void Expect(bool condition, string message, string? logs)
    {
        if (!condition)
        {
            throw new SmokeCheckFailedException(message, logs);
        }
    }
}
