namespace Recsys.Storage.Events;

/// <summary>Settings of the real-time event store (configuration section <c>Recsys:Events</c>).</summary>
public sealed class EventStoreOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Recsys:Events";

    /// <summary>How many recent events each user's (or session's) history keeps; 1–1000, default 100.</summary>
    public int HistoryLength { get; set; } = 100;

    /// <summary>
    /// Most characters of serialized history per user, so the history entity stays well inside a table entity's 1 MiB
    /// even with long impressions; the oldest events go first. Default 200,000 (about 400 KB).
    /// </summary>
    public int MaxHistoryCharacters { get; set; } = 200_000;

    /// <summary>How many times an append retries when another request changed the same history first; default 20.</summary>
    public int MaxConcurrencyRetries { get; set; } = 20;
}
