using System.Net.Http.Headers;

namespace HagiImages.Publish;

/// <summary>
/// One <c>WWW-Authenticate</c> challenge of a registry, such as
/// <c>Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:hagicode/ai-cli:pull"</c>.
/// </summary>
internal sealed record AuthenticationChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary>Returns a parameter value, or null when the challenge has none of that name.</summary>
    public string? this[string name] => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>Returns the first Basic or Bearer challenge of a 401 response, or null when it has neither.</summary>
    public static AuthenticationChallenge? FromResponse(HttpResponseMessage response)
    {
        foreach (var header in response.Headers.WwwAuthenticate)
        {
            if (header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) || header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            {
                return Parse(header);
            }
        }

        return null;
    }

    /// <summary>Parses the comma-separated <c>name="value"</c> parameters. Quoted values may contain commas.</summary>
    public static AuthenticationChallenge Parse(AuthenticationHeaderValue header)
    {
        ArgumentNullException.ThrowIfNull(header);

        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var text = header.Parameter ?? "";
        var position = 0;
        while (position < text.Length)
        {
            while (position < text.Length && (text[position] == ',' || char.IsWhiteSpace(text[position])))
            {
                position++;
            }

            var equals = text.IndexOf('=', position);
            if (equals < 0)
            {
                break;
            }

            var name = text[position..equals].Trim();
            position = equals + 1;
            string value;
            if (position < text.Length && text[position] == '"')
            {
                var end = text.IndexOf('"', position + 1);
                end = end < 0 ? text.Length : end;
                value = text[(position + 1)..end];
                position = end + 1;
            }
            else
            {
                var end = text.IndexOf(',', position);
                end = end < 0 ? text.Length : end;
                value = text[position..end].Trim();
                position = end;
            }

            parameters[name] = value;
        }

        return new AuthenticationChallenge(header.Scheme, parameters);
    }
}
