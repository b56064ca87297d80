using System.Text.Json.Serialization;
using Azure.Data.Tables;
using Recsys.Core.Errors;
using Recsys.Core.Resources;
using Recsys.Testing;

namespace Recsys.Storage.Tests;

public sealed record Widget(string Name, ResourceState State, string Payload = "") : IResource;

[JsonSerializable(typeof(Widget))]
public sealed partial class WidgetJson : JsonSerializerContext;

/// <summary>Contract of <see cref="IResourceStore{T}"/> on Table Storage (Azurite).</summary>
public sealed class TableResourceStoreTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private static readonly DateTimeOffset s_now = DateTimeOffset.Parse("2026-11-22T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private async Task<TableResourceStore<Widget>> NewStoreAsync()
    {
        var table = new TableClient(azurite.ConnectionString, "widgets" + Guid.NewGuid().ToString("N")[..8]);
        await table.CreateIfNotExistsAsync();
        return new TableResourceStore<Widget>(table, WidgetJson.Default.Widget, "widget");
    }

    private static Widget NewWidget(string name, string payload = "") => new(name, ResourceState.New(ResourceStatus.CreatePending, s_now), payload);

    [Fact]
    public async Task Create_then_find_returns_the_same_resource_and_an_etag()
    {
        var store = await NewStoreAsync();
        var created = await store.CreateAsync("scope", "w1", NewWidget("w1", "p"));

        var found = await store.FindAsync("scope", "w1");

        Assert.NotNull(found);
        Assert.Equal(created.Value, found!.Value);
        Assert.Equal(created.ETag, found.ETag);
        Assert.Null(await store.FindAsync("other-scope", "w1"));
    }

    [Fact]
    public async Task Creating_a_taken_name_is_already_exists()
    {
        var store = await NewStoreAsync();
        await store.CreateAsync("scope", "dup", NewWidget("dup"));

        await Assert.ThrowsAsync<ResourceAlreadyExistsException>(() => store.CreateAsync("scope", "dup", NewWidget("dup", "other")));
        Assert.Equal(string.Empty, (await store.FindAsync("scope", "dup"))!.Value.Payload);
    }

    [Fact]
    public async Task Replace_with_a_stale_etag_is_precondition_failed_and_keeps_the_stored_value()
    {
        var store = await NewStoreAsync();
        var v1 = await store.CreateAsync("scope", "w", NewWidget("w"));
        var moved = v1.Value with { State = v1.Value.State.MoveTo("widget", "w", ResourceStatus.CreateInProgress, s_now) };
        var v2 = await store.ReplaceAsync("scope", "w", moved, v1.ETag);
        Assert.NotEqual(v1.ETag, v2.ETag);

        var late = v1.Value with { Payload = "lost update" };
        await Assert.ThrowsAsync<PreconditionFailedException>(() => store.ReplaceAsync("scope", "w", late, v1.ETag));
        Assert.Equal(ResourceStatus.CreateInProgress, (await store.FindAsync("scope", "w"))!.Value.State.Status);
    }

    [Fact]
    public async Task Delete_honours_the_etag_and_reports_missing_resources()
    {
        var store = await NewStoreAsync();
        var stored = await store.CreateAsync("scope", "d", NewWidget("d"));
        var changed = await store.ReplaceAsync("scope", "d", stored.Value with { Payload = "x" }, stored.ETag);

        await Assert.ThrowsAsync<PreconditionFailedException>(() => store.DeleteAsync("scope", "d", stored.ETag));
        await store.DeleteAsync("scope", "d", changed.ETag);
        Assert.Null(await store.FindAsync("scope", "d"));
        await Assert.ThrowsAsync<ResourceNotFoundException>(() => store.DeleteAsync("scope", "d", null));
    }

    [Fact]
    public async Task Listing_pages_through_a_scope_in_name_order()
    {
        var store = await NewStoreAsync();
        var names = Enumerable.Range(0, 7).Select(i => $"w{i:D2}").ToArray();
        foreach (var name in names.Reverse())
        {
            await store.CreateAsync("scope", name, NewWidget(name));
        }

        await store.CreateAsync("elsewhere", "zz", NewWidget("zz"));

        var seen = new List<string>();
        string? token = null;
        do
        {
            var page = await store.ListAsync("scope", 3, token);
            Assert.InRange(page.Items.Count, 1, 3);
            seen.AddRange(page.Items.Select(w => w.Name));
            token = page.NextToken;
        }
        while (token is not null);

        Assert.Equal(names, seen);
    }

    [Fact]
    public async Task A_forged_next_token_is_invalid_input()
    {
        var store = await NewStoreAsync();
        var error = await Assert.ThrowsAsync<InvalidInputException>(() => store.ListAsync("scope", 10, "!!not-a-token!!"));
        Assert.True(error.Errors.ContainsKey("nextToken"));
    }

    [Fact]
    public async Task Documents_larger_than_a_table_string_are_split_and_joined()
    {
        var store = await NewStoreAsync();
        var payload = string.Concat(Enumerable.Range(0, 100_000).Select(i => (char)('a' + (i % 26))));

        await store.CreateAsync("scope", "big", NewWidget("big", payload));

        Assert.Equal(payload, (await store.FindAsync("scope", "big"))!.Value.Payload);
    }
}
