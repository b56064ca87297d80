namespace Recsys.Testing;

/// <summary>Polling for conditions that become true asynchronously (a queue drained, a timer fired).</summary>
public static class Eventually
{
    /// <summary>Polls <paramref name="condition"/> until it holds, or fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for: {what}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Polls <paramref name="attempt"/> until it returns a task, then awaits it; fails with <paramref name="what"/> after the timeout.</summary>
    public static async Task<T> ResultAsync<T>(Func<Task<T>?> attempt, string what, TimeSpan? timeout = null)
    {
        Task<T>? result = null;
        await HoldsAsync(() => Task.FromResult((result = attempt()) is not null), what, timeout);
        return await result!;
    }
}
