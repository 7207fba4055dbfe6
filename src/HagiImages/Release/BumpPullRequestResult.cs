namespace HagiImages.Release;

/// <summary>What <see cref="BumpPullRequest.OpenOrUpdateAsync"/> did.</summary>
/// <param name="Changed">Whether the paths differed from HEAD; when false, nothing was committed or pushed.</param>
/// <param name="Commit">The commit on the branch, or null when nothing changed.</param>
/// <param name="Pushed">Whether the branch was pushed to <c>origin</c>.</param>
/// <param name="PullRequestNumber">Number of the opened or updated pull request, or null when none was.</param>
/// <param name="PullRequestUrl">Web address of that pull request, or null.</param>
/// <param name="Created">Whether the pull request was opened by this run rather than updated.</param>
public sealed record BumpPullRequestResult(bool Changed, string? Commit, bool Pushed, int? PullRequestNumber, string? PullRequestUrl, bool Created);
