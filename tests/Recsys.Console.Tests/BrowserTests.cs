using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Storage.Blobs;
using Microsoft.Playwright;
using Recsys.Testing;
using Xunit.Abstractions;

namespace Recsys.Console.Tests;

/// <summary>
/// The web console in a real headless Chromium against the dev host and the real worker: a person signs in with the
/// master key, sees the demo, watches an import finish, opens a version's plots and asks a campaign. Each test writes
/// a screenshot of its page under the test output (<c>screenshots/</c>).
/// </summary>
[Collection(ConsoleHostGroup.Name)]
public sealed class BrowserTests(ConsoleHostFixture fixture, Chromium chromium, ITestOutputHelper output) : IClassFixture<Chromium>
{
    [ChromiumFact]
    public async Task Signing_in_shows_the_demo_group_with_its_rows()
    {
        var page = await SignInAsync();

        // Items and users are the demo's alone; other tests of this host add interactions incrementally.
        await Assertions.Expect(page.Locator("[data-group='demo'] [data-dataset='Items'] [data-rows]")).ToHaveAttributeAsync("data-rows", "2000");
        await Assertions.Expect(page.Locator("[data-group='demo'] [data-dataset='Users'] [data-rows]")).ToHaveAttributeAsync("data-rows", "5000");
        var interactions = await page.Locator("[data-group='demo'] [data-dataset='Interactions'] [data-rows]").GetAttributeAsync("data-rows");
        Assert.InRange(long.Parse(interactions!, System.Globalization.CultureInfo.InvariantCulture), 200_000, 200_010);
        await ScreenshotAsync(page, "datasets");
    }

    [ChromiumFact]
    public async Task A_wrong_key_shows_the_problem_and_keeps_the_sign_in()
    {
        var page = await OpenAsync();
        await page.FillAsync("#key", "not-the-key");
        await page.ClickAsync("#sign-in button");

        await Assertions.Expect(page.Locator("#problem")).ToContainTextAsync("master key");
        await Assertions.Expect(page.Locator("#sign-in")).ToBeVisibleAsync();
        Assert.Null(await page.EvaluateAsync<string?>("() => sessionStorage.getItem('recsys.masterKey')"));
    }

    [ChromiumFact]
    public async Task An_import_is_followed_until_it_finishes_and_its_error_report_opens()
    {
        var page = await SignInAsync();
        await page.ClickAsync("nav a[data-page='imports']");
        await Assertions.Expect(page.Locator("#import-jobs")).ToBeVisibleAsync();

        // A data engineer drops a file with one bad row while the page is open.
        var file = $"console-{Guid.NewGuid():N}.csv";
        var csv = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE\nu1,i1,1700000000,view,\nu2,i2,1700000100,purchase,1\nu3,i3,not-a-time,view,\n";
        var container = new BlobContainerClient(fixture.StorageConnectionString, "imports");
        await container.GetBlobClient($"demo/Interactions/incremental/{file}").UploadAsync(new BinaryData(Encoding.UTF8.GetBytes(csv)));

        var row = page.Locator($"tr[data-location='imports/demo/Interactions/incremental/{file}']");
        await Assertions.Expect(row.Locator("[data-status='ACTIVE']")).ToBeVisibleAsync();
        await Assertions.Expect(row.Locator("td").Nth(7)).ToHaveTextAsync("2");
        await Assertions.Expect(row.Locator("td").Nth(8)).ToHaveTextAsync("1");

        await row.Locator("button", new() { HasText = "error report" }).ClickAsync();
        await Assertions.Expect(page.Locator("#report pre")).ToContainTextAsync("TIMESTAMP");
        await ScreenshotAsync(page, "imports");
    }

    [ChromiumFact]
    public async Task A_version_shows_its_metric_plots_phases_and_candidates()
    {
        var page = await SignInAsync();
        await page.ClickAsync("nav a[data-page='solutions']");
        var version = page.Locator("[data-solution='demo-user-personalization'] a[data-version]").First;
        await Assertions.Expect(version).ToBeVisibleAsync();
        await ScreenshotAsync(page, "solutions", close: false);

        await version.ClickAsync();
        await Assertions.Expect(page.Locator("#metric-charts canvas")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("[data-chart='nDCG']")).ToContainTextAsync("@10");
        await Assertions.Expect(page.Locator("#metric-table")).ToContainTextAsync("normalized_discounted_cumulative_gain_at_10");
        Assert.True(await page.Locator("#timeline > div").CountAsync() >= 3, "the phase timeline has a bar per phase");
        Assert.True(await page.Locator("#candidates tbody tr").CountAsync() >= 2, "the candidates tried are listed");
        await ScreenshotAsync(page, "version");
    }

