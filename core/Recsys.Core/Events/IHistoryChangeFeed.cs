namespace Recsys.Core.Events;

/// <summary>
/// Tells the app's instances whose recent-event histories changed, so that each can keep histories in memory for long
/// and still drop one within moments of a write made through another instance (<see cref="HistoryCache"/>).
/// </summary>
public interface IHistoryChangeFeed
{
    /// <summary>Records durably that the histories of <paramref name="changed"/> (dataset group, user or session) changed.</summary>
    Task PublishAsync(IReadOnlyCollection<(string DatasetGroup, string User)> changed, CancellationToken cancellationToken = default);

    /// <summary>
    /// The histories recorded as changed since this reader's previous call (on the first call: since the reader was
    /// created), possibly with a few repeated; every change published before the call started is in it or in an
    /// earlier answer. One reader per instance: the position is kept by this object.
    /// </summary>
    Task<IReadOnlyList<(string DatasetGroup, string User)>> ReadNewAsync(CancellationToken cancellationToken = default);
}
