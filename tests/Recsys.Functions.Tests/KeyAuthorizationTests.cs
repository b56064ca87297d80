using System.Net;
using System.Text.Json.Nodes;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>
/// Keys per auth level as the Functions host enforces them, through the dev host in front of the real worker:
/// anonymous (health, OpenAPI), function (runtime and events: a function key, a host key or the master key) and
/// admin (manage: the master key only).
/// </summary>
public sealed class KeyAuthorizationTests(KeyAuthorizationTests.Fixture fixture) : IClassFixture<KeyAuthorizationTests.Fixture>
{
    private const string RecommendationsKey = "recommendations-only-key";

    public sealed class Fixture : IAsyncLifetime
    {
        private Azurite? _azurite;

        internal FunctionsHost Host { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _azurite = await Azurite.StartAsync();
            Host = await FunctionsHost.StartAsync(_azurite.ConnectionString, new Dictionary<string, string?> { ["Recsys:DevHost:FunctionKeys:GetRecommendations"] = RecommendationsKey });
        }

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            await _azurite!.DisposeAsync();
        }
    }

    // A body the function rejects (400) once it is reached: a 401 can only come from the key check in front of it.
    private async Task<(HttpStatusCode Status, string? ContentType)> SendAsync(HttpMethod method, string path, string? key, JsonNode? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await fixture.Host.Client.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("wrong", HttpStatusCode.Unauthorized)]
    [InlineData(RecommendationsKey, HttpStatusCode.BadRequest)]
    [InlineData(FunctionsHost.HostKey, HttpStatusCode.BadRequest)]
    [InlineData(FunctionsHost.MasterKey, HttpStatusCode.BadRequest)]
    public async Task Function_level_accepts_its_function_key_a_host_key_or_the_master_key(string? key, HttpStatusCode expected)
    {
        var (status, contentType) = await SendAsync(HttpMethod.Post, "/api/recommendations", key, new JsonObject());

        Assert.Equal(expected, status);
        Assert.Equal("application/problem+json", contentType);
    }

    [Fact]
    public async Task A_function_key_is_only_good_for_its_own_function()
    {
        var (status, _) = await SendAsync(HttpMethod.Post, "/api/events", RecommendationsKey, new JsonObject());

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData(RecommendationsKey, HttpStatusCode.Unauthorized)]
    [InlineData(FunctionsHost.HostKey, HttpStatusCode.Unauthorized)]
    [InlineData(FunctionsHost.MasterKey, HttpStatusCode.OK)]
    public async Task Admin_level_accepts_only_the_master_key(string? key, HttpStatusCode expected)
    {
        var (status, _) = await SendAsync(HttpMethod.Get, "/api/manage/dataset-groups", key);

        Assert.Equal(expected, status);
    }

    [Fact]
    public async Task The_code_query_parameter_works_like_the_header_and_anonymous_needs_none()
    {
        using var withCode = await fixture.Host.Client.GetAsync($"/api/manage/dataset-groups?code={FunctionsHost.MasterKey}");
        using var health = await fixture.Host.Client.GetAsync("/api/health");
        using var openApi = await fixture.Host.Client.GetAsync("/api/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, withCode.StatusCode);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        var document = JsonNode.Parse(await openApi.Content.ReadAsStringAsync())!;
        Assert.NotNull(document["paths"]!["/api/manage/dataset-groups"]!["post"]);
        Assert.NotNull(document["paths"]!["/api/manage/solution-versions/{solutionVersion}/metrics"]!["get"]);
    }

    [Fact]
    public async Task A_method_the_function_does_not_declare_is_405_and_an_unknown_route_404()
    {
        var (wrongMethod, _) = await SendAsync(HttpMethod.Post, "/api/health", FunctionsHost.MasterKey);
        var (unknown, contentType) = await SendAsync(HttpMethod.Get, "/api/no-such-function", FunctionsHost.MasterKey);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod);
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal("application/problem+json", contentType);
    }
}
