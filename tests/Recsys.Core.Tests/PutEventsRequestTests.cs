using System.Text.Json;
using Recsys.Core.Errors;
using Recsys.Core.Events;

namespace Recsys.Core.Tests;

/// <summary>PutEvents body rules and the camelCase property names of PutItems and PutUsers.</summary>
public sealed class PutEventsRequestTests
{
    private static PutEventsRequest Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return PutEventsRequest.Parse(document.RootElement);
    }

    private static string Call(string events, string user = "\"userId\":\"u1\",")
        => "{\"trackingId\":\"t\"," + user + "\"sessionId\":\"s1\",\"eventList\":[" + events + "]}";

    [Fact]
    public void SentAt_is_epoch_seconds_with_fractions_or_ISO_8601()
    {
        var request = Parse(Call(
            "{\"eventId\":\"a\",\"eventType\":\"view\",\"itemId\":\"i\",\"sentAt\":1700000000.25},"
            + "{\"eventId\":\"b\",\"eventType\":\"view\",\"itemId\":\"i\",\"sentAt\":\"2023-11-14T22:13:20+01:00\"}"));

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_250), request.Events[0].SentAt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 - 3600), request.Events[1].SentAt);
        Assert.Equal("u1", request.HistoryKey);
    }

    [Fact]
    public void A_missing_event_id_is_derived_from_the_content()
    {
        const string Event = "{\"eventType\":\"view\",\"itemId\":\"i\",\"sentAt\":1700000000}";
        var first = Parse(Call(Event)).Events[0].EventId;

        Assert.Equal(first, Parse(Call(Event)).Events[0].EventId);
        Assert.NotEqual(first, Parse(Call(Event.Replace("\"i\"", "\"j\"", StringComparison.Ordinal))).Events[0].EventId);
        Assert.NotEqual(first, Parse(Call(Event, user: "\"userId\":\"u2\",")).Events[0].EventId);

        // Two identical events in one call are one event, as Personalize deduplicates them.
        Assert.Single(Parse(Call(Event + "," + Event)).Events);
    }

    [Fact]
    public void Without_a_user_the_session_is_the_history_key()
        => Assert.Equal("s1", Parse(Call("{\"eventType\":\"view\",\"itemId\":\"i\",\"sentAt\":1}", user: string.Empty)).HistoryKey);

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var error = Assert.Throws<InvalidInputException>(() => Parse(
            "{\"sessionId\":\"\",\"eventList\":[{\"itemId\":5,\"sentAt\":true,\"properties\":\"x\"},{\"eventType\":\"v\",\"itemId\":\"i\",\"sentAt\":1,\"metricAttribution\":{}}]}"));

        Assert.Equal(
            ["eventList[0].eventType", "eventList[0].itemId", "eventList[0].properties", "eventList[0].sentAt", "eventList[1].metricAttribution.eventAttributionSource", "sessionId", "trackingId"],
            error.Errors.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("CATEGORY_L1", "categoryL1")]
    [InlineData("NUMBER_OF_RATINGS", "numberOfRatings")]
    [InlineData("PRICE", "price")]
    [InlineData("creation_timestamp", "creationTimestamp")]
    public void Property_names_are_the_camel_case_of_field_names(string field, string property)
        => Assert.Equal(property, IndividualRecordService.PropertyName(field));
}

/// <summary>Ids with control characters are rejected by the events API, naming the field.</summary>
public sealed class PutEventsIdRulesTests
{
    [Theory]
    [InlineData("{\"trackingId\":\"t\",\"userId\":\"u\\n1\",\"sessionId\":\"s1\",\"eventList\":[{\"eventType\":\"view\",\"itemId\":\"i\",\"sentAt\":1700000000}]}", "userId")]
    [InlineData("{\"trackingId\":\"t\",\"sessionId\":\"s\\u00001\",\"eventList\":[{\"eventType\":\"view\",\"itemId\":\"i\",\"sentAt\":1700000000}]}", "sessionId")]
    [InlineData("{\"trackingId\":\"t\",\"sessionId\":\"s1\",\"eventList\":[{\"eventType\":\"view\",\"itemId\":\"i\\r\",\"sentAt\":1700000000}]}", "eventList[0].itemId")]
    public void A_control_character_in_an_id_is_invalid_input_naming_the_field(string json, string field)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var error = Assert.Throws<InvalidInputException>(() => PutEventsRequest.Parse(document.RootElement));
        Assert.Equal([field], error.Errors.Keys);
    }
}
