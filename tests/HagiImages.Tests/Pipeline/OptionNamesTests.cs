using HagiImages.Pipeline;

namespace HagiImages.Tests.Pipeline;

public sealed class OptionNamesTests
{
    [Fact]
    public void RejectUnknown_PipelineAndCakeOptions_Pass()
    {
        OptionNames.RejectUnknown([.. OptionNames.Pipeline, "verbosity", "description", "settings_skipverification", "paths_cache"]);
    }

    [Fact]
    public void RejectUnknown_Misspelt_SuggestsOption()
    {
        var exception = Assert.Throws<PipelineException>(() => OptionNames.RejectUnknown(["target", "registy"]));

        Assert.Contains("Unknown option --registy.", exception.Message, StringComparison.Ordinal);
        Assert.Contains("Did you mean --registry?", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectUnknown_FarFromAny_NoSuggestion()
    {
        var exception = Assert.Throws<PipelineException>(() => OptionNames.RejectUnknown(["completely-different"]));

        Assert.Contains("Unknown option --completely-different.", exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Did you mean", exception.Message, StringComparison.Ordinal);
        Assert.Contains("--smoke-check", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectUnknown_UpperCase_Passes()
    {
        OptionNames.RejectUnknown(["Target", "BASE-IMAGE"]);
    }
}
