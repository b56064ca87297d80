namespace Recsys.DevHost.Hosting;

/// <summary>The addresses the dev host actually listens on (ports may be 0 in the settings), known once it started.</summary>
internal sealed class HostAddresses
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Ready => _ready.Task;

    /// <summary>The public HTTP address (functions, admin).</summary>
    public Uri PublicUri { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The gRPC address the worker connects to (HTTP/2 cleartext, loopback).</summary>
    public Uri GrpcUri { get; private set; } = new("http://127.0.0.1/");

    public int GrpcPort => GrpcUri.Port;

    public void Set(int publicPort, int grpcPort)
    {
        PublicUri = new Uri($"http://127.0.0.1:{publicPort}/");
        GrpcUri = new Uri($"http://127.0.0.1:{grpcPort}/");
        _ready.TrySetResult();
    }
}
