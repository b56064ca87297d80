using Azure;
using Recsys.Core.Errors;

namespace Recsys.Storage;

/// <summary>
/// The storage edge's translation of transient faults: what is left of an outage after the SDK's retries (a 5xx, 408 or
/// 429 answer, a network timeout, a refused or broken connection) becomes <see cref="StorageUnavailableException"/>, so
/// that no Azure type reaches the domain and callers can answer 503 or let a job's delivery be retried.
/// </summary>
public static class StorageFaults
{
    /// <summary>How table faults are named in messages.</summary>
    public const string Tables = "table storage";

    /// <summary>Whether <paramref name="exception"/> is a transient storage fault (and not the caller's own cancellation).</summary>
    public static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        RequestFailedException failed => failed.Status is 0 or 408 or 429 or >= 500,

        // What the retry policy throws when every attempt failed without an answer ("Retry failed after n tries").
        AggregateException all => all.InnerExceptions.Count > 0 && all.InnerExceptions.All(e => IsTransient(e, cancellationToken)),
        HttpRequestException or TimeoutException or IOException { InnerException: System.Net.Sockets.SocketException } => true,

        // The SDK reports its network timeout as a cancellation that nobody asked for.
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    /// <summary>The domain exception for a transient fault of <paramref name="what"/>.</summary>
    public static StorageUnavailableException Unavailable(string what, Exception exception) => new(what, exception);

    /// <summary>Runs a storage call of <paramref name="what"/>, translating its transient faults.</summary>
    public static async Task<T> GuardAsync<T>(string what, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (IsTransient(e, cancellationToken))
        {
            throw Unavailable(what, e);
        }
    }

    /// <summary>Runs a storage call of <paramref name="what"/>, translating its transient faults.</summary>
    public static async Task GuardAsync(string what, Func<Task> call, CancellationToken cancellationToken)
    {
        try
        {
            await call();
        }
        catch (Exception e) when (IsTransient(e, cancellationToken))
        {
            throw Unavailable(what, e);
        }
    }
}
