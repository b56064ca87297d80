using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;

namespace Recsys.DevHost.Worker;

/// <summary>The worker died or closed its stream while the host waited for it; HTTP maps this to 503.</summary>
internal sealed class WorkerUnavailableException(string message) : Exception(message);

/// <summary>
/// The host's end of one worker's <c>EventStream</c>: a single writer loop drains an unbounded channel into the
/// response stream (gRPC allows one write at a time; the channel is multi-reader only because that kind can count
/// what waits, which batches flushes), and the reader completes requests by request id and invocations by
/// invocation id, and forwards the worker's logs.
/// </summary>
internal sealed class WorkerChannel
{
    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = false, AllowSynchronousContinuations = false });

    private static readonly Grpc.Core.WriteOptions s_buffered = new(Grpc.Core.WriteFlags.BufferHint);
    private static readonly Grpc.Core.WriteOptions s_flushed = new();

    private readonly ConcurrentDictionary<string, TaskCompletionSource<StreamingMessage>> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<InvocationResponse>> _invocations = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly WorkerLogForwarder _logs;
    private volatile string? _closeReason;

    public WorkerChannel(string workerId, WorkerLogForwarder logs)
    {
        WorkerId = workerId;
        _logs = logs;
    }

    public string WorkerId { get; }

    /// <summary>Completes when the worker has opened its stream.</summary>
    public Task Connected => _connected.Task;

    /// <summary>Completes when the stream has ended (worker gone).</summary>
    public Task Closed => _closed.Task;

    /// <summary>Runs the stream until the worker closes it or the host stops; called by the gRPC service.</summary>
    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> requests, IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        _connected.TrySetResult();
        var writer = WriteAsync(responses, cancellationToken);
        try
        {
            while (await requests.MoveNext(cancellationToken))
            {
                Dispatch(requests.Current);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or Grpc.Core.RpcException or InvalidOperationException)
        {
            // The worker went away; pending calls fail below.
        }
        finally
        {
            Close("the worker closed its connection");
            await writer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Fails everything pending and refuses new messages.</summary>
    public void Close(string reason)
    {
        _closeReason ??= reason;
        _outbound.Writer.TryComplete();
        foreach (var key in _requests.Keys)
        {
            if (_requests.TryRemove(key, out var pending))
            {
                pending.TrySetException(new WorkerUnavailableException($"The worker is unavailable: {reason}."));
            }
        }

        foreach (var key in _invocations.Keys)
        {
            if (_invocations.TryRemove(key, out var pending))
            {
                pending.TrySetException(new WorkerUnavailableException($"The worker is unavailable: {reason}."));
            }
        }

        _closed.TrySetResult();
    }

    /// <summary>Sends a request (init, metadata, load) and waits for the worker's answer to it.</summary>
    public async Task<StreamingMessage> RequestAsync(StreamingMessage message, TimeSpan timeout, CancellationToken cancellationToken)
    {
        message.RequestId = Guid.NewGuid().ToString();
        var pending = new TaskCompletionSource<StreamingMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests[message.RequestId] = pending;
        try
        {
            Send(message);
            return await pending.Task.WaitAsync(timeout, cancellationToken);
        }
        finally
        {
            _requests.TryRemove(message.RequestId, out _);
        }
    }

    /// <summary>Sends an invocation; the task completes with the worker's response or fails when the worker goes.</summary>
    public Task<InvocationResponse> InvokeAsync(InvocationRequest request)
    {
        var pending = new TaskCompletionSource<InvocationResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _invocations[request.InvocationId] = pending;
        try
        {
            Send(new StreamingMessage { InvocationRequest = request });
        }
        catch (WorkerUnavailableException e)
        {
            _invocations.TryRemove(request.InvocationId, out _);
            pending.TrySetException(e);
        }

        return pending.Task;
    }

    /// <summary>Stops waiting for an invocation (timed out or abandoned) and asks the worker to cancel it.</summary>
    public void Cancel(string invocationId)
    {
        if (_invocations.TryRemove(invocationId, out _))
        {
            TrySend(new StreamingMessage { InvocationCancel = new InvocationCancel { InvocationId = invocationId } });
        }
    }

    public void Send(StreamingMessage message)
    {
        if (!_outbound.Writer.TryWrite(message))
        {
            throw new WorkerUnavailableException($"The worker is unavailable: {_closeReason ?? "its connection is closed"}.");
        }
    }

    public bool TrySend(StreamingMessage message) => _outbound.Writer.TryWrite(message);

    private async Task WriteAsync(IServerStreamWriter<StreamingMessage> responses, CancellationToken cancellationToken)
    {
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (reader.TryRead(out var message))
                {
                    // Under load, messages queue up: buffer all but the last of a run and flush once.
                    responses.WriteOptions = reader.Count > 0 ? s_buffered : s_flushed;
                    await responses.WriteAsync(message, cancellationToken);
                }
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or Grpc.Core.RpcException or InvalidOperationException)
        {
            Close("the connection to the worker broke");
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.RpcLog:
                _logs.Forward(message.RpcLog);
                break;
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                if (_invocations.TryRemove(message.InvocationResponse.InvocationId, out var invocation))
                {
                    invocation.TrySetResult(message.InvocationResponse);
                }

                break;
            default:
                if (_requests.TryRemove(message.RequestId, out var request))
                {
                    request.TrySetResult(message);
                }

                break;
        }
    }
}
