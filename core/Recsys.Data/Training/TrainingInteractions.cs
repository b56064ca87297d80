namespace Recsys.Data.Training;

/// <summary>
/// Interactions as compact parallel arrays for training: row <c>i</c> is user <see cref="UserIndexes"/>[i] acting on
/// item <see cref="ItemIndexes"/>[i] at <see cref="Timestamps"/>[i] (epoch seconds), with event type
/// <see cref="EventTypeCodes"/>[i] (an index into <see cref="EventTypes"/>, or -1 when none) and value
/// <see cref="EventValues"/>[i] (NaN when none). An immutable snapshot made by <see cref="TrainingInteractionsBuilder.Build"/>.
/// </summary>
public sealed class TrainingInteractions
{
    private readonly int[] _users;
    private readonly int[] _items;
    private readonly long[] _timestamps;
    private readonly short[] _eventTypes;
    private readonly float[] _values;

    internal TrainingInteractions(IdMap users, IdMap items, IdMap eventTypes, int count, int[] userIndexes, int[] itemIndexes, long[] timestamps, short[] eventTypeCodes, float[] eventValues)
    {
        Users = users;
        Items = items;
        EventTypes = eventTypes;
        Count = count;
        _users = userIndexes;
        _items = itemIndexes;
        _timestamps = timestamps;
        _eventTypes = eventTypeCodes;
        _values = eventValues;
    }

    /// <summary>Number of interactions.</summary>
    public int Count { get; }

    /// <summary>User ids ↔ dense user indexes.</summary>
    public IdMap Users { get; }

    /// <summary>Item ids ↔ dense item indexes.</summary>
    public IdMap Items { get; }

    /// <summary>Event types ↔ small codes.</summary>
    public IdMap EventTypes { get; }

    /// <summary>User index per interaction.</summary>
    public ReadOnlySpan<int> UserIndexes => _users.AsSpan(0, Count);

    /// <summary>Item index per interaction.</summary>
    public ReadOnlySpan<int> ItemIndexes => _items.AsSpan(0, Count);

    /// <summary>Unix epoch seconds per interaction.</summary>
    public ReadOnlySpan<long> Timestamps => _timestamps.AsSpan(0, Count);

    /// <summary>Event type code per interaction (index into <see cref="EventTypes"/>), -1 when the row has none.</summary>
    public ReadOnlySpan<short> EventTypeCodes => _eventTypes.AsSpan(0, Count);

    /// <summary>Event value per interaction, <see cref="float.NaN"/> when the row has none.</summary>
    public ReadOnlySpan<float> EventValues => _values.AsSpan(0, Count);
}
