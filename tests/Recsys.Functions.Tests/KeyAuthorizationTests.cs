using System.Net;
using System.Text.Json.Nodes;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>The local host enforces each HTTP function's authLevel as the Functions host does.</summary>
public sealed class KeyAuthorizationTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private const string HealthKey = "health-only-key";

    private async Task<LocalHostRunner> StartAsync(ScriptRootCopy root)
        => await LocalHostRunner.StartAsync(
            azurite.ConnectionString,
            new Dictionary<string, string?> { ["Recsys:LocalHost:FunctionKeys:health"] = HealthKey, ["AzureWebJobs.importJob.Disabled"] = "true" },
            root.Path);

    // health becomes function-level here, so that all three levels are covered by functions the app has.
    private static ScriptRootCopy Root() => new(editFunction: (name, json) =>
    {
        if (name == "health")
        {
            json["bindings"]![0]!["authLevel"] = "function";
        }
    });

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("wrong", HttpStatusCode.Unauthorized)]
    [InlineData(HealthKey, HttpStatusCode.OK)]
    [InlineData(LocalHostRunner.HostKey, HttpStatusCode.OK)]
    [InlineData(LocalHostRunner.MasterKey, HttpStatusCode.OK)]
    public async Task Function_level_accepts_its_function_key_a_host_key_or_the_master_key(string? key, HttpStatusCode expected)
    {
        var (status, contentType) = await GetAsync("/api/health", key);

        Assert.Equal(expected, status);
        if (expected == HttpStatusCode.Unauthorized)
        {
            Assert.Equal("application/problem+json", contentType);
        }
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData(HealthKey, HttpStatusCode.Unauthorized)]
    [InlineData(LocalHostRunner.HostKey, HttpStatusCode.Unauthorized)]
    [InlineData(LocalHostRunner.MasterKey, HttpStatusCode.OK)]
    public async Task Admin_level_accepts_only_the_master_key(string? key, HttpStatusCode expected)
    {
        var (status, _) = await GetAsync("/api/manage/dataset-groups", key);

        Assert.Equal(expected, status);
    }

    private async Task<(HttpStatusCode Status, string? ContentType)> GetAsync(string path, string? key)
    {
        using var root = Root();
        await using var host = await StartAsync(root);
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.Add("x-functions-key", key);
        }

        using var response = await host.Client.SendAsync(request);
        return (response.StatusCode, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_code_query_parameter_works_like_the_header_and_anonymous_needs_none()
    {
        using var root = Root();
        await using var host = await StartAsync(root);

        using var withCode = await host.Client.GetAsync($"/api/manage/dataset-groups?code={LocalHostRunner.MasterKey}");
        using var anonymous = await host.Client.GetAsync("/api/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, withCode.StatusCode);
        Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
        var document = JsonNode.Parse(await anonymous.Content.ReadAsStringAsync())!;
        Assert.NotNull(document["paths"]!["/api/manage/dataset-groups"]);
    }

    [Fact]
    public async Task A_method_the_function_does_not_declare_is_405_and_an_unknown_route_404()
    {
        using var root = Root();
        await using var host = await StartAsync(root);

        using var post = new HttpRequestMessage(HttpMethod.Post, "/api/health");
        post.Headers.Add("x-functions-key", LocalHostRunner.MasterKey);
        using var wrongMethod = await host.Client.SendAsync(post);
        using var unknown = await host.Client.GetAsync("/api/no-such-function");

        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
    }
}
