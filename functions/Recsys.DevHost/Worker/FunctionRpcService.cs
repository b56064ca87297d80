using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;

namespace Recsys.DevHost.Worker;

/// <summary>Workers the host launched and expects to connect, by the worker id given on their command line.</summary>
internal sealed class WorkerRegistry
{
    private readonly ConcurrentDictionary<string, WorkerChannel> _expected = new(StringComparer.Ordinal);

    public void Expect(WorkerChannel channel) => _expected[channel.WorkerId] = channel;

    public void Forget(WorkerChannel channel) => _expected.TryRemove(channel.WorkerId, out _);

    public bool TryTake(string workerId, out WorkerChannel channel) => _expected.TryRemove(workerId, out channel!);
}

/// <summary>
/// The host side of <c>FunctionRpc.EventStream</c>: the worker opens the stream with <c>StartStream</c> naming its
/// worker id, and the stream is handed to the channel the host made when it launched that worker.
/// </summary>
internal sealed class FunctionRpcService(WorkerRegistry registry, ILogger<FunctionRpcService> logger) : FunctionRpc.FunctionRpcBase
{
    public override async Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken) || requestStream.Current.StartStream is not { } start)
        {
            Log.StreamWithoutStart(logger);
            return;
        }

        if (!registry.TryTake(start.WorkerId, out var channel))
        {
            Log.UnknownWorker(logger, start.WorkerId);
            return;
        }

        await channel.RunAsync(requestStream, responseStream, context.CancellationToken);
    }
}
