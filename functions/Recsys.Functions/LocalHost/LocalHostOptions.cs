namespace Recsys.Functions.LocalHost;

/// <summary>
/// Settings of the local host (section <c>Recsys:LocalHost</c>, or <c>Recsys__LocalHost__…</c> in local.settings.json).
/// </summary>
public sealed class LocalHostOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Recsys:LocalHost";

    /// <summary>HTTP port (the Functions host's local default is 7071; 0 picks a free one).</summary>
    public int Port { get; set; } = 7071;

    /// <summary>The master key: admin-level functions, admin endpoints and invocations.</summary>
    public string? MasterKey { get; set; }

    /// <summary>A host key: accepted by every function-level function.</summary>
    public string? HostKey { get; set; }

    /// <summary>Function keys by function name.</summary>
    public Dictionary<string, string> FunctionKeys { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Host id: scopes timer status and locks in storage, as the Functions host's id does.</summary>
    public string HostId { get; set; } = "recsys-local";

    /// <summary>How often the imports container is scanned for new blobs.</summary>
    public TimeSpan ImportsPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Whether to load the demo dataset group on first start.</summary>
    public bool Demo { get; set; }

    /// <summary>Whether to scan the imports container at all (the local stand-in for Event Grid).</summary>
    public bool WatchImports { get; set; } = true;
}
