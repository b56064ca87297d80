using System.Net;
using System.Text.Json.Nodes;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>Filters through the manage API: create, describe, list, delete, and the problems a bad filter gets.</summary>
public sealed class FiltersApiTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private const string ItemsSchema = """
        {"type":"record","name":"Items","namespace":"com.amazonaws.personalize.schema","version":"1.0","fields":[
          {"name":"ITEM_ID","type":"string"},{"name":"GENRE","type":"string","categorical":true},{"name":"PRICE","type":"float"}]}
        """;

    private const string InteractionsSchema = """
        {"type":"record","name":"Interactions","namespace":"com.amazonaws.personalize.schema","version":"1.0","fields":[
          {"name":"USER_ID","type":"string"},{"name":"ITEM_ID","type":"string"},{"name":"TIMESTAMP","type":"long"},{"name":"EVENT_TYPE","type":"string"}]}
        """;

    private FunctionsHost _host = null!;

    public async Task InitializeAsync() => _host = await FunctionsHost.StartAsync(azurite.ConnectionString);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body = null, HttpStatusCode expected = HttpStatusCode.OK)
        => _host.SendJsonAsync(method, path, body, expected);

    private async Task CreateGroupAsync(string group)
    {
        await SendAsync(HttpMethod.Post, "/api/manage/dataset-groups", new JsonObject { ["name"] = group }, HttpStatusCode.Created);
        foreach (var (type, schema) in new[] { ("Items", ItemsSchema), ("Interactions", InteractionsSchema) })
        {
            var name = $"{group}-{type.ToLowerInvariant()}";
            await SendAsync(HttpMethod.Post, "/api/manage/schemas", new JsonObject { ["name"] = name, ["schema"] = schema }, HttpStatusCode.Created);
            await SendAsync(HttpMethod.Post, "/api/manage/datasets", new JsonObject
            {
                ["name"] = name,
                ["datasetGroupArn"] = "arn:recsys:personalize:::dataset-group/" + group,
                ["datasetType"] = type,
                ["schemaArn"] = "arn:recsys:personalize:::schema/" + name,
            }, HttpStatusCode.Created);
        }
    }

    private static JsonObject CreateRequest(string name, string group, string expression) => new()
    {
        ["name"] = name,
        ["datasetGroupArn"] = "arn:recsys:personalize:::dataset-group/" + group,
        ["filterExpression"] = expression,
    };

    [Fact]
    public async Task A_filter_is_created_described_listed_and_deleted()
    {
        await CreateGroupAsync("filtered");
        await CreateGroupAsync("other");
        const string expression = "INCLUDE ItemID WHERE Items.GENRE IN ($GENRE) AND Items.PRICE < 20 | EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"purchase\")";

        var created = await SendAsync(HttpMethod.Post, "/api/manage/filters", CreateRequest("cheap-genre", "filtered", expression), HttpStatusCode.Created);
        await SendAsync(HttpMethod.Post, "/api/manage/filters", CreateRequest("unwatched", "other", "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"*\")"), HttpStatusCode.Created);
        Assert.Equal("arn:recsys:personalize:::filter/cheap-genre", (string?)created!["filterArn"]);

        var described = (await SendAsync(HttpMethod.Get, "/api/manage/filters/" + Uri.EscapeDataString("arn:recsys:personalize:::filter/cheap-genre")))!["filter"]!;
        Assert.Equal("cheap-genre", (string?)described["name"]);
        Assert.Equal("arn:recsys:personalize:::dataset-group/filtered", (string?)described["datasetGroupArn"]);
        Assert.Equal(expression, (string?)described["filterExpression"]);
        Assert.Equal("ACTIVE", (string?)described["status"]);
        Assert.NotNull(described["creationDateTime"]);
        Assert.NotNull(described["lastUpdatedDateTime"]);

        var all = (await SendAsync(HttpMethod.Get, "/api/manage/filters"))!["Filters"]!.AsArray();
        var names = all.Select(f => (string?)f!["name"]).ToList();
        Assert.Contains("cheap-genre", names);
        Assert.Contains("unwatched", names);
        var inGroup = (await SendAsync(HttpMethod.Get, "/api/manage/filters?maxResults=1&datasetGroupArn=" + Uri.EscapeDataString("arn:recsys:personalize:::dataset-group/other")))!;
        var page = inGroup["Filters"]!.AsArray();
        Assert.Equal("unwatched", (string?)page.Single()!["name"]);
        Assert.Equal("ACTIVE", (string?)page.Single()!["status"]);

        await SendAsync(HttpMethod.Delete, "/api/manage/filters/cheap-genre", expected: HttpStatusCode.NoContent);
        await SendAsync(HttpMethod.Get, "/api/manage/filters/cheap-genre", expected: HttpStatusCode.NotFound);
        await SendAsync(HttpMethod.Delete, "/api/manage/filters/cheap-genre", expected: HttpStatusCode.NotFound);
        Assert.Empty((await SendAsync(HttpMethod.Get, "/api/manage/filters?datasetGroupArn=filtered"))!["Filters"]!.AsArray());
    }

    [Fact]
    public async Task A_bad_expression_is_a_400_naming_the_position_and_token()
    {
        await CreateGroupAsync("syntax");

        var problem = await SendAsync(HttpMethod.Post, "/api/manage/filters",
            CreateRequest("broken", "syntax", "INCLUDE ItemID WHERE Items.GENRE IN (\"a\" \"b\")"), HttpStatusCode.BadRequest);

        var error = (string?)problem!["errors"]!["filterExpression"]![0];
        Assert.Equal("Syntax error at offset 41 near '\"b\"': expected ',' and another value, or ')'.", error);
        Assert.Contains("offset 41", (string?)problem["detail"], StringComparison.Ordinal);
        await SendAsync(HttpMethod.Get, "/api/manage/filters/broken", expected: HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task An_expression_that_does_not_fit_the_schemas_is_a_400_naming_the_field()
    {
        await CreateGroupAsync("schemas");

        var unknown = await SendAsync(HttpMethod.Post, "/api/manage/filters",
            CreateRequest("unknown-field", "schemas", "INCLUDE ItemID WHERE Items.BRAND IN (\"x\")"), HttpStatusCode.BadRequest);
        Assert.Contains("no field BRAND", (string?)unknown!["errors"]!["filterExpression"]![0], StringComparison.Ordinal);

        var numeric = await SendAsync(HttpMethod.Post, "/api/manage/filters",
            CreateRequest("numeric-on-string", "schemas", "INCLUDE ItemID WHERE Items.GENRE >= 3"), HttpStatusCode.BadRequest);
        Assert.Contains("GENRE is a string", (string?)numeric!["errors"]!["filterExpression"]![0], StringComparison.Ordinal);

        var users = await SendAsync(HttpMethod.Post, "/api/manage/filters",
            CreateRequest("no-users", "schemas", "INCLUDE ItemID WHERE Items.PRICE > 1 IF CurrentUser.AGE > 18"), HttpStatusCode.BadRequest);
        Assert.Contains("no Users dataset", (string?)users!["errors"]!["filterExpression"]![0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Names_are_unique_and_the_dataset_group_must_exist()
    {
        await CreateGroupAsync("names");
        const string expression = "EXCLUDE ItemID WHERE Items.PRICE > $MAX";

        await SendAsync(HttpMethod.Post, "/api/manage/filters", CreateRequest("taken", "names", expression), HttpStatusCode.Created);
        await SendAsync(HttpMethod.Post, "/api/manage/filters", CreateRequest("taken", "names", expression), HttpStatusCode.Conflict);
        await SendAsync(HttpMethod.Post, "/api/manage/filters", CreateRequest("orphan", "no-such-group", expression), HttpStatusCode.NotFound);

        var invalid = await SendAsync(HttpMethod.Post, "/api/manage/filters", new JsonObject { ["name"] = "bad name!" }, HttpStatusCode.BadRequest);
        Assert.NotNull(invalid!["errors"]!["name"]);
        Assert.NotNull(invalid["errors"]!["datasetGroupArn"]);
        Assert.NotNull(invalid["errors"]!["filterExpression"]);
    }
}
