using Azure.Core;
using Azure.Core.Pipeline;

namespace Recsys.Storage;

/// <summary>
/// The SDK's retry policy (exponential back-off, the client's response classifier) except that an answer in 400–499 other
/// than 408 (timeout) and 429 (throttled) is final: storage rejected the request itself (a malformed key, a missing
/// entity, a conflict), and sending it again only holds the caller for seconds.
/// </summary>
internal sealed class TransientOnlyRetryPolicy(int maxRetries, TimeSpan delay, TimeSpan maxDelay)
    : RetryPolicy(maxRetries, DelayStrategy.CreateExponentialDelayStrategy(delay, maxDelay))
{
    /// <summary>Whether the answer to <paramref name="message"/> is a client error that no retry can change.</summary>
    public static bool IsRejected(HttpMessage message)
        => message.HasResponse && message.Response.Status is >= 400 and < 500 and not 408 and not 429;

    protected override bool ShouldRetry(HttpMessage message, Exception? exception)
        => !IsRejected(message) && base.ShouldRetry(message, exception);

    protected override async ValueTask<bool> ShouldRetryAsync(HttpMessage message, Exception? exception)
        => !IsRejected(message) && await base.ShouldRetryAsync(message, exception);
}
