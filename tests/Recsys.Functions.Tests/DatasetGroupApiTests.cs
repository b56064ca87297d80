using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>Dataset groups through the manage API on the dev host, persisted in Table Storage.</summary>
public sealed class DatasetGroupApiTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>, IAsyncLifetime
{
    private FunctionsHost _host = null!;

    public async Task InitializeAsync()
        => _host = await FunctionsHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["AzureWebJobs.importJob.Disabled"] = "true" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, JsonNode? body = null, Action<HttpRequestMessage>? edit = null)
    {
        using var request = FunctionsHost.WithKey(method, path, body: body);
        edit?.Invoke(request);
        var response = await _host.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    private async Task<string[]> NamesAsync()
    {
        var (_, body, _) = await SendAsync(HttpMethod.Get, "/api/manage/dataset-groups");
        return body!["datasetGroups"]!.AsArray().Select(g => (string)g!["name"]!).ToArray();
    }

    [Fact]
    public async Task Create_describe_list_and_delete_round_trip()
    {
        var (status, created, response) = await SendAsync(HttpMethod.Post, "/api/manage/dataset-groups", new JsonObject { ["name"] = "shop", ["domain"] = "ECOMMERCE" });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("arn:recsys:personalize:::dataset-group/shop", (string?)created!["datasetGroupArn"]);
        Assert.NotNull(response.Headers.ETag);

        var (_, described, _) = await SendAsync(HttpMethod.Get, "/api/manage/dataset-groups/" + Uri.EscapeDataString("arn:recsys:personalize:::dataset-group/shop"));
        Assert.Equal("ACTIVE", (string?)described!["datasetGroup"]!["status"]);
        Assert.Equal("ECOMMERCE", (string?)described["datasetGroup"]!["domain"]);
        Assert.Contains("shop", await NamesAsync());

        var (deleted, _, _) = await SendAsync(HttpMethod.Delete, "/api/manage/dataset-groups/shop");
        Assert.Equal(HttpStatusCode.NoContent, deleted);
        var (missing, problem, _) = await SendAsync(HttpMethod.Get, "/api/manage/dataset-groups/shop");
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Contains("shop", (string?)problem!["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dataset_group_with_an_event_tracker_is_not_deleted_until_the_tracker_is()
    {
        // Solutions, event trackers and filters are checked alike; the tracker needs no datasets to exist.
        await SendAsync(HttpMethod.Post, "/api/manage/dataset-groups", new JsonObject { ["name"] = "busy" });
        var (trackerStatus, _, _) = await SendAsync(HttpMethod.Post, "/api/manage/event-trackers", new JsonObject { ["name"] = "busy-tracker", ["datasetGroupArn"] = "busy" });
        Assert.Equal(HttpStatusCode.Created, trackerStatus);

        var (inUse, problem, _) = await SendAsync(HttpMethod.Delete, "/api/manage/dataset-groups/busy");
        Assert.Equal(HttpStatusCode.Conflict, inUse);
        Assert.Contains("event tracker 'busy-tracker'", (string?)problem!["detail"], StringComparison.Ordinal);
        Assert.Contains("busy", await NamesAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, "/api/manage/event-trackers/busy-tracker")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, "/api/manage/dataset-groups/busy")).Status);
    }

    [Fact]
    public async Task Listing_pages_with_max_results_and_next_token()
    {
        foreach (var name in new[] { "page-a", "page-b", "page-c", "page-d", "page-e" })
        {
            await SendAsync(HttpMethod.Post, "/api/manage/dataset-groups", new JsonObject { ["name"] = name });
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var (status, body, _) = await SendAsync(HttpMethod.Get, "/api/manage/dataset-groups?maxResults=2" + (token is null ? string.Empty : "&nextToken=" + Uri.EscapeDataString(token)));
            Assert.Equal(HttpStatusCode.OK, status);
            var items = body!["datasetGroups"]!.AsArray();
            Assert.True(items.Count <= 2);
            seen.AddRange(items.Select(i => (string)i!["name"]!));
            token = (string?)body["nextToken"];
            pages++;
        }
        while (token is not null);

        Assert.True(pages >= 3);
        Assert.Equal(seen.Distinct().Count(), seen.Count);
        Assert.Subset(seen.ToHashSet(), new HashSet<string> { "page-a", "page-b", "page-c", "page-d", "page-e" });
    }

    [Fact]
    public async Task Creating_an_existing_name_is_409_and_a_stale_etag_is_412_and_nothing_changes()
    {
        var (_, _, created) = await SendAsync(HttpMethod.Post, "/api/manage/dataset-groups", new JsonObject { ["name"] = "conflicted" });
        var etag = created.Headers.ETag!.ToString();

        var (again, problem, againResponse) = await SendAsync(HttpMethod.Post, "/api/manage/dataset-groups", new JsonObject { ["name"] = "conflicted" });
        Assert.Equal(HttpStatusCode.Conflict, again);
        Assert.Equal("application/problem+json", againResponse.Content.Headers.ContentType?.MediaType);
        Assert.Contains("conflicted", (string?)problem!["detail"], StringComparison.Ordinal);

        var (stale, _, _) = await SendAsync(HttpMethod.Delete, "/api/manage/dataset-groups/conflicted", edit: r => r.Headers.TryAddWithoutValidation("If-Match", "W/\"datetime'2000-01-01T00%3A00%3A00Z'\""));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale);
        Assert.Contains("conflicted", await NamesAsync());

        var (current, _, _) = await SendAsync(HttpMethod.Delete, "/api/manage/dataset-groups/conflicted", edit: r => r.Headers.TryAddWithoutValidation("If-Match", etag));
        Assert.Equal(HttpStatusCode.NoContent, current);
    }

    [Theory]
    [InlineData("{\"name\":\"has space\"}", "name")]
    [InlineData("{\"name\":\"\"}", "name")]
    [InlineData("{\"name\":\"-leading-dash\"}", "name")]
    [InlineData("{\"name\":\"ok\",\"domain\":\"GROCERY\"}", "domain")]
    [InlineData("{\"name\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}", "name")]
    [InlineData("{\"name\": ", "body")]
    public async Task Invalid_requests_are_400_problems_naming_the_field_and_store_nothing(string json, string field)
    {
        var before = await NamesAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/manage/dataset-groups") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-functions-key", FunctionsHost.MasterKey);

        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.NotNull(problem["errors"]![field]);
        Assert.Equal(before, await NamesAsync());
    }

    [Theory]
    [InlineData("maxResults=0")]
    [InlineData("maxResults=101")]
    [InlineData("nextToken=***")]
    public async Task Invalid_list_parameters_are_400(string query)
    {
        var (status, problem, _) = await SendAsync(HttpMethod.Get, "/api/manage/dataset-groups?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.NotNull(problem!["errors"]);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_413_and_stores_nothing()
    {
        var before = await NamesAsync();
        var huge = new JsonObject { ["name"] = "huge", ["padding"] = new string('x', (int)new Recsys.Functions.Composition.HttpOptions().MaxRequestBodyBytes) };

        var (status, problem, response) = await SendAsync(HttpMethod.Post, "/api/manage/dataset-groups", huge);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("limit", (string?)problem!["detail"], StringComparison.Ordinal);
        Assert.Equal(before, await NamesAsync());
    }
}
