using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Recsys.Testing;

namespace Recsys.DevHost.Tests;

/// <summary>HTTP through the dev host into the worker process: routing, keys per auth level, bodies, timeouts.</summary>
public sealed class HttpFunctionTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private HttpClient Client => fixture.Host.Client;

    [Theory]
    [InlineData("api/anon/1", null, HttpStatusCode.OK)]
    [InlineData("api/fn/1", null, HttpStatusCode.Unauthorized)]
    [InlineData("api/fn/1", "wrong-key", HttpStatusCode.Unauthorized)]
    [InlineData("api/fn/1", DevHostProcess.FunctionKey, HttpStatusCode.OK)]
    [InlineData("api/fn/1", DevHostProcess.HostKey, HttpStatusCode.OK)]
    [InlineData("api/fn/1", DevHostProcess.MasterKey, HttpStatusCode.OK)]
    [InlineData("api/adm/1", null, HttpStatusCode.Unauthorized)]
    [InlineData("api/adm/1", DevHostProcess.FunctionKey, HttpStatusCode.Unauthorized)]
    [InlineData("api/adm/1", DevHostProcess.HostKey, HttpStatusCode.Unauthorized)]
    [InlineData("api/adm/1", DevHostProcess.MasterKey, HttpStatusCode.OK)]
    public async Task Keys_are_checked_per_auth_level_in_the_header(string path, string? key, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        using var response = await Client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
        if (expected == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_key_in_the_code_query_parameter_counts_and_a_function_key_opens_only_its_function()
    {
        using var ok = await Client.GetAsync($"api/fn/1?code={DevHostProcess.FunctionKey}");
        using var otherFunction = await Client.GetAsync($"api/adm/1?code={DevHostProcess.FunctionKey}");

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherFunction.StatusCode);
    }

    [Fact]
    public async Task Route_values_and_the_query_reach_the_function()
    {
        var echo = await Client.GetFromJsonAsync<JsonObject>("api/anon/abc-42?x=1");

        Assert.Equal("AnonymousEcho", (string?)echo!["function"]);
        Assert.Equal("abc-42", (string?)echo["value"]);
        Assert.Equal("/api/anon/abc-42", (string?)echo["path"]);
        Assert.Equal("?x=1", (string?)echo["query"]);
    }

    [Fact]
    public async Task A_catch_all_route_takes_the_rest_of_the_path()
    {
        var echo = await Client.GetFromJsonAsync<JsonObject>("api/files/a/b/c.csv");

        Assert.Equal("CatchAll", (string?)echo!["function"]);
        Assert.Equal("a/b/c.csv", (string?)echo["value"]);
    }

    [Theory]
    [InlineData("api/nothing/here")]
    [InlineData("api")]
    [InlineData("elsewhere")]
    public async Task An_unknown_route_is_a_404_problem(string path)
    {
        using var response = await Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_method_the_function_does_not_declare_is_a_405_naming_the_allowed_ones()
    {
        using var response = await Client.DeleteAsync("api/anon/1");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("GET", response.Content.Headers.Allow);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Request_and_response_bodies_pass_through_whole()
    {
        var body = new byte[300_000];
        new Random(11).NextBytes(body);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/octet-stream");

        using var response = await Client.PostAsync("api/upload", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_function_running_past_functionTimeout_is_cancelled_with_a_504()
    {
        using var response = await Client.GetAsync("api/slow");

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_queue_output_binding_of_an_HTTP_function_is_written_and_triggers_the_queue_function()
    {
        var text = "hello-" + Guid.NewGuid().ToString("N")[..8];
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/enqueue/{text}");
        request.Headers.Add("x-functions-key", DevHostProcess.HostKey);

        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await Eventually.HoldsAsync(async () => (await Records.ReadAsync(fixture.Storage, "queue", text)).Count == 1, "the queue function got the message", TimeSpan.FromSeconds(60));
        var record = (await Records.ReadAsync(fixture.Storage, "queue", text)).Single();
        Assert.Equal(text, (string?)record["message"]);
        Assert.Equal(1, (long?)record["dequeueCount"]);

        // The worker's log line reaches the dev host's log under the worker's category.
        await Eventually.HoldsAsync(
            () => Task.FromResult(fixture.Host.Output.Any(l => l.Contains("Recsys.TestWorker.Work", StringComparison.Ordinal) && l.Contains($"Work received {text} (delivery 1)", StringComparison.Ordinal))),
            "the worker's log line was forwarded");
    }

    [Fact]
    public async Task The_admin_endpoints_need_the_master_key_and_run_a_timer_function_now()
    {
        using var anonymousStatus = await Client.GetAsync("admin/host/status");
        using var hostKeyRun = new HttpRequestMessage(HttpMethod.Post, "admin/functions/Tick") { Content = JsonContent.Create(new { input = "" }) };
        hostKeyRun.Headers.Add("x-functions-key", DevHostProcess.HostKey);
        using var refused = await Client.SendAsync(hostKeyRun);
        var before = (await Records.ReadAsync(fixture.Storage, "timer", "Tick")).Count;

        using var run = new HttpRequestMessage(HttpMethod.Post, "admin/functions/Tick") { Content = JsonContent.Create(new { input = "" }) };
        run.Headers.Add("x-functions-key", DevHostProcess.MasterKey);
        using var accepted = await Client.SendAsync(run);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymousStatus.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await Eventually.HoldsAsync(async () => (await Records.ReadAsync(fixture.Storage, "timer", "Tick")).Count > before, "the timer function ran", TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task The_admin_endpoint_says_404_for_an_HTTP_or_unknown_function()
    {
        foreach (var name in new[] { "AnonymousEcho", "NoSuchFunction" })
        {
            using var run = new HttpRequestMessage(HttpMethod.Post, $"admin/functions/{name}") { Content = JsonContent.Create(new { input = "" }) };
            run.Headers.Add("x-functions-key", DevHostProcess.MasterKey);
            using var response = await Client.SendAsync(run);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task No_key_is_written_to_the_log()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/adm/1?code={DevHostProcess.MasterKey}");
        using var response = await Client.SendAsync(request);
        using var wrong = await Client.GetAsync("api/fn/1?code=a-wrong-key-value");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var output = fixture.Host.Output;
        Assert.DoesNotContain(output, line => line.Contains(DevHostProcess.MasterKey, StringComparison.Ordinal)
            || line.Contains(DevHostProcess.HostKey, StringComparison.Ordinal)
            || line.Contains(DevHostProcess.FunctionKey, StringComparison.Ordinal)
            || line.Contains("a-wrong-key-value", StringComparison.Ordinal));
    }
}
