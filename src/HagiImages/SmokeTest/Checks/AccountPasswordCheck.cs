using System.Text;

namespace HagiImages.SmokeTest.Checks;

/// <summary>
/// No account of the image has an empty password or a password hash baked into the image: every password field
/// of <c>/etc/shadow</c> holds only <c>*</c> and <c>!</c> characters (locked, no password), and every password
/// field of <c>/etc/passwd</c> is <c>x</c> (see shadow) or such a locked value.
/// </summary>
public sealed class AccountPasswordCheck : ISmokeCheck
{
    public string Name => "no-account-passwords";

    public async Task RunAsync(SmokeContext context, CancellationToken cancellationToken)
    {
        var problems = new List<string>();

        var passwd = Encoding.UTF8.GetString(await context.Session.ReadFileAsync("/etc/passwd", cancellationToken).ConfigureAwait(false));
        foreach (var (account, field) in PasswordFields(passwd))
        {
            if (field != "x" && Describe(field) is { } problem)
            {
                problems.Add($"{account} in /etc/passwd: {problem}");
            }
        }

        var shadow = Encoding.UTF8.GetString(await context.Session.ReadFileAsync("/etc/shadow", cancellationToken).ConfigureAwait(false));
        foreach (var (account, field) in PasswordFields(shadow))
        {
            if (Describe(field) is { } problem)
            {
                problems.Add($"{account} in /etc/shadow: {problem}");
            }
        }

        if (problems.Count > 0)
        {
            throw new SmokeCheckFailedException(
                $"Accounts with a usable or baked-in password: {string.Join("; ", problems)}. Lock them (passwd -l, or '*' in the password field) in the Dockerfile.");
        }
    }

    // Returns the account name and the second field of each line of a passwd or shadow file.
    private static IEnumerable<(string Account, string Field)> PasswordFields(string text) =>
        text.Split('\n')
            .Select(line => line.TrimEnd('\r'))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(':'))
            .Select(fields => (fields[0], fields.Length > 1 ? fields[1] : ""));

    // The message never contains the hash itself.
    private static string? Describe(string field)
    {
        if (field.Length == 0)
        {
            return "empty password, anyone can log in without one";
        }

        if (field.All(character => character is '*' or '!'))
        {
            return null;
        }

        return field.StartsWith('!')
            ? "a locked password hash, which every container of the image shares once unlocked"
            : "a password hash, which every container of the image shares";
    }
}
