using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;
using Recsys.DevHost.Hosting;
using Recsys.DevHost.Storage;

namespace Recsys.DevHost.Worker;

/// <summary>The function ran past host.json <c>functionTimeout</c>; it was cancelled.</summary>
internal sealed class FunctionTimeoutException(string message) : Exception(message);

/// <summary>How an invocation ended, as the triggers need it.</summary>
internal sealed record InvocationOutcome(bool Succeeded, string? Error);

/// <summary>
/// Sends invocations to the ready worker, enforces host.json <c>functionTimeout</c> (cancelling the invocation in
/// the worker), and carries out the queue output bindings of a successful invocation, as the host does.
/// </summary>
internal sealed class FunctionInvoker(
    WorkerHost workerHost,
    WorkerApp app,
    AppSettings settings,
    StorageClients storage,
    ILogger<FunctionInvoker> logger)
{
    private readonly ConcurrentDictionary<string, bool> _unsupportedOutputsReported = new(StringComparer.Ordinal);

    public TimeSpan FunctionTimeout => app.HostJson.FunctionTimeout;

    /// <summary>A new invocation request with a fresh id and trace context (the worker requires one).</summary>
    public static InvocationRequest NewRequest(WorkerFunction function)
    {
        var request = new InvocationRequest
        {
            InvocationId = Guid.NewGuid().ToString(),
            FunctionId = function.FunctionId,
            TraceContext = new RpcTraceContext { TraceParent = TraceParent(), TraceState = string.Empty },
        };
        return request;
    }

    /// <summary>Runs a non-HTTP invocation on the ready worker (waiting for one) and reports its outcome.</summary>
    public async Task<InvocationOutcome> InvokeAsync(WorkerFunction function, InvocationRequest request, CancellationToken cancellationToken)
    {
        var worker = await workerHost.WaitReadyAsync(cancellationToken);
        var invocation = worker.Channel.InvokeAsync(request);
        if (invocation.IsFaulted)
        {
            // The worker went away before the request reached it: this is no delivery, so wait for the next one.
            worker = await workerHost.WaitReadyAsync(cancellationToken);
            invocation = worker.Channel.InvokeAsync(request);
        }

        var watch = Stopwatch.StartNew();
        InvocationResponse response;
        try
        {
            response = await WaitAsync(worker, request, invocation, cancellationToken);
        }
        catch (WorkerUnavailableException e)
        {
            Log.InvocationFailed(logger, function.Name, request.InvocationId, e.Message);
            return new InvocationOutcome(false, e.Message);
        }
        catch (FunctionTimeoutException e)
        {
            Log.InvocationFailed(logger, function.Name, request.InvocationId, e.Message);
            return new InvocationOutcome(false, e.Message);
        }

        return await CompleteAsync(function, request.InvocationId, response, watch.ElapsedMilliseconds, cancellationToken);
    }

    /// <summary>Waits for an invocation's response within <c>functionTimeout</c>; on timeout cancels it in the worker.</summary>
    public async Task<InvocationResponse> WaitAsync(ReadyWorker worker, InvocationRequest request, Task<InvocationResponse> response, CancellationToken cancellationToken)
    {
        try
        {
            return FunctionTimeout == Timeout.InfiniteTimeSpan
                ? await response.WaitAsync(cancellationToken)
                : await response.WaitAsync(FunctionTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            worker.Channel.Cancel(request.InvocationId);
            throw new FunctionTimeoutException($"Timeout value of {FunctionTimeout} exceeded; the invocation was cancelled.");
        }
        catch (OperationCanceledException)
        {
            worker.Channel.Cancel(request.InvocationId);
            throw;
        }
    }

    /// <summary>Logs the outcome and writes the output bindings of a successful invocation.</summary>
    public async Task<InvocationOutcome> CompleteAsync(
        WorkerFunction function, string invocationId, InvocationResponse response, long milliseconds, CancellationToken cancellationToken, bool perRequest = false)
    {
        if (response.Result?.Status != StatusResult.Types.Status.Success)
        {
            var error = response.Result?.Exception?.Message ?? response.Result?.Result ?? "failed";
            Log.InvocationFailed(logger, function.Name, invocationId, error);
            return new InvocationOutcome(false, error);
        }

        foreach (var output in response.OutputData)
        {
            await WriteOutputAsync(function, output, cancellationToken);
        }

        if (response.ReturnValue is { } returned && function.Outputs.FirstOrDefault(o => o.Name == "$return") is { Type: "queue" })
        {
            await WriteOutputAsync(function, new ParameterBinding { Name = "$return", Data = returned }, cancellationToken);
        }

        if (perRequest)
        {
            Log.HttpInvocationSucceeded(logger, function.Name, invocationId, milliseconds);
        }
        else
        {
            Log.InvocationSucceeded(logger, function.Name, invocationId, milliseconds);
        }

        return new InvocationOutcome(true, null);
    }

    private async Task WriteOutputAsync(WorkerFunction function, ParameterBinding output, CancellationToken cancellationToken)
    {
        var binding = function.Outputs.FirstOrDefault(o => string.Equals(o.Name, output.Name, StringComparison.OrdinalIgnoreCase));
        if (binding is null || binding.Type == "http" || output.Data is null || output.Data.DataCase == TypedData.DataOneofCase.None)
        {
            return;
        }

        if (binding.Type != "queue")
        {
            if (_unsupportedOutputsReported.TryAdd(function.Name + "/" + binding.Name, true))
            {
                Log.UnsupportedOutput(logger, function.Name, binding.Name, binding.Type);
            }

            return;
        }

        var queueName = settings.Expand((string?)binding.Raw["queueName"] ?? string.Empty, function.Name).ToLowerInvariant();
        var connection = (string?)binding.Raw["connection"] is { Length: > 0 } c ? c : "AzureWebJobsStorage";
        var queue = storage.Queue(queueName, connection);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        foreach (var message in Messages(output.Data))
        {
            await queue.SendMessageAsync(message, cancellationToken: cancellationToken);
        }
    }

    private static IEnumerable<BinaryData> Messages(TypedData data) => data.DataCase switch
    {
        TypedData.DataOneofCase.String => [BinaryData.FromString(data.String)],
        TypedData.DataOneofCase.Json => [BinaryData.FromString(data.Json)],
        TypedData.DataOneofCase.Bytes => [BinaryData.FromBytes(data.Bytes.Memory)],
        TypedData.DataOneofCase.CollectionString => data.CollectionString.String.Select(BinaryData.FromString),
        TypedData.DataOneofCase.CollectionBytes => data.CollectionBytes.Bytes.Select(b => BinaryData.FromBytes(b.Memory)),
        _ => [],
    };

    /// <summary>A W3C traceparent for the invocation (the current activity's, else a new one).</summary>
    private static string TraceParent()
    {
        if (Activity.Current is { } activity && activity.IdFormat == ActivityIdFormat.W3C)
        {
            return activity.Id!;
        }

        Span<byte> bytes = stackalloc byte[24];
        RandomNumberGenerator.Fill(bytes);
        return string.Create(55, bytes.ToArray(), static (chars, b) =>
        {
            "00-".CopyTo(chars);
            Convert.TryToHexStringLower(b.AsSpan(0, 16), chars[3..], out _);
            chars[35] = '-';
            Convert.TryToHexStringLower(b.AsSpan(16, 8), chars[36..], out _);
            "-01".CopyTo(chars[52..]);
        });
    }

    /// <summary>Typed data for a string trigger-metadata value.</summary>
    public static TypedData Text(string value) => new() { String = value };

    /// <summary>Typed data holding JSON.</summary>
    public static TypedData Json(string json) => new() { Json = json };

    /// <summary>Typed data holding bytes.</summary>
    public static TypedData Bytes(ReadOnlySpan<byte> bytes) => new() { Bytes = ByteString.CopyFrom(bytes) };
}
