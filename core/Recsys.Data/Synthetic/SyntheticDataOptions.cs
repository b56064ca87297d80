namespace Recsys.Data.Synthetic;

/// <summary>Size and shape of a synthetic e-commerce dataset made by <see cref="SyntheticDataGenerator"/>.</summary>
public sealed class SyntheticDataOptions
{
    /// <summary>Seed; the same seed and options give byte-identical files.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Interaction rows to write (exactly). Default 100,000.</summary>
    public long Interactions { get; init; } = 100_000;

    /// <summary>Users; 0 (default) picks about one user per 40 interactions.</summary>
    public int Users { get; init; }

    /// <summary>Items; 0 (default) picks about one item per 200 interactions.</summary>
    public int Items { get; init; }

    /// <summary>Top-level item categories. Default 20.</summary>
    public int Categories { get; init; } = 20;

    /// <summary>Days of activity, ending at <see cref="End"/>. Default 90.</summary>
    public int Days { get; init; } = 90;

    /// <summary>End of the activity window. Default 2025-01-01T00:00:00Z, fixed so output does not depend on the clock.</summary>
    public DateTimeOffset End { get; init; } = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Exponent of the power law of item popularity (weight of the item of rank r is 1/r^exponent). Default 1.0.</summary>
    public double PopularityExponent { get; init; } = 1.0;

    /// <summary>Probability that a viewed item is clicked. Default 0.25.</summary>
    public double ClickRate { get; init; } = 0.25;

    /// <summary>Probability that a clicked item is bought. Default 0.12.</summary>
    public double PurchaseRate { get; init; } = 0.12;
}

/// <summary>What <see cref="SyntheticDataGenerator.GenerateAsync"/> wrote.</summary>
/// <param name="InteractionsCsv">Path of <c>interactions.csv</c>.</param>
/// <param name="ItemsCsv">Path of <c>items.csv</c>.</param>
/// <param name="UsersCsv">Path of <c>users.csv</c>.</param>
/// <param name="InteractionsSchema">Path of the interactions Avro schema.</param>
/// <param name="ItemsSchema">Path of the items Avro schema.</param>
/// <param name="UsersSchema">Path of the users Avro schema.</param>
/// <param name="Interactions">Interaction rows written.</param>
/// <param name="Users">User rows written.</param>
/// <param name="Items">Item rows written.</param>
/// <param name="EventCounts">Interactions per event type.</param>
public sealed record SyntheticDataset(
    string InteractionsCsv,
    string ItemsCsv,
    string UsersCsv,
    string InteractionsSchema,
    string ItemsSchema,
    string UsersSchema,
    long Interactions,
    int Users,
    int Items,
    IReadOnlyDictionary<string, long> EventCounts);
