using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Recsys.Core.Events;

/// <summary>
/// A validated PutEvents call: Personalize's <c>personalize-events</c> PutEvents body (<c>trackingId</c>,
/// <c>sessionId</c>, optional <c>userId</c>, <c>eventList</c> of 1–10 events), with its limits.
/// </summary>
/// <param name="TrackingId">The event tracker's tracking ID.</param>
/// <param name="SessionId">The session.</param>
/// <param name="UserId">The user, or null for an anonymous session.</param>
/// <param name="Events">The events, with distinct ids (a repeated id within the call is kept once).</param>
public sealed record PutEventsRequest(string TrackingId, string SessionId, string? UserId, IReadOnlyList<InteractionEvent> Events)
{
    /// <summary>Most events in one call.</summary>
    public const int MaxEvents = 10;

    /// <summary>Largest event, in bytes of its JSON.</summary>
    public const int MaxEventBytes = 10 * 1024;

    /// <summary>Longest user, session, event, item id and event type (the shared <see cref="Data.RecordIds"/> limit).</summary>
    public const int MaxIdLength = Data.RecordIds.MaxLength;

    /// <summary>Longest <c>properties</c> string.</summary>
    public const int MaxPropertiesLength = 1024;

    /// <summary>Longest <c>recommendationId</c>.</summary>
    public const int MaxRecommendationIdLength = 40;

    /// <summary>Most item ids in an <c>impression</c>.</summary>
    public const int MaxImpressions = 25;

    /// <summary>Longest <c>metricAttribution.eventAttributionSource</c>.</summary>
    public const int MaxAttributionSourceLength = 1024;

    // Epoch seconds beyond this (year 5138) are almost certainly milliseconds.
    private const double MaxEpochSeconds = 1e11;

    /// <summary>Whose history the events extend: the user, or the session when the user is anonymous.</summary>
    public string HistoryKey => UserId ?? SessionId;

    /// <summary>
    /// Validates a PutEvents body and returns the call, or throws <see cref="Errors.InvalidInputException"/> with every
    /// problem by JSON path (<c>eventList[2].sentAt</c>).
    /// </summary>
    /// <remarks>
    /// <c>sentAt</c> is epoch seconds as a JSON number (what AWS SDKs send), or an ISO 8601 string. An event without
    /// <c>eventId</c> gets one derived from its content (user, session, type, item, time, value, properties,
    /// recommendation, impression), so a retried call is stored once and identical events are one event, as
    /// Personalize deduplicates events with the same timestamp and properties. <c>itemId</c> is required because the
    /// Interactions dataset's ITEM_ID is.
    /// </remarks>
    public static PutEventsRequest Parse(JsonElement body)
    {
        var errors = new RequestErrors();
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors.Add("body", $"The body must be a JSON object, not {RequestErrors.Describe(body)}.");
            errors.ThrowIfAny("The PutEvents request is invalid");
        }

        var trackingId = errors.String(body, "trackingId", "trackingId", MaxIdLength, required: true);
        var sessionId = errors.Id(body, "sessionId", "sessionId", required: true);
        var userId = errors.Id(body, "userId", "userId");

        var events = new List<InteractionEvent>();
        if (!body.TryGetProperty("eventList", out var list) || list.ValueKind == JsonValueKind.Null)
        {
            errors.Add("eventList", "eventList is required: 1 to 10 events.");
        }
        else if (list.ValueKind != JsonValueKind.Array)
        {
            errors.Add("eventList", $"eventList must be an array, not {RequestErrors.Describe(list)}.");
        }
        else if (list.GetArrayLength() is 0 or > MaxEvents)
        {
            errors.Add("eventList", string.Create(CultureInfo.InvariantCulture, $"eventList has {list.GetArrayLength()} events; a call sends 1 to {MaxEvents}."));
        }
        else
        {
            var index = 0;
            foreach (var element in list.EnumerateArray())
            {
                if (ParseEvent(element, $"eventList[{index}]", userId, sessionId, errors) is { } parsed
                    && !events.Exists(e => e.EventId == parsed.EventId))
                {
                    events.Add(parsed);
                }

                index++;
            }
        }

