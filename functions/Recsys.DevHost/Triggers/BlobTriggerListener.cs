using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Google.Protobuf;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Microsoft.Extensions.Options;
using Recsys.DevHost.Hosting;
using Recsys.DevHost.Storage;
using Recsys.DevHost.Worker;

namespace Recsys.DevHost.Triggers;

/// <summary>
/// The local stand-in for Event Grid: for every blob trigger with <c>source: EventGrid</c>, scans its container
/// every <see cref="DevHostOptions.BlobScanInterval"/> and invokes the function once per new blob version (ETag),
/// with the blob as <c>ModelBindingData</c> (the worker binds it to a <c>BlobClient</c>) and the path's named values
/// as trigger metadata. Receipts in <c>azure-webjobs-hosts/blobreceipts/…</c>, leased while the function runs,
/// make a version run once across restarts and across dev hosts; a failed version is retried on later scans up to
/// <c>maxDequeueCount</c> times, then reported to <c>webjobs-blobtrigger-poison</c> as the host does.
/// </summary>
internal sealed partial class BlobTriggerListener(
    WorkerHost workerHost,
    FunctionInvoker invoker,
    StorageClients storage,
    StorageHealth health,
    AppSettings settings,
    WorkerApp app,
    IOptions<DevHostOptions> options,
    ILogger<BlobTriggerListener> logger) : BackgroundService
{
    private const string PoisonQueue = "webjobs-blobtrigger-poison";
    private static readonly TimeSpan s_receiptLease = TimeSpan.FromSeconds(60);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var scanners = new List<Task>();
        foreach (var function in await Loop.EnabledFunctionsAsync(workerHost, settings, TriggerKind.Blob, logger, stoppingToken))
        {
            if (!string.Equals(function.Property("source"), "EventGrid", StringComparison.OrdinalIgnoreCase))
            {
                Log.TriggerMisconfigured(logger, function.Name, "only blob triggers with Source = EventGrid run under the dev host (as on Flex Consumption)");
                continue;
            }

            var path = function.Property("path") ?? string.Empty;
            var slash = path.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || path.AsSpan(0, slash).Contains('{'))
            {
                Log.TriggerMisconfigured(logger, function.Name, $"the blob path '{path}' does not start with a fixed container name");
                continue;
            }

            scanners.Add(Loop.GuardAsync(logger, "blob scan of " + path[..slash], () => ScanAsync(function, path[..slash], new BlobPathPattern(path[(slash + 1)..]), stoppingToken)));
        }

        await Task.WhenAll(scanners);
    }

    private async Task ScanAsync(WorkerFunction function, string containerName, BlobPathPattern pattern, CancellationToken stoppingToken)
    {
        var container = storage.Container(containerName, function.Connection);
        var hosts = storage.Container(StorageClients.HostContainer);
        var done = new HashSet<(string Name, string ETag)>();
        var backoff = new Backoff();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await container.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                await hosts.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                await foreach (var blob in container.GetBlobsAsync(cancellationToken: stoppingToken))
                {
                    var version = (blob.Name, blob.Properties.ETag?.ToString() ?? string.Empty);
                    if (done.Contains(version) || pattern.Match(blob.Name) is not { } values)
                    {
                        continue;
                    }

                    await workerHost.WaitReadyAsync(stoppingToken);
                    if (await DeliverAsync(function, hosts, containerName, blob.Name, version.Item2, values, stoppingToken))
                    {
                        done.Add(version);
                    }
                }

                health.Succeeded();
                backoff.Reset();
                await Task.Delay(options.Value.BlobScanInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever goes wrong, this loop keeps the host alive and tries again: a 4xx at the next scan, else
                // after a back-off.
                await (health.Report("blob scan of " + containerName, e) == LoopFault.Rejected
                    ? Task.Delay(options.Value.BlobScanInterval, stoppingToken)
                    : backoff.DelayAsync(stoppingToken)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>Runs one blob version under its receipt; true when that version needs no more work here.</summary>
    private async Task<bool> DeliverAsync(
        WorkerFunction function, BlobContainerClient hosts, string containerName, string blobName, string etag,
        IReadOnlyDictionary<string, string> values, CancellationToken stoppingToken)
    {
        var receipt = hosts.GetBlobClient($"blobreceipts/{options.Value.HostId}/{function.FullName}/{etag.Trim('"')}/BlockBlob/{containerName}/{blobName}");
        try
        {
            await receipt.UploadAsync(BinaryData.Empty, new BlobUploadOptions
            {
                Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                Metadata = new Dictionary<string, string> { ["Status"] = "Pending", ["Attempts"] = "0" },
            }, stoppingToken);
        }
        catch (RequestFailedException e) when (e.Status is 409 or 412)
        {
            // The receipt exists: an earlier scan (here or in another dev host) saw this version.
        }

        if (IsFinished((await receipt.GetPropertiesAsync(cancellationToken: stoppingToken)).Value.Metadata))
        {
            return true;
        }

        var lease = receipt.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(s_receiptLease, cancellationToken: stoppingToken);
        }
        catch (RequestFailedException e) when (e.Status == 409)
        {
            return false;
        }

        var conditions = new BlobRequestConditions { LeaseId = lease.LeaseId };
        try
        {
            var metadata = (await receipt.GetPropertiesAsync(cancellationToken: stoppingToken)).Value.Metadata;
            if (IsFinished(metadata))
            {
                return true;
            }

            // The attempt counts before the invocation, so that deliveries that kill the worker count too.
            var attempts = (metadata.TryGetValue("Attempts", out var a) && int.TryParse(a, out var n) ? n : 0) + 1;
            var maxAttempts = app.HostJson.Queues.MaxDequeueCount;
            if (attempts > maxAttempts)
            {
                await PoisonAsync(function, receipt, conditions, containerName, blobName, etag, stoppingToken);
                return true;
            }

            await receipt.SetMetadataAsync(new Dictionary<string, string> { ["Status"] = "Pending", ["Attempts"] = attempts.ToString(System.Globalization.CultureInfo.InvariantCulture) }, conditions, stoppingToken);

            var request = FunctionInvoker.NewRequest(function);
            request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = BlobBinding(function.Connection, containerName, blobName) });
            foreach (var (name, value) in values)
            {
                request.TriggerMetadata[name] = FunctionInvoker.Text(value);
            }

            request.TriggerMetadata["BlobTrigger"] = FunctionInvoker.Text(containerName + "/" + blobName);
            request.TriggerMetadata["Uri"] = FunctionInvoker.Text(hosts.GetParentBlobServiceClient().GetBlobContainerClient(containerName).GetBlobClient(blobName).Uri.ToString());

            Log.BlobDelivering(logger, function.Name, containerName + "/" + blobName, etag, attempts);
            InvocationOutcome outcome;
            using (var renewal = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                var keep = RenewAsync(lease, renewal.Token);
                try
                {
                    outcome = await invoker.InvokeAsync(function, request, stoppingToken);
                }
                finally
                {
                    await renewal.CancelAsync();
                    await keep.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            }

            if (outcome.Succeeded)
            {
                await receipt.SetMetadataAsync(new Dictionary<string, string> { ["Status"] = "Complete", ["Attempts"] = attempts.ToString(System.Globalization.CultureInfo.InvariantCulture) }, conditions, CancellationToken.None);
                return true;
            }

            if (attempts >= maxAttempts)
            {
                await PoisonAsync(function, receipt, conditions, containerName, blobName, etag, CancellationToken.None);
                return true;
            }

            return false;
        }
        finally
        {
            await LeaseRelease.QuietlyAsync(lease);
        }
    }

    private async Task PoisonAsync(
        WorkerFunction function, BlobClient receipt, BlobRequestConditions conditions, string containerName, string blobName, string etag, CancellationToken cancellationToken)
    {
        var poison = storage.Queue(PoisonQueue);
        await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        await poison.SendMessageAsync(BinaryData.FromObjectAsJson(new
        {
            FunctionId = function.FullName,
            BlobType = "BlockBlob",
            ContainerName = containerName,
            BlobName = blobName,
            ETag = etag,
        }), cancellationToken: cancellationToken);
        await receipt.SetMetadataAsync(new Dictionary<string, string> { ["Status"] = "Poisoned" }, conditions, cancellationToken);
        Log.BlobPoisoned(logger, function.Name, containerName + "/" + blobName, etag, PoisonQueue);
    }

    /// <summary>
    /// The blob as SDK-type binding data, as the host's blob extension gives it: the worker makes a
    /// <c>BlobClient</c> (or stream, or text) from the connection, container and name.
    /// </summary>
    public static TypedData BlobBinding(string connection, string containerName, string blobName) => new()
    {
        ModelBindingData = new ModelBindingData
        {
            Version = "1.0",
            Source = "AzureStorageBlobs",
            ContentType = "application/json",
            Content = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string>
            {
                ["Connection"] = connection,
                ["ContainerName"] = containerName,
                ["BlobName"] = blobName,
            })),
        },
    };

    private static bool IsFinished(IDictionary<string, string> metadata)
        => metadata.TryGetValue("Status", out var status) && status is "Complete" or "Poisoned";

    private static async Task RenewAsync(BlobLeaseClient lease, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(s_receiptLease / 3, cancellationToken);
            await lease.RenewAsync(cancellationToken: cancellationToken);
        }
    }
}

