using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Recsys.Core.Events;
using Recsys.Data.Schemas;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>Event trackers, PutEvents, PutItems and PutUsers through the dev host, stored in Table Storage.</summary>
public sealed class EventsApiTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string SentAt = "1700000000";
    private FunctionsHost _host = null!;

    private IEventStore Events => _host.Services.GetRequiredService<IEventStore>();

    private IDatasetRecordStore Records => _host.Services.GetRequiredService<IDatasetRecordStore>();

    public async Task InitializeAsync()
        => _host = await FunctionsHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["AzureWebJobs.importJob.Disabled"] = "true" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Tracker_create_describe_list_and_delete_round_trip()
    {
        await CreateGroupAsync("tracked");
        var (status, created, response) = await SendAsync(HttpMethod.Post, "/api/manage/event-trackers", new JsonObject { ["name"] = "tracked-tracker", ["datasetGroupArn"] = "arn:recsys:personalize:::dataset-group/tracked" });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.NotNull(response.Headers.ETag);
        Assert.Equal("arn:recsys:personalize:::event-tracker/tracked-tracker", (string?)created!["eventTrackerArn"]);
        var trackingId = (string)created["trackingId"]!;
        Assert.True(Guid.TryParse(trackingId, out _));

        var (_, described, _) = await SendAsync(HttpMethod.Get, "/api/manage/event-trackers/" + Uri.EscapeDataString("arn:recsys:personalize:::event-tracker/tracked-tracker"));
        var tracker = described!["eventTracker"]!;
        Assert.Equal("ACTIVE", (string?)tracker["status"]);
        Assert.Equal(trackingId, (string?)tracker["trackingId"]);
        Assert.Equal("arn:recsys:personalize:::dataset-group/tracked", (string?)tracker["datasetGroupArn"]);

        var (_, byGroup, _) = await SendAsync(HttpMethod.Get, "/api/manage/event-trackers?datasetGroupArn=tracked&maxResults=5");
        Assert.Equal(["tracked-tracker"], byGroup!["eventTrackers"]!.AsArray().Select(t => (string)t!["name"]!));
        var (_, all, _) = await SendAsync(HttpMethod.Get, "/api/manage/event-trackers");
        Assert.Contains("tracked-tracker", all!["eventTrackers"]!.AsArray().Select(t => (string)t!["name"]!));

        Assert.Equal(HttpStatusCode.OK, (await PutEventsAsync(Call(trackingId, "u1", Event("e1", "i1")))).StatusCode);

        var (deleted, _, _) = await SendAsync(HttpMethod.Delete, "/api/manage/event-trackers/tracked-tracker");
        Assert.Equal(HttpStatusCode.NoContent, deleted);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/api/manage/event-trackers/tracked-tracker")).Status);
        Assert.Empty((await SendAsync(HttpMethod.Get, "/api/manage/event-trackers?datasetGroupArn=tracked")).Body!["eventTrackers"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await PutEventsAsync(Call(trackingId, "u1", Event("e2", "i2")))).StatusCode);

        // The events it recorded stay; the group can have a new tracker.
        Assert.Single((await Events.GetHistoryAsync("tracked", "u1")).Events);
        var (again, _, _) = await SendAsync(HttpMethod.Post, "/api/manage/event-trackers", new JsonObject { ["name"] = "tracked-tracker-2", ["datasetGroupArn"] = "tracked" });
        Assert.Equal(HttpStatusCode.Created, again);
    }

    [Fact]
    public async Task A_dataset_group_has_one_tracker_and_names_are_unique()
    {
        await CreateGroupAsync("single");
        await CreateGroupAsync("single-other");
        await CreateTrackerAsync("single-a", "single");

        var (second, problem, _) = await SendAsync(HttpMethod.Post, "/api/manage/event-trackers", new JsonObject { ["name"] = "single-b", ["datasetGroupArn"] = "single" });
        Assert.Equal(HttpStatusCode.BadRequest, second);
        Assert.Contains("single-a", (string?)problem!["detail"], StringComparison.Ordinal);
        var (sameName, _, _) = await SendAsync(HttpMethod.Post, "/api/manage/event-trackers", new JsonObject { ["name"] = "single-a", ["datasetGroupArn"] = "single-other" });
        Assert.Equal(HttpStatusCode.Conflict, sameName);
        var (unknownGroup, _, _) = await SendAsync(HttpMethod.Post, "/api/manage/event-trackers", new JsonObject { ["name"] = "single-c", ["datasetGroupArn"] = "no-such-group" });
        Assert.Equal(HttpStatusCode.NotFound, unknownGroup);

        // Nothing of the refused trackers was kept: the other group can still get one, single-b does not exist.
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, "/api/manage/event-trackers/single-b")).Status);
        Assert.Equal(["single-a"], (await SendAsync(HttpMethod.Get, "/api/manage/event-trackers?datasetGroupArn=single")).Body!["eventTrackers"]!.AsArray().Select(t => (string)t!["name"]!));
        await CreateTrackerAsync("single-d", "single-other");
    }

    [Fact]
    public async Task PutEvents_is_200_with_an_empty_body_and_the_history_point_read_shows_the_events_in_time_order()
    {
        var trackingId = await NewTrackerAsync("history");

        var first = Call(trackingId, "alice", Event("e2", "item-2", sentAt: 1700000020, type: "click", value: 0.5), Event("e1", "item-1", sentAt: 1700000010));
        first["eventList"]!.AsArray()[0]!["recommendationId"] = "rec-1";
        first["eventList"]!.AsArray()[0]!["impression"] = new JsonArray("item-2", "item-9");
        first["eventList"]!.AsArray()[0]!["properties"] = "{\"device\":\"phone\"}";
        using var response = await PutEventsAsync(first);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());

        // ISO 8601 is accepted too.
        var second = Call(trackingId, "alice", Event("e3", "item-3"));
        second["eventList"]!.AsArray()[0]!["sentAt"] = "2023-11-14T22:14:00Z";
        Assert.Equal(HttpStatusCode.OK, (await PutEventsAsync(second)).StatusCode);

        var history = await Events.GetHistoryAsync("history", "alice");
        Assert.Equal(["e1", "e2", "e3"], history.Events.Select(e => e.EventId));
        var e2 = history.Events[1];
        Assert.Equal(("item-2", "click", 0.5f, "rec-1"), (e2.ItemId, e2.EventType, e2.EventValue, e2.RecommendationId));
        Assert.Equal(["item-2", "item-9"], e2.Impression!);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000020), e2.Timestamp);
        Assert.Equal(DateTimeOffset.Parse("2023-11-14T22:14:00Z", System.Globalization.CultureInfo.InvariantCulture), history.Events[2].Timestamp);

        var stored = await ReadAllAsync("history");
        Assert.Equal(3, stored.Count);
        var stored2 = stored.Single(e => e.EventId == "e2");
        Assert.Equal(("alice", "session-alice", "{\"device\":\"phone\"}"), (stored2.UserId, stored2.SessionId, stored2.Properties));
    }

    [Fact]
    public async Task A_retried_call_with_the_same_event_ids_is_stored_once()
    {
        var trackingId = await NewTrackerAsync("retry");
        var call = Call(trackingId, "bob", Event("r1", "i1", sentAt: 1700000001), Event("r2", "i2", sentAt: 1700000002), Event("r1", "i1", sentAt: 1700000001));

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await PutEventsAsync(call)).StatusCode);
        }

        // Without eventIds the id is derived from the content, so a retry is stored once too.
        var anonymous = Call(trackingId, "bob", Event(null, "i3", sentAt: 1700000003), Event(null, "i4", sentAt: 1700000004));
        Assert.Equal(HttpStatusCode.OK, (await PutEventsAsync(anonymous)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PutEventsAsync(anonymous)).StatusCode);

        Assert.Equal(4, (await ReadAllAsync("retry")).Count);
        Assert.Equal(["i1", "i2", "i3", "i4"], (await Events.GetHistoryAsync("retry", "bob")).Events.Select(e => e.ItemId));
    }

    [Fact]
    public async Task Concurrent_calls_for_one_user_lose_no_event()
    {
        var trackingId = await NewTrackerAsync("concurrent");
        var calls = Enumerable.Range(0, 8).Select(c => PutEventsAsync(Call(
            trackingId, "carol", Enumerable.Range(0, 5).Select(i => Event($"c{c}-{i}", $"item-{c}-{i}", sentAt: 1700000000 + (c * 10) + i)).ToArray())));

        foreach (var response in await Task.WhenAll(calls))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(40, (await ReadAllAsync("concurrent")).Count);
        var history = (await Events.GetHistoryAsync("concurrent", "carol")).Events;
        Assert.Equal(40, history.Count);
        Assert.Equal(history.OrderBy(e => e.Timestamp).Select(e => e.EventId), history.Select(e => e.EventId));
    }

    [Fact]
    public async Task Without_a_user_id_the_session_has_its_own_history()
    {
        var trackingId = await NewTrackerAsync("anonymous");
        var call = Call(trackingId, null, Event("a1", "i1"));
        call["sessionId"] = "session-42";

        Assert.Equal(HttpStatusCode.OK, (await PutEventsAsync(call)).StatusCode);

        var history = await Events.GetHistoryAsync("anonymous", "session-42");
        Assert.Equal("i1", Assert.Single(history.Events).ItemId);
        var stored = Assert.Single(await ReadAllAsync("anonymous"));
        Assert.Null(stored.UserId);
        Assert.Equal("session-42", stored.SessionId);
        Assert.Empty((await Events.GetHistoryAsync("anonymous", "someone-else")).Events);
    }

    [Fact]
    public async Task Ids_with_characters_table_keys_forbid_are_stored_and_read_back()
    {
        var trackingId = await NewTrackerAsync("odd-ids");
        var user = "user/with#odd?chars%and'quotes\\~";

        Assert.Equal(HttpStatusCode.OK, (await PutEventsAsync(Call(trackingId, user, Event("ev/1#?", "item/1")))).StatusCode);

        var history = await Events.GetHistoryAsync("odd-ids", user);
        Assert.Equal(("ev/1#?", "item/1"), (Assert.Single(history.Events).EventId, history.Events[0].ItemId));
    }

    [Fact]
    public async Task PutEvents_needs_a_function_key_and_an_unknown_tracking_id_is_404()
    {
        var trackingId = await NewTrackerAsync("keys");
        using var noKey = new HttpRequestMessage(HttpMethod.Post, "/api/events") { Content = Json(Call(trackingId, "u", Event("k1", "i1"))) };
        Assert.Equal(HttpStatusCode.Unauthorized, (await _host.Client.SendAsync(noKey)).StatusCode);

        using var unknown = await PutEventsAsync(Call(Guid.NewGuid().ToString(), "u", Event("k2", "i2")));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal("ResourceNotFoundException", unknown.Headers.GetValues("x-amzn-ErrorType").Single());
        Assert.Empty(await ReadAllAsync("keys"));
    }

    public static TheoryData<string, string> BadEvents => new()
    {
        { "eleven-events", "eventList" },
        { "no-events", "eventList" },
        { "missing-sentAt", "eventList[0].sentAt" },
        { "milliseconds-sentAt", "eventList[0].sentAt" },
        { "properties-not-json", "eventList[0].properties" },
        { "properties-not-object", "eventList[0].properties" },
        { "event-over-10KB", "eventList[0]" },
        { "missing-eventType", "eventList[0].eventType" },
        { "missing-itemId", "eventList[0].itemId" },
        { "missing-sessionId", "sessionId" },
        { "missing-trackingId", "trackingId" },
        { "eventValue-string", "eventList[0].eventValue" },
        { "26-impressions", "eventList[0].impression" },
        { "long-recommendationId", "eventList[0].recommendationId" },
        { "not-json", "body" },
    };

    [Theory]
    [MemberData(nameof(BadEvents))]
    public async Task Bad_PutEvents_is_a_400_problem_naming_the_field_and_stores_nothing(string @case, string field)
    {
        var group = "bad-" + @case.ToLowerInvariant();
        var trackingId = await NewTrackerAsync(group);
        Assert.Equal(HttpStatusCode.OK, (await PutEventsAsync(Call(trackingId, "dave", Event("kept", "i0")))).StatusCode);

        // The bad call also carries a good event, which must not be stored either.
        var call = Call(trackingId, "dave", Event("bad", "i1"), Event("good", "i2"));
        var bad = call["eventList"]!.AsArray()[0]!.AsObject();
        switch (@case)
        {
            case "eleven-events":
                call["eventList"] = new JsonArray(Enumerable.Range(0, 11).Select(i => (JsonNode)Event($"x{i}", "i")).ToArray());
                break;
            case "no-events":
                call["eventList"] = new JsonArray();
                break;
            case "missing-sentAt":
                bad.Remove("sentAt");
                break;
            case "milliseconds-sentAt":
                bad["sentAt"] = 1700000000000;
                break;
            case "properties-not-json":
                bad["properties"] = "{device: phone";
                break;
            case "properties-not-object":
                bad["properties"] = "[1,2]";
                break;
            case "event-over-10KB":
                // Every field within its own limit, but 25 impressions of 256 three-byte characters are 19 KB.
                bad["impression"] = new JsonArray(Enumerable.Range(0, 25).Select(i => (JsonNode)new string('€', 256)).ToArray());
                break;
            case "missing-eventType":
                bad.Remove("eventType");
                break;
            case "missing-itemId":
                bad.Remove("itemId");
                break;
            case "missing-sessionId":
                call.Remove("sessionId");
                break;
            case "missing-trackingId":
                call.Remove("trackingId");
                break;
            case "eventValue-string":
                bad["eventValue"] = "high";
                break;
            case "26-impressions":
                bad["impression"] = new JsonArray(Enumerable.Range(0, 26).Select(i => (JsonNode)("i" + i)).ToArray());
                break;
            case "long-recommendationId":
                bad["recommendationId"] = new string('r', 41);
                break;
        }

        using var request = FunctionsHost.WithKey(HttpMethod.Post, "/api/events", FunctionsHost.HostKey);
        request.Content = new StringContent(@case == "not-json" ? "{\"trackingId\": " : call.ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("InvalidInputException", response.Headers.GetValues("x-amzn-ErrorType").Single());
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(problem["errors"]?[field] is not null, $"errors has no '{field}': {problem.ToJsonString()}");

        Assert.Equal(["kept"], (await ReadAllAsync(group)).Select(e => e.EventId));
        Assert.Equal(["kept"], (await Events.GetHistoryAsync(group, "dave")).Events.Select(e => e.EventId));
    }

    [Fact]
    public async Task PutItems_and_PutUsers_store_records_checked_against_the_schema()
    {
        await CreateItemsAndUsersAsync("catalog");

        var items = new JsonObject
        {
            ["datasetArn"] = "arn:recsys:personalize:::dataset/catalog/ITEMS",
            ["items"] = new JsonArray(
                new JsonObject { ["itemId"] = "i1", ["properties"] = "{\"categoryL1\":\"shoes|sale\",\"price\":19.5,\"creationTimestamp\":1700000000,\"inStock\":true}" },
                new JsonObject { ["itemId"] = "i2", ["properties"] = "{\"CATEGORY_L1\":\"hats\",\"price\":\"7\",\"description\":null}" }),
        };
        using var put = await SendKeyedAsync("/api/items", items);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Empty(await put.Content.ReadAsByteArrayAsync());

        var i1 = await Records.FindAsync("catalog", DatasetType.Items, "i1");
        Assert.NotNull(i1);
        Assert.Equal("shoes|sale", i1!.Fields["CATEGORY_L1"]);
        Assert.Equal(19.5, i1.Fields["PRICE"]);
        Assert.Equal(1700000000L, i1.Fields["CREATION_TIMESTAMP"]);
        Assert.Equal(true, i1.Fields["IN_STOCK"]);
        Assert.Equal(7.0, (await Records.FindAsync("catalog", DatasetType.Items, "i2"))!.Fields["PRICE"]);

        // A later put replaces the record.
        items["items"] = new JsonArray(new JsonObject { ["itemId"] = "i1", ["properties"] = "{\"categoryL1\":\"boots\",\"price\":25}" });
        Assert.Equal(HttpStatusCode.OK, (await SendKeyedAsync("/api/items", items)).StatusCode);
        var replaced = (await Records.FindAsync("catalog", DatasetType.Items, "i1"))!;
        Assert.Equal("boots", replaced.Fields["CATEGORY_L1"]);
        Assert.False(replaced.Fields.ContainsKey("IN_STOCK"));

        var users = new JsonObject
        {
            ["datasetArn"] = "catalog/USERS",
            ["users"] = new JsonArray(new JsonObject { ["userId"] = "u1", ["properties"] = "{\"membership\":\"gold\",\"age\":41}" }),
        };
        Assert.Equal(HttpStatusCode.OK, (await SendKeyedAsync("/api/users", users)).StatusCode);
        var u1 = (await Records.FindAsync("catalog", DatasetType.Users, "u1"))!;
        Assert.Equal(("gold", 41), (u1.Fields["MEMBERSHIP"], u1.Fields["AGE"]));

        var all = new List<DatasetRecord>();
        await foreach (var record in Records.ReadAllAsync("catalog", DatasetType.Items))
        {
            all.Add(record);
        }

        Assert.Equal(["i1", "i2"], all.Select(r => r.Id).Order());
    }

    [Theory]
    [InlineData("{\"categoryL1\":\"shoes\",\"price\":5,\"colour\":\"red\"}", "items[1].properties.colour")]
    [InlineData("{\"categoryL1\":\"shoes\",\"price\":\"cheap\"}", "items[1].properties.price")]
    [InlineData("{\"categoryL1\":7,\"price\":5}", "items[1].properties.categoryL1")]
    [InlineData("{\"categoryL1\":\"shoes\",\"price\":5,\"inStock\":\"yes\"}", "items[1].properties.inStock")]
    [InlineData("{\"price\":5}", "items[1].properties.categoryL1")]
    [InlineData("{\"categoryL1\":\"shoes\",\"price\":5,\"itemId\":\"x\"}", "items[1].properties.itemId")]
    [InlineData("not json", "items[1].properties")]
    public async Task Bad_PutItems_is_a_400_problem_naming_the_field_and_stores_nothing(string properties, string field)
    {
        var group = "items-" + Math.Abs(properties.GetHashCode(StringComparison.Ordinal)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await CreateItemsAndUsersAsync(group);
        var dataset = $"{group}/ITEMS";
        Assert.Equal(HttpStatusCode.OK, (await SendKeyedAsync("/api/items", new JsonObject
        {
            ["datasetArn"] = dataset,
            ["items"] = new JsonArray(new JsonObject { ["itemId"] = "kept", ["properties"] = "{\"categoryL1\":\"old\",\"price\":1}" }),
        })).StatusCode);

        using var response = await SendKeyedAsync("/api/items", new JsonObject
        {
            ["datasetArn"] = dataset,
            ["items"] = new JsonArray(
                new JsonObject { ["itemId"] = "kept", ["properties"] = "{\"categoryL1\":\"new\",\"price\":2}" },
                new JsonObject { ["itemId"] = "bad", ["properties"] = properties }),
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.True(problem["errors"]?[field] is not null, $"errors has no '{field}': {problem.ToJsonString()}");
        Assert.Equal("old", (await Records.FindAsync(group, DatasetType.Items, "kept"))!.Fields["CATEGORY_L1"]);
        Assert.Null(await Records.FindAsync(group, DatasetType.Items, "bad"));
    }

    [Fact]
    public async Task PutItems_to_a_missing_or_wrong_dataset_is_refused()
    {
        await CreateItemsAndUsersAsync("wrong-dataset");
        var body = new JsonObject { ["datasetArn"] = "wrong-dataset/USERS", ["items"] = new JsonArray(new JsonObject { ["itemId"] = "i", ["properties"] = "{}" }) };
        using var wrongType = await SendKeyedAsync("/api/items", body);
        Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);

        body["datasetArn"] = "no-such-group/ITEMS";
        using var missing = await SendKeyedAsync("/api/items", body);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        body["datasetArn"] = "wrong-dataset/ITEMS";
        body["items"] = new JsonArray(Enumerable.Range(0, 11).Select(i => (JsonNode)new JsonObject { ["itemId"] = "i" + i, ["properties"] = "{}" }).ToArray());
        using var eleven = await SendKeyedAsync("/api/items", body);
        Assert.Equal(HttpStatusCode.BadRequest, eleven.StatusCode);
        Assert.NotNull(JsonNode.Parse(await eleven.Content.ReadAsStringAsync())!["errors"]!["items"]);
    }

    private static JsonObject Event(string? eventId, string itemId, long sentAt = 1700000000, string type = "view", double? value = null)
    {
        var e = new JsonObject { ["eventType"] = type, ["itemId"] = itemId, ["sentAt"] = sentAt };
        if (eventId is not null)
        {
            e["eventId"] = eventId;
        }

        if (value is not null)
        {
            e["eventValue"] = value;
        }

        return e;
    }

    private static JsonObject Call(string trackingId, string? userId, params JsonObject[] events)
    {
        var call = new JsonObject { ["trackingId"] = trackingId, ["sessionId"] = "session-" + (userId ?? "anonymous"), ["eventList"] = new JsonArray(events) };
        if (userId is not null)
        {
            call["userId"] = userId;
        }

        return call;
    }

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    private Task<HttpResponseMessage> PutEventsAsync(JsonObject call) => SendKeyedAsync("/api/events", call);

    private async Task<HttpResponseMessage> SendKeyedAsync(string path, JsonObject body)
    {
        using var request = FunctionsHost.WithKey(HttpMethod.Post, path, FunctionsHost.HostKey);
        request.Content = Json(body);
        return await _host.Client.SendAsync(request);
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, JsonNode? body = null)
    {
        using var request = FunctionsHost.WithKey(method, path, body: body);
        var response = await _host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    private async Task CreateGroupAsync(string name)
        => Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Post, "/api/manage/dataset-groups", new JsonObject { ["name"] = name })).Status);

    private async Task<string> CreateTrackerAsync(string name, string group)
    {
        var (status, body, _) = await SendAsync(HttpMethod.Post, "/api/manage/event-trackers", new JsonObject { ["name"] = name, ["datasetGroupArn"] = group });
        Assert.Equal(HttpStatusCode.Created, status);
        return (string)body!["trackingId"]!;
    }

    private async Task<string> NewTrackerAsync(string group)
    {
        await CreateGroupAsync(group);
        return await CreateTrackerAsync(group + "-tracker", group);
    }

    private async Task CreateItemsAndUsersAsync(string group)
    {
        await CreateGroupAsync(group);
        var itemsSchema = DatasetSchema.Create(
            DatasetType.Items,
            new FieldDefinition("ITEM_ID", FieldType.String),
            new FieldDefinition("CATEGORY_L1", FieldType.String, IsCategorical: true),
            new FieldDefinition("PRICE", FieldType.Float),
            new FieldDefinition("CREATION_TIMESTAMP", FieldType.Long, IsNullable: true),
            new FieldDefinition("IN_STOCK", FieldType.Boolean, IsNullable: true),
            new FieldDefinition("DESCRIPTION", FieldType.String, IsNullable: true, IsTextual: true));
        var usersSchema = DatasetSchema.Create(
            DatasetType.Users,
            new FieldDefinition("USER_ID", FieldType.String),
            new FieldDefinition("MEMBERSHIP", FieldType.String, IsCategorical: true),
            new FieldDefinition("AGE", FieldType.Int, IsNullable: true));
        foreach (var (type, schema) in new[] { ("Items", itemsSchema), ("Users", usersSchema) })
        {
            var schemaName = $"{group}-{type.ToLowerInvariant()}";
            Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Post, "/api/manage/schemas", new JsonObject { ["name"] = schemaName, ["schema"] = schema.ToJson() })).Status);
            Assert.Equal(HttpStatusCode.Created, (await SendAsync(HttpMethod.Post, "/api/manage/datasets", new JsonObject
            {
                ["name"] = schemaName,
                ["datasetGroupArn"] = group,
                ["datasetType"] = type,
                ["schemaArn"] = schemaName,
            })).Status);
        }
    }

    private async Task<List<InteractionEvent>> ReadAllAsync(string group)
    {
        var events = new List<InteractionEvent>();
        await foreach (var e in Events.ReadAllAsync(group))
        {
            events.Add(e);
        }

        return events;
    }
}
