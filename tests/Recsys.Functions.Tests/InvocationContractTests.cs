using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Recsys.Storage;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>The custom-handler contract with the payload shapes of reference/samples/payloads.</summary>
public sealed class InvocationContractTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static JsonObject Sample(string name)
        => JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Shared, "reference", "samples", "payloads", name)))!.AsObject();

    private static async Task<(HttpStatusCode Status, JsonNode? Body, string? ContentType)> InvokeAsync(
        HttpClient client, string function, string payload, string key = LocalHostRunner.MasterKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/" + function)
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-functions-key", key);
        request.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Queue_message_arriving_as_a_json_string_is_parsed_and_answered_with_outputs_logs_and_return_value()
    {
        await using var host = await LocalHostRunner.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["AzureWebJobs.importJob.Disabled"] = "true" });

        var (status, body, _) = await InvokeAsync(host.Client, "importJob", Sample("queue-invocation.json").ToJsonString());

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(body!["Outputs"]);
        Assert.Contains("imports/movies/Interactions/ratings.csv", body["Logs"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("movies/Interactions/ratings.csv", (string?)body["ReturnValue"]!["blob"]);
        Assert.Equal("0x8DD1A2B3C4D5E6F", (string?)body["ReturnValue"]!["etag"]);
    }

    [Fact]
    public async Task Metadata_given_as_strings_holding_json_is_read_leniently()
    {
        await using var host = await LocalHostRunner.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["AzureWebJobs.importJob.Disabled"] = "true" });
        var payload = Sample("queue-invocation-metadata-as-strings.json");
        payload["Data"]!["job"] = "{\"kind\":\"import\",\"blob\":\"shop/Items/items.csv\"}";

        var (status, body, _) = await InvokeAsync(host.Client, "importJob", payload.ToJsonString());

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("delivery 4", body!["Logs"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("CREATE FAILED", (string?)body["ReturnValue"]!["status"]); // no such dataset group: reported on the job
        Assert.Equal("shop/Items/items.csv", (string?)body["ReturnValue"]!["blob"]);
    }

    [Theory]
    [InlineData("timer-invocation.json")]
    [InlineData("timer-invocation-no-status.json")]
    public async Task Timer_info_with_or_without_schedule_status_invokes_the_timer_function(string sample)
    {
        await using var host = await LocalHostRunner.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["AzureWebJobs.importJob.Disabled"] = "true" });

        var (status, body, _) = await InvokeAsync(host.Client, "importSweepTimer", Sample(sample).ToJsonString());

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.NotNull(body!["ReturnValue"]!["queued"]);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1,2]")]
    [InlineData("{\"Metadata\":{}}")]
    [InlineData("{\"Data\":{\"job\":\"{\\\"eventType\\\":\\\"Microsoft.Storage.BlobDeleted\\\"}\"},\"Metadata\":{}}")]
    [InlineData("{\"Data\":{\"job\":\"\"},\"Metadata\":{}}")]
    public async Task Malformed_invocation_payload_is_a_problem_with_a_non_2xx_status_and_changes_nothing(string payload)
    {
        await using var host = await LocalHostRunner.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["AzureWebJobs.importJob.Disabled"] = "true" });

        var (status, body, contentType) = await InvokeAsync(host.Client, "importJob", payload);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.NotNull(body!["errors"]);
        var queue = host.Storage.Queue(StorageNames.ImportJobsQueue);
        Assert.Empty((await queue.PeekMessagesAsync(32)).Value);
    }

    [Fact]
    public async Task Invocation_endpoints_need_the_master_key_on_the_local_host()
    {
        await using var host = await LocalHostRunner.StartAsync(azurite.ConnectionString, new Dictionary<string, string?> { ["AzureWebJobs.importJob.Disabled"] = "true" });

        var (status, _, contentType) = await InvokeAsync(host.Client, "importJob", Sample("queue-invocation.json").ToJsonString(), key: LocalHostRunner.HostKey);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal("application/problem+json", contentType);
    }

    [Fact]
    public async Task As_a_custom_handler_it_answers_readiness_forwarded_http_and_invocations_without_keys()
    {
        // Under the real host, the host has already matched the route and checked the key; it forwards the request
        // to the original path with its own headers.
        await using var handler = await LocalHostRunner.StartAsync(azurite.ConnectionString, asCustomHandler: true);

        using var ready = await handler.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);

        using var forwarded = new HttpRequestMessage(HttpMethod.Post, "/api/manage/dataset-groups")
        {
            Content = new StringContent("{\"name\":\"forwarded\"}", Encoding.UTF8, "application/json"),
        };
        forwarded.Headers.Add("X-Azure-Functions-InvocationId", Guid.NewGuid().ToString());
        forwarded.Headers.Add("X-Azure-Functions-HostVersion", "4.1040.0");
        forwarded.Headers.UserAgent.ParseAdd("Azure-Functions-Host/4.1040.0");
        using var created = await handler.Client.SendAsync(forwarded);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var (status, _, _) = await InvokeAsync(handler.Client, "importSweepTimer", Sample("timer-invocation.json").ToJsonString(), key: string.Empty);
        Assert.Equal(HttpStatusCode.OK, status);
    }
}
