using System.Net.Http.Headers;
using HagiImages.Publish;

namespace HagiImages.Tests.Publish;

public sealed class AuthenticationChallengeTests
{
    [Fact]
    public void Parse_BearerWithCommaInScope_AllParameters()
    {
        var header = new AuthenticationHeaderValue("Bearer", "realm=\"https://auth.example.com/token\",service=\"registry.example.com\",scope=\"repository:hagicode/ai-cli:pull,push\"");

        var challenge = AuthenticationChallenge.Parse(header);

        Assert.Equal("https://auth.example.com/token", challenge["realm"]);
        Assert.Equal("registry.example.com", challenge["service"]);
        Assert.Equal("repository:hagicode/ai-cli:pull,push", challenge["scope"]);
    }

    [Fact]
    public void Parse_Basic_Realm()
    {
        var challenge = AuthenticationChallenge.Parse(new AuthenticationHeaderValue("Basic", "realm=\"hagi-test\""));

        Assert.Equal("Basic", challenge.Scheme);
        Assert.Equal("hagi-test", challenge["realm"]);
        Assert.Null(challenge["scope"]);
    }
}