        errors.ThrowIfAny("The PutEvents request is invalid");
        return new PutEventsRequest(trackingId!, sessionId!, userId, events);
    }

    private static InteractionEvent? ParseEvent(JsonElement element, string path, string? userId, string? sessionId, RequestErrors errors)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(path, $"An event must be a JSON object, not {RequestErrors.Describe(element)}.");
            return null;
        }

        var before = errors.Count;
        var size = JsonMarshal.GetRawUtf8Value(element).Length;
        if (size > MaxEventBytes)
        {
            errors.Add(path, string.Create(CultureInfo.InvariantCulture, $"The event has {size} bytes of JSON; the limit is {MaxEventBytes}."));
        }

        var eventId = errors.String(element, "eventId", path + ".eventId", MaxIdLength);
        var eventType = errors.String(element, "eventType", path + ".eventType", MaxIdLength, required: true);
        var itemId = errors.Id(element, "itemId", path + ".itemId", required: true);
        var sentAt = ParseSentAt(element, path + ".sentAt", errors);
        var eventValue = ParseEventValue(element, path + ".eventValue", errors);
        var properties = errors.String(element, "properties", path + ".properties", MaxPropertiesLength);
        if (properties is not null)
        {
            CheckProperties(properties, path + ".properties", errors);
        }

        var recommendationId = errors.String(element, "recommendationId", path + ".recommendationId", MaxRecommendationIdLength);
        var impression = ParseImpression(element, path + ".impression", errors);
        string? attributionSource = null;
        if (element.TryGetProperty("metricAttribution", out var attribution) && attribution.ValueKind != JsonValueKind.Null)
        {
            if (attribution.ValueKind != JsonValueKind.Object)
            {
                errors.Add(path + ".metricAttribution", $"metricAttribution must be an object, not {RequestErrors.Describe(attribution)}.");
            }
            else
            {
                attributionSource = errors.String(
                    attribution, "eventAttributionSource", path + ".metricAttribution.eventAttributionSource", MaxAttributionSourceLength, required: true);
            }
        }

        if (errors.Count > before || sessionId is null)
        {
            return null;
        }

        var value = new InteractionEvent(
            eventId ?? string.Empty, eventType!, itemId!, sentAt!.Value, userId, sessionId, eventValue, properties, recommendationId, impression, attributionSource);
        return eventId is null ? value with { EventId = DeriveEventId(value) } : value;
    }

    private static DateTimeOffset? ParseSentAt(JsonElement element, string path, RequestErrors errors)
    {
        if (!element.TryGetProperty("sentAt", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            errors.Add(path, "sentAt is required: when the event happened, in epoch seconds.");
            return null;
        }

        double seconds;
        if (value.ValueKind == JsonValueKind.Number)
        {
            seconds = value.GetDouble();
        }
        else if (value.ValueKind == JsonValueKind.String)
        {
            var text = value.GetString()!;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
            {
                seconds = number;
            }
            else if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                return parsed;
            }
            else
            {
                errors.Add(path, $"sentAt '{text}' is neither epoch seconds nor an ISO 8601 time.");
                return null;
            }
        }
        else
        {
            errors.Add(path, $"sentAt must be epoch seconds (a number) or an ISO 8601 string, not {RequestErrors.Describe(value)}.");
            return null;
        }

        if (!double.IsFinite(seconds) || seconds < 0)
        {
            errors.Add(path, "sentAt must be a non-negative number of epoch seconds.");
            return null;
        }

        if (seconds >= MaxEpochSeconds)
        {
            errors.Add(path, string.Create(CultureInfo.InvariantCulture, $"sentAt {seconds} looks like milliseconds; send epoch seconds."));
            return null;
        }

        return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000));
    }

    private static float? ParseEventValue(JsonElement element, string path, RequestErrors errors)
    {
        if (!element.TryGetProperty("eventValue", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            errors.Add(path, $"eventValue must be a number, not {RequestErrors.Describe(value)}.");
            return null;
        }

        var number = value.GetDouble();
        if (!float.IsFinite((float)number))
        {
            errors.Add(path, "eventValue is out of the range of a float.");
            return null;
        }

        return (float)number;
    }

    private static void CheckProperties(string properties, string path, RequestErrors errors)
    {
        try
        {
            using var document = JsonDocument.Parse(properties);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                errors.Add(path, $"properties must be a JSON object in a string, e.g. \"{{\\\"device\\\":\\\"phone\\\"}}\", not {RequestErrors.Describe(document.RootElement)}.");
            }
        }
        catch (JsonException e)
        {
            errors.Add(path, "properties is not valid JSON: " + e.Message);
        }
    }

    private static string[]? ParseImpression(JsonElement element, string path, RequestErrors errors)
    {
        if (!element.TryGetProperty("impression", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            errors.Add(path, $"impression must be an array of item ids, not {RequestErrors.Describe(value)}.");
            return null;
        }

        var count = value.GetArrayLength();
        if (count > MaxImpressions)
        {
            errors.Add(path, string.Create(CultureInfo.InvariantCulture, $"impression has {count} item ids; the limit is {MaxImpressions}."));
            return null;
        }

        var ids = new string[count];
        var i = 0;
        foreach (var id in value.EnumerateArray())
        {
            if (id.ValueKind != JsonValueKind.String || id.GetString() is not { } text || Data.RecordIds.Problem("An impression's item id", text) is not null)
            {
                errors.Add($"{path}[{i}]", $"An impression is an item id of 1 to {MaxIdLength} characters on one line.");
                return null;
            }

            ids[i++] = text;
        }

        return ids;
    }

    private static string DeriveEventId(InteractionEvent e)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Append(string? value)
        {
            // Length-prefixed, so that no two different field lists produce the same bytes.
            var text = value ?? "\0";
            hash.AppendData(BitConverter.GetBytes(text.Length));
            hash.AppendData(Encoding.UTF8.GetBytes(text));
        }

        Append(e.UserId);
        Append(e.SessionId);
        Append(e.EventType);
        Append(e.ItemId);
        Append(e.SentAt.UtcTicks.ToString(CultureInfo.InvariantCulture));
        Append(e.EventValue?.ToString("R", CultureInfo.InvariantCulture));
        Append(e.Properties);
        Append(e.RecommendationId);
        Append(e.Impression is null ? null : string.Join('\u001f', e.Impression));
        Append(e.EventAttributionSource);
        return "sha-" + Convert.ToHexStringLower(hash.GetHashAndReset().AsSpan(0, 16));
    }
}
