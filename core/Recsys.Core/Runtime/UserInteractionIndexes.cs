using System.Collections.Concurrent;
using Recsys.Core.Datasets;
using Recsys.Data.Training;

namespace Recsys.Core.Runtime;

/// <summary>
/// Each user's imported interactions, newest first, for filters with <c>Interactions.EVENT_TYPE</c> conditions
/// (real-time events come from the event store and are put in front of these). Compact: one sorted index array over
/// the training read side's columns, built only for dataset groups whose filters need it.
/// </summary>
public sealed class UserInteractionIndex
{
    private readonly TrainingInteractions _data;
    private readonly int[] _order;
    private readonly int[] _offsets;

    internal UserInteractionIndex(TrainingInteractions data, DateTimeOffset builtAt)
    {
        _data = data;
        BuiltAt = builtAt;
        var users = data.UserIndexes.ToArray();
        var timestamps = data.Timestamps.ToArray();
        _order = [.. Enumerable.Range(0, data.Count)];
        Array.Sort(_order, (a, b) => users[a] != users[b] ? users[a].CompareTo(users[b]) : timestamps[b].CompareTo(timestamps[a]));
        _offsets = new int[data.Users.Count + 1];
        foreach (var row in _order)
        {
            _offsets[users[row] + 1]++;
        }

        for (var u = 0; u < data.Users.Count; u++)
        {
            _offsets[u + 1] += _offsets[u];
        }
    }

    /// <summary>When it was built.</summary>
    public DateTimeOffset BuiltAt { get; }

    /// <summary>The user's imported interactions, newest first, as (item, event type).</summary>
    public IEnumerable<(string ItemId, string EventType)> Recent(string userId)
    {
        if (!_data.Users.TryGetIndex(userId, out var user))
        {
            yield break;
        }

        for (var i = _offsets[user]; i < _offsets[user + 1]; i++)
        {
            var row = _order[i];
            var code = _data.EventTypeCodes[row];
            yield return (_data.Items[_data.ItemIndexes[row]], code < 0 ? string.Empty : _data.EventTypes[code]);
        }
    }
}

/// <summary>Builds and caches a <see cref="UserInteractionIndex"/> per dataset group, rebuilt when its data changes.</summary>
public sealed class UserInteractionIndexes(TrainingDataReader reader, IDatasetSegmentStore segments, TimeProvider time)
{
    private static readonly TimeSpan s_checkInterval = TimeSpan.FromSeconds(60);
    private readonly ConcurrentDictionary<string, Lazy<Task<(UserInteractionIndex Index, long Version)>>> _indexes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _checked = new(StringComparer.Ordinal);

    /// <summary>The index of a dataset group's imported interactions.</summary>
    public async Task<UserInteractionIndex> GetAsync(string datasetGroup, CancellationToken cancellationToken = default)
    {
        var lazy = _indexes.GetOrAdd(datasetGroup, g => new Lazy<Task<(UserInteractionIndex, long)>>(() => BuildAsync(g)));
        var (index, version) = await lazy.Value.WaitAsync(cancellationToken);
        var now = time.GetUtcNow();
        if (now - _checked.GetOrAdd(datasetGroup, now) > s_checkInterval)
        {
            _checked[datasetGroup] = now;
            var manifest = await segments.ReadManifestAsync(datasetGroup, Data.Schemas.DatasetType.Interactions, cancellationToken);
            if (manifest.Version != version)
            {
                // A new import: build the next index in the background, keep serving this one until it is ready.
                var next = new Lazy<Task<(UserInteractionIndex, long)>>(() => BuildAsync(datasetGroup));
                _ = next.Value.ContinueWith(t => _indexes[datasetGroup] = next, CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
            }
        }

        return index;
    }

    private async Task<(UserInteractionIndex, long)> BuildAsync(string datasetGroup)
    {
        var manifest = await segments.ReadManifestAsync(datasetGroup, Data.Schemas.DatasetType.Interactions);
        var builder = await reader.LoadInteractionsAsync(datasetGroup);
        return (new UserInteractionIndex(builder.Build(), time.GetUtcNow()), manifest.Version);
    }
}
