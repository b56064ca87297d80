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

    /// <summary>
    /// Reads host.json in <paramref name="appDirectory"/>, with <paramref name="overrides"/> (path segments joined by
    /// <c>__</c>, e.g. <c>extensions__queues__maxDequeueCount</c>) applied over it, as the Functions host applies
    /// <c>AzureFunctionsJobHost__…</c> app settings.
    /// </summary>
    public static HostJson Load(string appDirectory, IReadOnlyDictionary<string, string>? overrides = null)
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

            foreach (var (setting, value) in overrides ?? new Dictionary<string, string>())
            {
                Override(root, setting.Split("__"), value);
            }

            return new HostJson(root);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not valid JSON: {e.Message}", e);
        }
    }

    // Sets a value at a path, matching existing keys ignoring case; numbers and booleans keep their JSON type.
    private static void Override(JsonObject root, string[] path, string value)
    {
        var node = root;
        for (var i = 0; i < path.Length; i++)
        {
            var key = node.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, path[i], StringComparison.OrdinalIgnoreCase)) ?? path[i];
            if (i == path.Length - 1)
            {
                node[key] = int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number)
                    : bool.TryParse(value, out var flag) ? JsonValue.Create(flag)
                    : JsonValue.Create(value);
                return;
            }

            if (node[key] is not JsonObject child)
            {
                node[key] = child = [];
            }

            node = child;
        }
    }

    private static TimeSpan? ParseTimeSpan(string? value)
        => value is null ? null
            : value == "-1" ? Timeout.InfiniteTimeSpan
            : TimeSpan.Parse(value, CultureInfo.InvariantCulture);
}
