namespace Recsys.Core.Datasets;

/// <summary>
/// The users data deletion jobs removed from each dataset group, with when. Written before a job touches any data, and
/// kept, so that training, exports and batch segment jobs leave out every row of theirs older than the deletion — also
/// while the job is still rewriting the stored data, and for a segment a concurrent compaction wrote.
/// </summary>
public interface IDeletedUsers
{
    /// <summary>Records <paramref name="userIds"/> as deleted at <paramref name="deletedAt"/> (a later deletion of the same user replaces the time).</summary>
    Task AddAsync(string datasetGroup, IReadOnlyCollection<string> userIds, DateTimeOffset deletedAt, CancellationToken cancellationToken = default);

    /// <summary>Every deleted user of the dataset group.</summary>
    Task<UserDeletions> ReadAllAsync(string datasetGroup, CancellationToken cancellationToken = default);
}

/// <summary>The deleted users of one dataset group and the rules that decide which of their rows are gone.</summary>
/// <param name="deletedAt">When each user was deleted.</param>
public sealed class UserDeletions(IReadOnlyDictionary<string, DateTimeOffset> deletedAt)
{
    private readonly Dictionary<string, DateTimeOffset>.AlternateLookup<ReadOnlySpan<char>> _bySpan =
        new Dictionary<string, DateTimeOffset>(deletedAt, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>No deleted users.</summary>
    public static UserDeletions None { get; } = new(new Dictionary<string, DateTimeOffset>());

    /// <summary>Number of deleted users.</summary>
    public int Count => _bySpan.Dictionary.Count;

    /// <summary>When <paramref name="userId"/> was deleted, or null.</summary>
    public DateTimeOffset? DeletedAt(ReadOnlySpan<char> userId) => _bySpan.TryGetValue(userId, out var at) ? at : null;

    /// <summary>
    /// Whether a row of <paramref name="segment"/> is gone: imported rows of a deleted user in a segment committed before
    /// the deletion; compacted events of theirs received before it (the whole segment was, or the event was sent before).
    /// </summary>
    public bool Removes(DatasetSegment segment, ReadOnlySpan<char> userId, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(segment);
        if (!_bySpan.TryGetValue(userId, out var at))
        {
            return false;
        }

        return segment.EventsThrough is { } through
            ? through <= at || timestamp <= at.ToUnixTimeSeconds()
            : segment.CreatedAt <= at;
    }

    /// <summary>Whether a stored real-time event of <paramref name="userId"/> sent at <paramref name="sentAt"/> is gone.</summary>
    public bool Removes(string userId, DateTimeOffset sentAt) => _bySpan.TryGetValue(userId, out var at) && sentAt <= at;

    /// <summary>Whether a segment may hold rows this removes (so that it must be filtered row by row).</summary>
    public bool MayRemoveFrom(DatasetSegment segment)
    {
        ArgumentNullException.ThrowIfNull(segment);
        return Count > 0 && (segment.IsCompactedEvents || _bySpan.Dictionary.Values.Any(at => segment.CreatedAt <= at));
    }
}
