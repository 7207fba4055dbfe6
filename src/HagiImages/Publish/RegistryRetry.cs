using System.Net;
using Polly;
using Polly.Retry;
using Serilog;

namespace HagiImages.Publish;

/// <summary>
/// Retries registry HTTP calls that failed for a reason that may pass: 429 Too Many Requests, a 5xx status or the
/// client's timeout. Waits grow exponentially from <see cref="BaseDelay"/> with jitter, or follow a 429's
/// <c>Retry-After</c> up to <see cref="MaxRetryAfter"/>. Other failures, such as a refused connection, are not retried.
/// </summary>
internal sealed class RegistryRetry
{
    /// <summary>Longest <c>Retry-After</c> that is obeyed; a longer one falls back to the exponential delay.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);

    private static readonly ResiliencePropertyKey<string> RequestKey = new("hagi.request");

    private readonly ResiliencePipeline<HttpResponseMessage> pipeline;

    public RegistryRetry(int maxRetryAttempts = 4, TimeSpan? baseDelay = null, ILogger? logger = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxRetryAttempts);
        MaxRetryAttempts = maxRetryAttempts;
        BaseDelay = baseDelay ?? TimeSpan.FromSeconds(1);
        if (maxRetryAttempts == 0)
        {
            pipeline = ResiliencePipeline<HttpResponseMessage>.Empty;
            return;
        }

        pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = maxRetryAttempts,
                Delay = BaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = arguments => ValueTask.FromResult(IsTransient(arguments.Outcome, arguments.Context.CancellationToken)),
                DelayGenerator = arguments => ValueTask.FromResult(RetryAfter(arguments.Outcome.Result)),
                OnRetry = arguments =>
                {
                    var reason = arguments.Outcome.Result is { } response
                        ? $"{(int)response.StatusCode} {response.ReasonPhrase}"
                        : arguments.Outcome.Exception?.GetType().Name ?? "unknown";
                    logger?.Warning(
                        "Registry request {Request} failed ({Reason}); retry {Attempt} of {MaxAttempts} in {DelaySeconds:F1} s",
                        arguments.Context.Properties.GetValue(RequestKey, "request"), reason, arguments.AttemptNumber + 1, maxRetryAttempts, arguments.RetryDelay.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    /// <summary>Number of retries after the first attempt.</summary>
    public int MaxRetryAttempts { get; }

    /// <summary>Delay before the first retry; each later one doubles it.</summary>
    public TimeSpan BaseDelay { get; }

    /// <summary>
    /// Sends a request built by <paramref name="send"/>, once per attempt, and returns the last response. A response
    /// that was retried is disposed.
    /// </summary>
    /// <paramref name="description"/> (method and URL, without credentials) names the request in the retry log line.
    /// <exception cref="HttpRequestException">The last attempt failed to connect.</exception>
    /// <exception cref="TaskCanceledException">The last attempt timed out, or <paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<HttpResponseMessage> SendAsync(string description, Func<CancellationToken, Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(RequestKey, description);
            return await pipeline.ExecuteAsync(async ctx => await send(ctx.CancellationToken).ConfigureAwait(false), context).ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome, CancellationToken cancellationToken)
    {
        if (outcome.Result is { } response)
        {
            return response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500;
        }

        // HttpClient reports its own timeout as a TaskCanceledException while the caller's token is not cancelled.
        return outcome.Exception is TaskCanceledException && !cancellationToken.IsCancellationRequested;
    }

    private static TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response?.StatusCode != HttpStatusCode.TooManyRequests || response.Headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        var delay = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return delay is { } value && value >= TimeSpan.Zero && value <= MaxRetryAfter ? value : null;
    }
}
