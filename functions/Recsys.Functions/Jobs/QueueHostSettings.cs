using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace Recsys.Functions.Jobs;

/// <summary>
/// The queue settings the Functions host applies to this app (host.json <c>extensions.queues</c>), read by the jobs
/// so that they know which delivery is the last before the host moves a message to the poison queue.
/// </summary>
/// <param name="MaxDequeueCount">Deliveries before the host moves a message to its poison queue.</param>
internal sealed record QueueHostSettings(int MaxDequeueCount)
{
    /// <summary>The Functions host's default.</summary>
    public const int DefaultMaxDequeueCount = 5;

    /// <summary>
    /// Reads host.json from the app folder (<c>FUNCTIONS_APPLICATION_DIRECTORY</c>, else beside the worker), with the
    /// <c>AzureFunctionsJobHost__extensions__queues__maxDequeueCount</c> app setting over it as the host applies it.
    /// </summary>
    public static QueueHostSettings Load(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration.GetValue<int?>("AzureFunctionsJobHost:extensions:queues:maxDequeueCount") is { } overridden)
        {
            return new QueueHostSettings(Math.Max(1, overridden));
        }

        var folder = Environment.GetEnvironmentVariable("FUNCTIONS_APPLICATION_DIRECTORY") is { Length: > 0 } app ? app : AppContext.BaseDirectory;
        var path = Path.Combine(folder, "host.json");
        if (!File.Exists(path))
        {
            return new QueueHostSettings(DefaultMaxDequeueCount);
        }

        var host = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        var max = (int?)host?["extensions"]?["queues"]?["maxDequeueCount"] ?? DefaultMaxDequeueCount;
        return new QueueHostSettings(Math.Max(1, max));
    }

    /// <summary>Whether a delivery with <paramref name="dequeueCount"/> is the last one the host makes.</summary>
    public bool IsLastDelivery(int dequeueCount) => dequeueCount >= MaxDequeueCount;
}
