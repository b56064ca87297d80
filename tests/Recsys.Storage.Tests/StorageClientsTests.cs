using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Recsys.Core.Errors;
using Recsys.Core.Resources;
using Recsys.Testing;

namespace Recsys.Storage.Tests;

/// <summary>
/// The clients' retry contract against a real Azurite: a request that storage rejects (4xx) is sent once, a transient
/// fault (here a refused connection) is retried and then reported as <see cref="StorageUnavailableException"/>.
/// </summary>
public sealed class StorageClientsTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    /// <summary>Counts the attempts that reach the transport, by status.</summary>
    private sealed class AttemptCounter : HttpPipelineSynchronousPolicy
    {
        private int _attempts;
        private int _rejected;

        public int Attempts => _attempts;

        public int Rejected => _rejected;

        public override void OnReceivedResponse(HttpMessage message)
        {
            Interlocked.Increment(ref _attempts);
            if (message.Response.Status is >= 400 and < 500)
            {
                Interlocked.Increment(ref _rejected);
            }
        }

        public override void OnSendingRequest(HttpMessage message)
        {
        }
    }

    /// <summary>Counts every attempt, including those that never got an answer.</summary>
    private sealed class SendCounter : HttpPipelineSynchronousPolicy
    {
        private int _sent;

        public int Sent => _sent;

        public override void OnSendingRequest(HttpMessage message) => Interlocked.Increment(ref _sent);
    }

    /// <summary>A new table on Azurite, through clients that run <paramref name="policy"/> on every attempt, and a store on it.</summary>
    private async Task<(TableClient Table, TableResourceStore<Widget> Store)> NewTableAsync(HttpPipelinePolicy policy, StorageOptions? options = null)
    {
        var clients = new StorageClients(options ?? new StorageOptions { ConnectionString = azurite.ConnectionString }, policy);
        var table = clients.Table("t" + Guid.NewGuid().ToString("N")[..12]);
        await table.CreateIfNotExistsAsync();
        return (table, new TableResourceStore<Widget>(table, WidgetJson.Default.Widget, "widget"));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("../x")]
    [InlineData("bad\u0001key")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\\b")]
    public async Task A_key_that_table_storage_rejects_is_sent_once(string key)
    {
        var counter = new AttemptCounter();
        var (table, _) = await NewTableAsync(counter);
        var before = counter.Attempts;

        // Straight to the SDK, past the domain's validation: storage rejects the key, and the client does not ask again.
        var e = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => table.AddEntityAsync(new TableEntity("scope", key)));

        Assert.Equal(400, e.Status);
        Assert.Equal(1, counter.Attempts - before);
    }

    [Fact]
    public async Task A_server_error_is_retried_as_configured()
    {
        // Azurite answers a point read whose key holds '/' with a 500 (Azure with a 4xx): a transient fault to the client,
        // retried MaxRetries times — which is why identifiers are validated before they reach a key.
        var counter = new AttemptCounter();
        var options = new StorageOptions
        {
            ConnectionString = azurite.ConnectionString,
            MaxRetries = 2,
            RetryDelay = TimeSpan.FromMilliseconds(10),
            MaxRetryDelay = TimeSpan.FromMilliseconds(20),
        };
        var (_, store) = await NewTableAsync(counter, options);
        var before = counter.Attempts;

        await Assert.ThrowsAsync<StorageUnavailableException>(() => store.FindAsync("scope", "a/b"));

        Assert.Equal(options.MaxRetries + 1, counter.Attempts - before);
    }

    [Fact]
    public async Task A_missing_entity_is_one_request_and_not_found()
    {
        var counter = new AttemptCounter();
        var (_, store) = await NewTableAsync(counter);
        var before = counter.Attempts;

        await Assert.ThrowsAsync<ResourceNotFoundException>(() => store.DeleteAsync("scope", "nothing", null));

        Assert.Equal(1, counter.Attempts - before);
        Assert.Equal(1, counter.Rejected);
    }

    [Fact]
    public async Task A_refused_connection_is_retried_then_reported_as_storage_unavailable()
    {
        var port = Azurite.FreePorts(1)[0];
        var sent = new SendCounter();
        var options = new StorageOptions
        {
            ConnectionString = "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=" + Convert.ToBase64String(new byte[64])
                + $";TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1;BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{port}/devstoreaccount1;",
            MaxRetries = 2,
            RetryDelay = TimeSpan.FromMilliseconds(10),
            MaxRetryDelay = TimeSpan.FromMilliseconds(20),
        };
        var clients = new StorageClients(options, sent);
        var store = new TableResourceStore<Widget>(clients.Table("nowhere"), WidgetJson.Default.Widget, "widget");

        var e = await Assert.ThrowsAsync<StorageUnavailableException>(() => store.FindAsync("scope", "w"));

        Assert.Equal(options.MaxRetries + 1, sent.Sent);
        Assert.True(e.RetryAfter > TimeSpan.Zero);
        Assert.IsNotType<RecsysException>(e, exactMatch: false);
    }

    [Fact]
    public async Task A_garbage_or_foreign_next_token_is_invalid_input_before_any_request()
    {
        var counter = new SendCounter();
        var (_, store) = await NewTableAsync(counter);
        var now = DateTimeOffset.UnixEpoch;
        foreach (var name in new[] { "a", "b", "c" })
        {
            await store.CreateAsync("scope", name, new Widget(name, ResourceState.New(ResourceStatus.Active, now)));
        }

        var first = await store.ListAsync("scope", 1, null);
        Assert.NotNull(first.NextToken);
        var before = counter.Sent;

        foreach (var token in new[] { new string('A', 8_000), "garbage", "%%%", first.NextToken![..^2] + "AA", Convert.ToBase64String(new byte[40]) })
        {
            var e = await Assert.ThrowsAsync<InvalidInputException>(() => store.ListAsync("scope", 1, token));
            Assert.Equal(["nextToken"], e.Errors.Keys);
        }

        // A token of one listing does not resume another.
        await Assert.ThrowsAsync<InvalidInputException>(() => store.ListAsync("other-scope", 1, first.NextToken));
        Assert.Equal(before, counter.Sent);

        var second = await store.ListAsync("scope", 1, first.NextToken);
        Assert.Equal("b", Assert.Single(second.Items).Name);
    }
}
