namespace Recsys.Core.Events;

/// <summary>
/// Group commit: one write in flight at a time, carrying everything that arrived while the previous one was under
/// way; each caller waits for the write that carries its item (and gets that write's error).
/// </summary>
public sealed class GroupCommit<T>(Func<HashSet<T>, Task> write, IEqualityComparer<T>? comparer = null)
{
    private readonly Lock _lock = new();
    private HashSet<T> _pending = new(comparer);
    private TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _running;

    /// <summary>Queues <paramref name="item"/>; completes when a write carrying it succeeded.</summary>
    public Task AddAsync(T item, CancellationToken cancellationToken)
    {
        Task written;
        bool start;
        lock (_lock)
        {
            _pending.Add(item);
            written = _written.Task;
            start = !_running;
            _running = true;
        }

        if (start)
        {
            _ = Task.Run(FlushAsync, CancellationToken.None);
        }

        return written.WaitAsync(cancellationToken);
    }

    private async Task FlushAsync()
    {
        while (true)
        {
            HashSet<T> items;
            TaskCompletionSource written;
            lock (_lock)
            {
                if (_pending.Count == 0)
                {
                    _running = false;
                    return;
                }

                (items, written, _pending, _written) = (_pending, _written, new(_pending.Comparer), new(TaskCreationOptions.RunContinuationsAsynchronously));
            }

            try
            {
                await write(items);
                written.SetResult();
            }
            catch (Exception e)
            {
                written.SetException(e);
                _ = written.Task.Exception; // observed here: a caller that stopped waiting must not crash the process
            }
        }
    }
}
