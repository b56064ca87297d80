using System.Text.Json;
using Recsys.Data.Schemas;

namespace Recsys.Core.Events;

/// <summary>
/// A real-time event as a row of the Interactions dataset, for compaction into segments and for exports: the reserved
/// fields from the event (USER_ID is the user, or the session of an anonymous event, as training sees it; TIMESTAMP in
/// epoch seconds; IMPRESSION joined with '|'), any other field from the event's <c>properties</c> by its camelCase or
/// schema name.
/// </summary>
public static class EventRecords
{
    /// <summary>The value of each schema field for <paramref name="e"/> (null when the event has none).</summary>
    public static Func<SchemaField, object?> Values(InteractionEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        Dictionary<string, object?>? properties = null;
        return field => field.Name switch
        {
            ReservedFields.UserId => e.HistoryKey,
            ReservedFields.ItemId => e.ItemId,
            ReservedFields.Timestamp => e.SentAt.ToUnixTimeSeconds(),
            ReservedFields.EventType => e.EventType,
            ReservedFields.EventValue => e.EventValue,
            ReservedFields.Impression => e.Impression is { Count: > 0 } shown ? string.Join('|', shown) : null,
            ReservedFields.RecommendationId => e.RecommendationId,
            ReservedFields.EventAttributionSource => e.EventAttributionSource,
            _ => Property(properties ??= ParseProperties(e.Properties), field.Name),
        };
    }

    private static object? Property(Dictionary<string, object?> properties, string fieldName)
        => properties.TryGetValue(IndividualRecordService.PropertyName(fieldName), out var value) || properties.TryGetValue(fieldName, out value) ? value : null;

    private static Dictionary<string, object?> ParseProperties(string? json)
    {
        var values = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(json))
        {
            return values;
        }

        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return values;
        }

        foreach (var property in document.RootElement.EnumerateObject())
        {
            values[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Number => property.Value.GetDouble(),
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => property.Value.GetRawText(),
            };
        }

        return values;
    }
}
