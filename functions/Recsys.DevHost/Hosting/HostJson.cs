using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recsys.DevHost.Hosting;

/// <summary>Queue settings from host.json <c>extensions.queues</c>, with the queue extension's defaults.</summary>
internal sealed record QueueHostOptions
{
    public int MaxDequeueCount { get; init; } = 5;

    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.Zero;

    public int BatchSize { get; init; } = 16;

    public int NewBatchThreshold { get; init; } = 8;

    public TimeSpan MaxPollingInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Whether message bodies are base64 (the extension's default) or plain text (<c>none</c>).</summary>
    public bool Base64 { get; init; } = true;
}

/// <summary>What the host reads from the app's host.json.</summary>
internal sealed class HostJson
{
    private HostJson(JsonObject root)
    {
        RoutePrefix = ((string?)root["extensions"]?["http"]?["routePrefix"] ?? "api").Trim('/');
        FunctionTimeout = ParseTimeSpan((string?)root["functionTimeout"]) ?? TimeSpan.FromMinutes(30);
        var queues = root["extensions"]?["queues"];
        var batchSize = Math.Clamp((int?)queues?["batchSize"] ?? 16, 1, 32);
        Queues = new QueueHostOptions
        {
            MaxDequeueCount = Math.Max(1, (int?)queues?["maxDequeueCount"] ?? 5),
            VisibilityTimeout = ParseTimeSpan((string?)queues?["visibilityTimeout"]) ?? TimeSpan.Zero,
            BatchSize = batchSize,
            NewBatchThreshold = (int?)queues?["newBatchThreshold"] ?? (batchSize / 2),
            MaxPollingInterval = ParseTimeSpan((string?)queues?["maxPollingInterval"]) ?? TimeSpan.FromMinutes(1),
            Base64 = !string.Equals((string?)queues?["messageEncoding"], "none", StringComparison.OrdinalIgnoreCase),
        };
    }

    /// <summary>Route prefix of HTTP functions (<c>api</c>; may be empty).</summary>
    public string RoutePrefix { get; }

    /// <summary><c>functionTimeout</c> (<see cref="Timeout.InfiniteTimeSpan"/> for <c>-1</c>).</summary>
    public TimeSpan FunctionTimeout { get; }

    public QueueHostOptions Queues { get; }

    public static HostJson Load(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "host.json");
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"host.json not found in {appDirectory}: is this a Functions app build?");
        }

        try
        {
            var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })?.AsObject()
                ?? throw new InvalidDataException($"{path} is empty.");
            if (root.ContainsKey("customHandler"))
            {
                throw new InvalidDataException($"{path} declares a customHandler: {appDirectory} is a custom-handler app, not an isolated-worker build.");
            }

            return new HostJson(root);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }
    }

    private static TimeSpan? ParseTimeSpan(string? value)
        => value is null ? null
            : value == "-1" ? Timeout.InfiniteTimeSpan
            : TimeSpan.Parse(value, CultureInfo.InvariantCulture);
}
