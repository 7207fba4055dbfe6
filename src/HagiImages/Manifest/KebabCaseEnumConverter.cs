using System.Text.Json;
using System.Text.Json.Serialization;

namespace HagiImages.Manifest;

/// <summary>
/// Reads and writes enum values as their kebab-case names only, such as <c>allow-with-warning</c>.
/// <see cref="JsonStringEnumConverter"/> also reads the C# member name in any letter case and comma-separated
/// combinations of names, which image.schema.json does not allow.
/// </summary>
internal sealed class KebabCaseEnumConverter : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(EnumConverter<>).MakeGenericType(typeToConvert))!;

    private sealed class EnumConverter<TEnum> : JsonConverter<TEnum>
        where TEnum : struct, Enum
    {
        private static readonly Dictionary<string, TEnum> ValuesByName = Enum.GetValues<TEnum>()
            .ToDictionary(value => JsonNamingPolicy.KebabCaseLower.ConvertName(value.ToString()), StringComparer.Ordinal);

        private static readonly Dictionary<TEnum, string> NamesByValue = ValuesByName.ToDictionary(entry => entry.Value, entry => entry.Key);

        public override TEnum Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.String && ValuesByName.TryGetValue(reader.GetString()!, out var value))
            {
                return value;
            }

            var found = reader.TokenType == JsonTokenType.String
                ? $"'{reader.GetString()}'"
                : $"a JSON {reader.TokenType.ToString().ToLowerInvariant()}";
            throw new JsonException($"{found} is not one of {string.Join(", ", ValuesByName.Keys.Select(name => $"'{name}'"))}");
        }

        public override void Write(Utf8JsonWriter writer, TEnum value, JsonSerializerOptions options) =>
            writer.WriteStringValue(NamesByValue[value]);
    }
}
