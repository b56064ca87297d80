using System.Net;

namespace Recsys.Console.Tests;

/// <summary>The console's static files over HTTP through the dev host: anonymous, typed, revalidated with an ETag.</summary>
[Collection(ConsoleHostGroup.Name)]
public sealed class ConsoleServingTests(ConsoleHostFixture fixture)
{
    [Fact]
    public async Task The_console_is_served_anonymously_with_its_content_types_and_caching_headers()
    {
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Address };
        using var bare = await noRedirect.GetAsync("api/console");
        using var index = await noRedirect.GetAsync("api/console/");
        using var script = await noRedirect.GetAsync("api/console/console.js");
        using var chart = await noRedirect.GetAsync("api/console/vendor/uplot/uPlot.iife.min.js");
        using var licence = await noRedirect.GetAsync("api/console/vendor/uplot/LICENSE");

        Assert.Equal(HttpStatusCode.MovedPermanently, bare.StatusCode);
        Assert.Equal("/api/console/", bare.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<title>Recsys console</title>", await index.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Equal("text/javascript", chart.Content.Headers.ContentType?.MediaType);
        Assert.Contains("MIT License", await licence.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(index.Headers.CacheControl?.NoCache, "the page is revalidated on each load");
        Assert.NotNull(index.Headers.ETag);
        Assert.Contains("default-src 'self'", index.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal("nosniff", index.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task A_known_etag_is_answered_304_and_an_unknown_file_404()
    {
        using var first = await fixture.Host.Client.GetAsync("api/console/console.css");
        using var again = new HttpRequestMessage(HttpMethod.Get, "api/console/console.css");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var revalidated = await fixture.Host.Client.SendAsync(again);
        using var missing = await fixture.Host.Client.GetAsync("api/console/nothing-here.js");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }
}