    [ChromiumFact]
    public async Task The_try_it_box_recommends_for_a_user_with_metadata_and_related_items()
    {
        var page = await SignInAsync();
        await page.GotoAsync(fixture.Address + "api/console/#/campaigns/demo-campaign");

        await page.FillAsync("[data-try='user']", "u42");
        await page.ClickAsync("form[data-form='user'] button[type='submit']");
        var rows = page.Locator("[data-result='user'] tbody tr[data-item]");
        await Assertions.Expect(rows).ToHaveCountAsync(10);
        await Assertions.Expect(page.Locator("[data-result='user'] thead")).ToContainTextAsync("CATEGORY_L1");

        // The same call through the API gives the same items, in the same order.
        var (_, answer) = await fixture.SendAsync(HttpMethod.Post, "api/recommendations",
            new JsonObject { ["campaignArn"] = "demo-campaign", ["userId"] = "u42", ["numResults"] = 10 });
        var expected = answer!["itemList"]!.AsArray().Select(i => (string?)i!["itemId"]).ToArray();
        var shown = await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.item)");
        Assert.Equal(expected, shown);

        await page.FillAsync("[data-try='item']", expected[0]!);
        await page.ClickAsync("form[data-form='item'] button[type='submit']");
        await Assertions.Expect(page.Locator("[data-result='item'] tbody tr[data-item]").First).ToBeVisibleAsync();
        await ScreenshotAsync(page, "campaign");
    }

    [ChromiumFact]
    public async Task A_filter_shows_its_expression_and_tests_live()
    {
        var name = "console-" + Guid.NewGuid().ToString("N")[..8];
        var expression = "EXCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORIES)";
        var (created, problem) = await fixture.SendAsync(HttpMethod.Post, "api/manage/filters",
            new JsonObject { ["name"] = name, ["datasetGroupArn"] = "demo", ["filterExpression"] = expression });
        Assert.True(created == HttpStatusCode.Created, problem?.ToJsonString());
        await Eventually.HoldsAsync(async () => (string?)(await fixture.SendAsync(HttpMethod.Get, $"api/manage/filters/{name}")).Body?["filter"]?["status"] == "ACTIVE",
            "the filter is ACTIVE", TimeSpan.FromSeconds(60));

        var page = await SignInAsync();
        await page.ClickAsync("nav a[data-page='filters']");
        var card = page.Locator($"[data-filter='{name}']");
        await Assertions.Expect(card.Locator("pre")).ToHaveTextAsync(expression);

        await card.Locator("[data-try='user']").FillAsync("u42");
        await card.Locator("[data-parameter='CATEGORIES']").FillAsync("\"fashion\"");
        await card.Locator("button[type='submit']").ClickAsync();
        var rows = card.Locator("[data-result='user'] tbody tr[data-item]");
        await Assertions.Expect(rows).ToHaveCountAsync(10);

        // What the page shows is what the filtered call answers.
        var (_, answer) = await fixture.SendAsync(HttpMethod.Post, "api/recommendations", new JsonObject
        {
            ["campaignArn"] = "demo-campaign", ["userId"] = "u42", ["numResults"] = 10,
            ["filterArn"] = $"arn:recsys:personalize:::filter/{name}", ["filterValues"] = new JsonObject { ["CATEGORIES"] = "\"fashion\"" },
        });
        var expected = answer!["itemList"]!.AsArray().Select(i => (string?)i!["itemId"]).ToArray();
        Assert.Equal(expected, await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.item)"));
        await ScreenshotAsync(page, "filters");
    }

    private async Task<IPage> OpenAsync()
    {
        var page = await chromium.Context.NewPageAsync();
        await page.GotoAsync(fixture.Address + "api/console/");
        return page;
    }

    private async Task<IPage> SignInAsync()
    {
        var page = await OpenAsync();
        await page.FillAsync("#key", DevHostProcess.MasterKey);
        await page.ClickAsync("#sign-in button");
        await Assertions.Expect(page.Locator("#nav")).ToBeVisibleAsync();
        return page;
    }

    private async Task ScreenshotAsync(IPage page, string name, bool close = true)
    {
        var path = Path.Combine(Chromium.ScreenshotDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        output.WriteLine($"screenshot: {path}");
        if (close)
        {
            await page.CloseAsync();
        }
    }
}
