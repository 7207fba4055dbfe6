using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using HagiImages.Manifest;
using Json.Schema;

namespace HagiImages.Tests.Manifest;

public sealed class ImageSchemaTests
{
    private static readonly Lazy<JsonObject> SchemaJson = new(() => JsonNode.Parse(File.ReadAllText(RepositoryLayout.SchemaFile))!.AsObject());

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(RepositoryLayout.SchemaFile)));

    private static readonly JsonDocumentOptions ManifestDocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip };

    [Fact]
    public void Schema_Draft_2020_12()
    {
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", SchemaJson.Value["$schema"]?.GetValue<string>());
    }

    [Fact]
    public void Schema_PropertyNames_MatchModel()
    {
        var mismatches = new List<string>();

        CompareObject(typeof(ImageManifest), SchemaJson.Value, "$", mismatches, schemaOnly: ["$schema"]);

        Assert.Empty(mismatches);
    }

    [Fact]
    public void Schema_EveryPropertyDescribed()
    {
        var undescribed = new List<string>();

        foreach (var (path, property) in AllProperties(SchemaJson.Value, "#"))
        {
            if (property["description"] is not JsonValue description || description.GetValue<string>().Length == 0)
            {
                undescribed.Add(path);
            }
        }

        Assert.Empty(undescribed);
    }

    [Fact]
    public void Schema_EveryObjectClosed()
    {
        var open = AllSchemas(SchemaJson.Value, "#")
            .Where(entry => entry.Schema["properties"] is not null)
            .Where(entry => entry.Schema["additionalProperties"] is not JsonValue value || value.GetValueKind() != JsonValueKind.False)
            .Select(entry => entry.Path)
            .ToList();

        Assert.Empty(open);
    }

    [Fact]
    public void Schema_RealManifests_Valid()
    {
        var manifests = Directory.GetDirectories(RepositoryLayout.ImagesDirectory)
            .Select(directory => Path.Combine(directory, ManifestLoader.ManifestFileName))
            .Where(File.Exists)
            .ToList();
        Assert.NotEmpty(manifests);

        foreach (var manifest in manifests)
        {
            Assert.Equal([], Evaluate(File.ReadAllText(manifest)));
        }
    }

    [Fact]
    public void Schema_Sample_Valid()
    {
        Assert.Equal([], Evaluate(SampleManifest.Text));
    }

    [Theory]
    [InlineData("clis[0].state[0].path", "\"~/...\"")]
    [InlineData("clis[0].state[0].path", "\"~/.local/share/opencode\"")]
    [InlineData("description", "\"costs $5 \\\\ month\"")]
    [InlineData("clis[0].environment", "{ \"A\": \"say \\\"hi\\\" to $HOME\" }")]
    [InlineData("node.registryImage", "\"node:22@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"")]
    [InlineData("policy.minimumReleaseAgeDays", "0.5")]
    public void Schema_ValidVariant_Accepted(string path, string json)
    {
        var text = SampleManifest.With(path, json).ToJsonString();

        Assert.Equal([], Evaluate(text));
    }

    // The loader rejects every row too: ManifestValidatorTests and ManifestLoaderTests contain the same values.
    [Theory]
    [InlineData("name", "\"Sample\"")]
    [InlineData("name", "\"tool--x\"")]
    [InlineData("repository", "\"docker.io/hagicode/sample:1\"")]
    [InlineData("description", "\"say \\\"hi\\\"\"")]
    [InlineData("description", "\"two\\nlines\"")]
    [InlineData("description", "\"tab\\tin it\"")]
    [InlineData("node.version", "\"  \"")]
    [InlineData("node.npm", "\"\"")]
    [InlineData("node.registryImage", "\"Node:22\"")]
    [InlineData("user.name", "\"1user\"")]
    [InlineData("user.name", "\"abcdefghijklmnopqrstuvwxyzabcdefg\"")]
    [InlineData("user.uid", "0")]
    [InlineData("user.uid", "\"1000\"")]
    [InlineData("user.gid", "65535")]
    [InlineData("policy.minimumReleaseAgeDays", "-1")]
    [InlineData("policy.minimumReleaseAgeDays", "3650.5")]
    [InlineData("policy.missingPublishTime", "\"AllowWithWarning\"")]
    [InlineData("clis", "[]")]
    [InlineData("clis[0].id", "\"Tool\"")]
    [InlineData("clis[0].package", "\"Tool\"")]
    [InlineData("clis[0].package", "\"@scope/tool@1.0.0\"")]
    [InlineData("clis[0].version", "\"\"")]
    [InlineData("clis[0].executables", "[]")]
    [InlineData("clis[0].executables", "[\"-x\"]")]
    [InlineData("clis[0].versionCommand", "[]")]
    [InlineData("clis[0].versionCommand", "[\"--version\"]")]
    [InlineData("clis[0].versionCommand", "[\"tool\", \"$(id)\"]")]
    [InlineData("clis[0].state[0].path", "\".tool\"")]
    [InlineData("clis[0].state[0].path", "\"~/../etc\"")]
    [InlineData("clis[0].state[0].path", "\"~/a/./b\"")]
    [InlineData("clis[0].state[0].path", "\"~/a/..\"")]
    [InlineData("clis[0].state[0].path", "\"~/.\"")]
    [InlineData("clis[0].state[0].path", "\"~/a b\"")]
    [InlineData("clis[0].state[0].kind", "\"folder\"")]
    [InlineData("clis[0].environment", "{ \"1BAD\": \"x\" }")]
    [InlineData("clis[0].environment", "{ \"A\": \"x\\ny\" }")]
    [InlineData("clis[0].environment", "{ \"A\": 1 }")]
    [InlineData("clis[0].policy.minimumReleaseAgeDays", "3651")]
    [InlineData("clis[0].policy", "{ \"minimumAge\": 1 }")]
    public void Schema_BrokenRule_Rejected(string path, string json)
    {
        var text = SampleManifest.With(path, json).ToJsonString();

        Assert.NotEmpty(Evaluate(text));
    }

    [Fact]
    public void Schema_PackageOf215Characters_Rejected()
    {
        var text = SampleManifest.With("clis[0].package", $"\"{new string('a', 215)}\"").ToJsonString();

        Assert.NotEmpty(Evaluate(text));
    }

    [Theory]
    [InlineData("repository")]
    [InlineData("node.registryImage")]
    [InlineData("user.name")]
    [InlineData("clis[0].executables")]
    [InlineData("clis[0].state[0].path")]
    public void Schema_RequiredFieldMissing_Rejected(string path)
    {
        var text = SampleManifest.Without(path).ToJsonString();

        Assert.NotEmpty(Evaluate(text));
    }

    private static List<string> Evaluate(string manifestText)
    {
        using var document = JsonDocument.Parse(manifestText, ManifestDocumentOptions);
        var results = Schema.Value.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

        return (results.Details ?? [])
            .Where(detail => detail.Errors is { Count: > 0 })
            .SelectMany(detail => detail.Errors!.Select(error => $"{detail.InstanceLocation}: {error.Key}: {error.Value}"))
            .DefaultIfEmpty("invalid, without details")
            .ToList();
    }

    // Compares the JSON properties of a model type with a schema object, and recurses into nested model types.
    // schemaOnly lists properties that the schema allows but the loader removes before deserializing.
    private static void CompareObject(
        Type type,
        JsonObject schema,
        string path,
        List<string> mismatches,
        IEnumerable<string>? schemaOnly = null)
    {
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .ToDictionary(property => JsonNamingPolicy.CamelCase.ConvertName(property.Name));
        var schemaProperties = schema["properties"]?.AsObject() ?? [];

        var expectedNames = properties.Keys.Concat(schemaOnly ?? []).Order(StringComparer.Ordinal).ToList();
        var actualNames = schemaProperties.Select(entry => entry.Key).Order(StringComparer.Ordinal).ToList();
        if (!expectedNames.SequenceEqual(actualNames))
        {
            mismatches.Add($"{path}: model has [{string.Join(", ", expectedNames)}], schema has [{string.Join(", ", actualNames)}]");
        }

        var expectedRequired = properties.Where(entry => entry.Value.GetCustomAttribute<RequiredMemberAttribute>() is not null)
            .Select(entry => entry.Key).Order(StringComparer.Ordinal).ToList();
        var actualRequired = (schema["required"]?.AsArray() ?? []).Select(name => name!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        if (!expectedRequired.SequenceEqual(actualRequired))
        {
            mismatches.Add($"{path}: model requires [{string.Join(", ", expectedRequired)}], schema requires [{string.Join(", ", actualRequired)}]");
        }

        foreach (var (name, property) in properties)
        {
            if (schemaProperties[name] is JsonObject propertySchema)
            {
                CompareValue(property.PropertyType, Resolve(propertySchema), $"{path}.{name}", mismatches);
            }
        }
    }

    private static void CompareValue(Type type, JsonObject schema, string path, List<string> mismatches)
    {
        var schemaType = schema["type"]?.GetValue<string>();
        var expectedType = JsonTypeOf(type);
        if (schemaType != expectedType)
        {
            mismatches.Add($"{path}: model type {type.Name} is JSON '{expectedType}', schema type is '{schemaType}'");
            return;
        }

        if (type.IsEnum)
        {
            var expected = Enum.GetNames(type).Select(JsonNamingPolicy.KebabCaseLower.ConvertName).ToList();
            var actual = (schema["enum"]?.AsArray() ?? []).Select(value => value!.GetValue<string>()).ToList();
            if (!expected.SequenceEqual(actual))
            {
                mismatches.Add($"{path}: model values [{string.Join(", ", expected)}], schema enum [{string.Join(", ", actual)}]");
            }
        }
        else if (ListItemType(type) is { } itemType)
        {
            var items = schema["items"] is JsonObject itemSchema ? Resolve(itemSchema) : [];
            CompareValue(itemType, items, $"{path}[]", mismatches);
        }
        else if (IsModelType(type))
        {
            CompareObject(type, schema, path, mismatches);
        }
    }

    private static string JsonTypeOf(Type type)
    {
        if (type == typeof(string) || type.IsEnum)
        {
            return "string";
        }

        if (type == typeof(int))
        {
            return "integer";
        }

        if (type == typeof(double))
        {
            return "number";
        }

        if (ListItemType(type) is not null)
        {
            return "array";
        }

        return "object";
    }

    private static Type? ListItemType(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) ? type.GetGenericArguments()[0] : null;

    private static bool IsModelType(Type type) => type.IsClass && type.Namespace == typeof(ImageManifest).Namespace;

    private static JsonObject Resolve(JsonObject schema)
    {
        while (schema["$ref"] is JsonValue reference)
        {
            var name = reference.GetValue<string>()["#/$defs/".Length..];
            schema = SchemaJson.Value["$defs"]![name]!.AsObject();
        }

        return schema;
    }

    private static IEnumerable<(string Path, JsonObject Schema)> AllSchemas(JsonObject schema, string path)
    {
        yield return (path, schema);
        foreach (var keyword in new[] { "properties", "$defs" })
        {
            foreach (var (name, child) in schema[keyword]?.AsObject() ?? [])
            {
                foreach (var nested in AllSchemas(child!.AsObject(), $"{path}/{keyword}/{name}"))
                {
                    yield return nested;
                }
            }
        }

        foreach (var keyword in new[] { "items", "additionalProperties", "propertyNames" })
        {
            if (schema[keyword] is JsonObject child)
            {
                foreach (var nested in AllSchemas(child, $"{path}/{keyword}"))
                {
                    yield return nested;
                }
            }
        }

        foreach (var (index, child) in (schema["prefixItems"]?.AsArray() ?? []).Index())
        {
            foreach (var nested in AllSchemas(child!.AsObject(), $"{path}/prefixItems/{index}"))
            {
                yield return nested;
            }
        }
    }

    private static IEnumerable<(string Path, JsonObject Schema)> AllProperties(JsonObject schema, string path) =>
        AllSchemas(schema, path)
            .SelectMany(entry => (entry.Schema["properties"]?.AsObject() ?? [])
                .Select(property => ($"{entry.Path}/properties/{property.Key}", property.Value!.AsObject())));
}