/// <summary>
/// A blob path pattern below the container (<c>{name}</c>, <c>{folder}/{file}.csv</c>): literal text must match,
/// each <c>{value}</c> takes at least one character, and the last one may span folders.
/// </summary>
internal sealed partial class BlobPathPattern
{
    private readonly Regex _regex;
    private readonly string[] _names;

    public BlobPathPattern(string pattern)
    {
        var names = new List<string>();
        var regex = new StringBuilder("^");
        var parameters = Parameter().Matches(pattern);
        var at = 0;
        for (var i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i];
            regex.Append(Regex.Escape(pattern[at..parameter.Index]));
            var name = parameter.Groups[1].Value;
            names.Add(name);
            regex.Append("(?<").Append(name).Append('>').Append(i == parameters.Count - 1 ? ".+" : "[^/]+?").Append(')');
            at = parameter.Index + parameter.Length;
        }

        regex.Append(Regex.Escape(pattern[at..]));
        regex.Append('$');
        _regex = new Regex(regex.ToString(), RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        _names = names.ToArray();
    }

    [GeneratedRegex(@"\{([A-Za-z_][A-Za-z0-9_]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Parameter();

    /// <summary>The named values when <paramref name="blobName"/> fits, else null.</summary>
    public IReadOnlyDictionary<string, string>? Match(string blobName)
    {
        var match = _regex.Match(blobName);
        return match.Success ? _names.ToDictionary(n => n, n => match.Groups[n].Value, StringComparer.Ordinal) : null;
    }
}
