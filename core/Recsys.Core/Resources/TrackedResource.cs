namespace Recsys.Core.Resources;

/// <summary>
/// A resource that one long-running job owns and updates in place (status, progress, results): each update is a
/// replace guarded by the ETag of the previous one, serialized so that progress reports and the final update never
/// race, and stamped with the update time.
/// </summary>
/// <typeparam name="T">The resource type.</typeparam>
public sealed class TrackedResource<T> : IDisposable
    where T : class, IResource
{
    private readonly IResourceStore<T> _store;
    private readonly string _scope;
    private readonly Func<T, T> _stamp;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Stored<T> _stored;

    /// <summary>Tracks <paramref name="initial"/> in <paramref name="scope"/>; <paramref name="stamp"/> sets the update time on each change.</summary>
    public TrackedResource(IResourceStore<T> store, string scope, Stored<T> initial, Func<T, T> stamp)
    {
        _store = store;
        _scope = scope;
        _stored = initial;
        _stamp = stamp;
    }

    /// <summary>The resource as last written.</summary>
    public T Current => _stored.Value;

    /// <summary>Applies <paramref name="change"/> and writes it; fails with a precondition error if someone else changed the record.</summary>
    public async Task<T> UpdateAsync(Func<T, T> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var next = _stamp(change(_stored.Value));
            _stored = await _store.ReplaceAsync(_scope, next.Name, next, _stored.ETag, cancellationToken);
            return _stored.Value;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();
}
