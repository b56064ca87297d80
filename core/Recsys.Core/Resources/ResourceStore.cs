namespace Recsys.Core.Resources;

/// <summary>Lifecycle fields every resource carries, with Personalize's names.</summary>
/// <param name="Status">One of <see cref="ResourceStatus"/>.</param>
/// <param name="FailureReason">Why creation failed, when <see cref="Status"/> is CREATE FAILED.</param>
/// <param name="CreationDateTime">When the resource was created.</param>
/// <param name="LastUpdatedDateTime">When its state last changed.</param>
/// <param name="Attempts">For jobs: how many deliveries have started the work (the first, and each take-over).</param>
public sealed record ResourceState(
    string Status,
    string? FailureReason,
    DateTimeOffset CreationDateTime,
    DateTimeOffset LastUpdatedDateTime,
    int Attempts = 0)
{
    /// <summary>A new resource in <paramref name="status"/> at <paramref name="now"/>.</summary>
    public static ResourceState New(string status, DateTimeOffset now) => new(status, null, now, now);

    /// <summary>This state moved to <paramref name="status"/> (validated against the state machine).</summary>
    public ResourceState MoveTo(string resourceType, string name, string status, DateTimeOffset now, string? failureReason = null)
    {
        ResourceStatus.EnsureTransition(resourceType, name, Status, status);
        return this with { Status = status, FailureReason = failureReason, LastUpdatedDateTime = now };
    }
}

/// <summary>A resource with a lifecycle.</summary>
public interface IResource
{
    /// <summary>Unique name within its scope.</summary>
    string Name { get; }

    /// <summary>Lifecycle state.</summary>
    ResourceState State { get; }
}

/// <summary>A resource as stored, with the ETag to use for an optimistic-concurrency update.</summary>
public sealed record Stored<T>(T Value, string ETag);

/// <summary>One page of a listing; <see cref="NextToken"/> is null on the last page.</summary>
public sealed record ResourcePage<T>(IReadOnlyList<T> Items, string? NextToken);

/// <summary>
/// Persistence seam for one kind of resource. Resources live in a scope (the owning dataset group, or
/// <see cref="GlobalScope"/>) under a unique name. Implementations translate storage errors into
/// <see cref="Errors.RecsysException"/>s: a duplicate name is <see cref="Errors.ResourceAlreadyExistsException"/>,
/// a stale ETag is <see cref="Errors.PreconditionFailedException"/>, a missing one <see cref="Errors.ResourceNotFoundException"/>.
/// </summary>
public interface IResourceStore<T>
    where T : class, IResource
{
    /// <summary>The scope of resources that belong to no dataset group.</summary>
    public const string GlobalScope = "_";

    /// <summary>Inserts a new resource; fails when the name is taken in the scope.</summary>
    Task<Stored<T>> CreateAsync(string scope, string name, T resource, CancellationToken cancellationToken = default);

    /// <summary>Reads a resource, or null when there is none.</summary>
    Task<Stored<T>?> FindAsync(string scope, string name, CancellationToken cancellationToken = default);

    /// <summary>Replaces a resource if its stored ETag is still <paramref name="etag"/>.</summary>
    Task<Stored<T>> ReplaceAsync(string scope, string name, T resource, string etag, CancellationToken cancellationToken = default);

    /// <summary>Deletes a resource, only if its ETag is <paramref name="etag"/> when given.</summary>
    Task DeleteAsync(string scope, string name, string? etag, CancellationToken cancellationToken = default);

    /// <summary>Lists a scope in name order, <paramref name="maxResults"/> at a time.</summary>
    Task<ResourcePage<T>> ListAsync(string scope, int maxResults, string? nextToken, CancellationToken cancellationToken = default);
}

/// <summary>Conveniences over <see cref="IResourceStore{T}"/>.</summary>
public static class ResourceStoreExtensions
{
    /// <summary>Reads a resource or throws <see cref="Errors.ResourceNotFoundException"/>.</summary>
    public static async Task<Stored<T>> GetAsync<T>(
        this IResourceStore<T> store, string scope, string name, string resourceType, CancellationToken cancellationToken = default)
        where T : class, IResource
        => await store.FindAsync(scope, name, cancellationToken).ConfigureAwait(false)
            ?? throw new Errors.ResourceNotFoundException(resourceType, name);
}
