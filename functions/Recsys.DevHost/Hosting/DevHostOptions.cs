namespace Recsys.DevHost.Hosting;

/// <summary>
/// Settings of the dev host (section <c>Recsys:DevHost</c>, or <c>Recsys__DevHost__…</c> in local.settings.json).
/// </summary>
internal sealed class DevHostOptions
{
    public const string Section = "Recsys:DevHost";

    /// <summary>Public HTTP port (the Functions host's local default is 7071; 0 takes any free port).</summary>
    public int Port { get; set; } = 7071;

    /// <summary>The master key: admin-level functions and the admin endpoints.</summary>
    public string? MasterKey { get; set; }

    /// <summary>A host key: accepted by every function-level function.</summary>
    public string? HostKey { get; set; }

    /// <summary>Function keys by function name.</summary>
    public Dictionary<string, string> FunctionKeys { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Host id: scopes timer status, locks and blob receipts in storage, as the Functions host's id does.</summary>
    public string HostId { get; set; } = "recsys-local";

    /// <summary>How often containers of Event Grid blob triggers are scanned for new blob versions.</summary>
    public TimeSpan BlobScanInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long the worker may take from launch to every function loaded.</summary>
    public TimeSpan WorkerStartTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a terminated worker gets to stop before it is killed.</summary>
    public TimeSpan WorkerGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest gRPC message between host and worker.</summary>
    public int GrpcMaxMessageLength { get; set; } = int.MaxValue;

    /// <summary>Whether to load the demo shop through the public API once the worker is ready.</summary>
    public bool Demo { get; set; }
}
