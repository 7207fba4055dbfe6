namespace HagiImages.Release;

/// <summary>The branch, paths, title and body of a Bump pull request.</summary>
public sealed record BumpPullRequestRequest
{
    /// <summary>Branch to commit to, such as <c>hagi/bump-ai-cli</c>. It is rewritten from HEAD on every run.</summary>
    public required string Branch { get; init; }

    /// <summary>Paths relative to the repository root whose changes are committed, such as <c>images/ai-cli</c>.</summary>
    public required IReadOnlyList<string> Paths { get; init; }

    /// <summary>Pull request title and commit subject.</summary>
    public required string Title { get; init; }

    /// <summary>Pull request body in Markdown; also the commit message body.</summary>
    public required string Body { get; init; }
}
