using System.Net.Sockets;
using Azure;

namespace Recsys.DevHost.Storage;

/// <summary>
/// Whether storage answers, as the background loops see it: each loop reports its failures and successes, and the
/// state change is logged once ("storage unreachable" / "storage is back") however many loops notice it. Storage
/// counts as unreachable after two failures with no success between them, so that one stale pooled connection
/// failing right after storage came back does not read as a new outage.
/// </summary>
internal sealed class StorageHealth(ILogger<StorageHealth> logger)
{
    private int _unreachable;
    private int _failuresInARow;

    public bool IsReachable => Volatile.Read(ref _unreachable) == 0;

    /// <summary>Whether <paramref name="exception"/> means storage could not be reached or failed on its side (retry later).</summary>
    public static bool IsOutage(Exception exception) => exception switch
    {
        RequestFailedException r => r.Status is 0 or 408 or 429 or >= 500,
        AggregateException a => a.InnerExceptions.All(IsOutage),
        HttpRequestException or SocketException or IOException or TimeoutException => true,
        TaskCanceledException t => t.InnerException is null or TimeoutException,
        _ => false,
    };

    /// <summary>
    /// Reports what stopped one round of a background loop, by kind: an outage (counted, and logged once for all loops),
    /// a request storage refused (a 4xx: logged, never retried as such), or anything else (logged; the loop carries on).
    /// </summary>
    public LoopFault Report(string loop, Exception exception)
    {
        if (IsOutage(exception))
        {
            Failed(loop, exception);
            return LoopFault.Outage;
        }

        if (exception is RequestFailedException rejected)
        {
            Log.StorageRejected(logger, loop, rejected.Status, rejected.ErrorCode ?? rejected.Message);
            return LoopFault.Rejected;
        }

        Log.LoopFailed(logger, loop, exception.Message);
        return LoopFault.Failed;
    }

    public void Failed(string loop, Exception exception)
    {
        if (Interlocked.Increment(ref _failuresInARow) >= 2 && Interlocked.Exchange(ref _unreachable, 1) == 0)
        {
            Log.StorageUnreachable(logger, loop, Describe(exception));
        }
    }

    public void Succeeded()
    {
        Volatile.Write(ref _failuresInARow, 0);
        if (Interlocked.Exchange(ref _unreachable, 0) == 1)
        {
            Log.StorageBack(logger);
        }
    }

    private static string Describe(Exception exception) => exception switch
    {
        AggregateException { InnerExceptions.Count: > 0 } a => Describe(a.InnerExceptions[^1]),
        RequestFailedException { Status: 0, InnerException: { } inner } => Describe(inner),
        RequestFailedException r => $"{r.Status} {r.ErrorCode}",
        _ => exception.Message,
    };
}

/// <summary>What stopped one round of a background loop (see <see cref="StorageHealth.Report"/>).</summary>
internal enum LoopFault
{
    /// <summary>Storage could not be reached or failed on its side: back off and try again.</summary>
    Outage,

    /// <summary>Storage refused the request (4xx): retrying it as it is would fail the same way.</summary>
    Rejected,

    /// <summary>Anything else.</summary>
    Failed,
}

/// <summary>Exponential back-off for a background loop: 0.5 s doubling to 30 s, reset by a success.</summary>
internal sealed class Backoff
{
    private static readonly TimeSpan s_min = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan s_max = TimeSpan.FromSeconds(30);
    private TimeSpan _next = s_min;

    public void Reset() => _next = s_min;

    public Task DelayAsync(CancellationToken cancellationToken)
    {
        var delay = _next;
        _next = TimeSpan.FromTicks(Math.Min(_next.Ticks * 2, s_max.Ticks));
        return Task.Delay(delay, cancellationToken);
    }
}
