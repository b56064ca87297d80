using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recsys.Functions.Hosting;

/// <summary>Kinds of trigger Recsys declares in its function.json files.</summary>
public enum TriggerKind
{
    /// <summary><c>httpTrigger</c>.</summary>
    Http,

    /// <summary><c>queueTrigger</c>.</summary>
    Queue,

    /// <summary><c>timerTrigger</c>.</summary>
    Timer,

    /// <summary>Any other trigger type (for example <c>eventGridTrigger</c>); the local host does not run it.</summary>
    Other,
}

/// <summary>Authorization level of an HTTP function, as in function.json.</summary>
public enum AuthLevel
{
    /// <summary>No key.</summary>
    Anonymous,

    /// <summary>A function key, host key or the master key.</summary>
    Function,

    /// <summary>The master key only.</summary>
    Admin,
}

/// <summary>One function as declared by its <c>{name}/function.json</c>.</summary>
public sealed record FunctionDefinition
{
    /// <summary>Function name: the folder name.</summary>
    public required string Name { get; init; }

    /// <summary>Trigger kind.</summary>
    public required TriggerKind Trigger { get; init; }

    /// <summary>The trigger binding's <c>name</c> (key of <c>Data</c> in invocations).</summary>
    public required string BindingName { get; init; }

    /// <summary>HTTP: the route template, without the route prefix.</summary>
    public string? Route { get; init; }

    /// <summary>HTTP: allowed methods (upper case); empty means all.</summary>
    public IReadOnlyList<string> Methods { get; init; } = [];

    /// <summary>HTTP: authorization level.</summary>
    public AuthLevel AuthLevel { get; init; } = AuthLevel.Function;

    /// <summary>Queue: queue name (may hold <c>%Setting%</c>).</summary>
    public string? QueueName { get; init; }

    /// <summary>Queue: name of the connection setting.</summary>
    public string Connection { get; init; } = "AzureWebJobsStorage";

    /// <summary>Timer: NCRONTAB schedule with seconds (may be <c>%Setting%</c>).</summary>
    public string? Schedule { get; init; }

    /// <summary>Timer: fire once at start-up.</summary>
    public bool RunOnStartup { get; init; }

    /// <summary>Timer: persist schedule status to detect missed occurrences.</summary>
    public bool UseMonitor { get; init; } = true;

    /// <summary>Whether the host forwards HTTP requests to the handler as-is (one httpTrigger in, one http out).</summary>
    public bool IsForwardedHttp { get; init; }

    /// <summary>Parses one function.json document; throws <see cref="InvalidDataException"/> naming the problem.</summary>
    public static FunctionDefinition Parse(string name, string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{name}/function.json is not valid JSON: {e.Message}", e);
        }

        if (root?["bindings"] is not JsonArray bindings || bindings.Count == 0)
        {
            throw new InvalidDataException($"{name}/function.json has no bindings.");
        }

        var triggers = bindings.OfType<JsonObject>()
            .Where(b => ((string?)b["type"])?.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase) == true)
            .ToList();
        if (triggers.Count != 1)
        {
            throw new InvalidDataException($"{name}/function.json must have exactly one trigger binding; it has {triggers.Count}.");
        }

        var trigger = triggers[0];
        var type = (string)trigger["type"]!;
        var kind = type.ToUpperInvariant() switch
        {
            "HTTPTRIGGER" => TriggerKind.Http,
            "QUEUETRIGGER" => TriggerKind.Queue,
            "TIMERTRIGGER" => TriggerKind.Timer,
            _ => TriggerKind.Other,
        };

        var httpOut = bindings.OfType<JsonObject>().Count(b => string.Equals((string?)b["type"], "http", StringComparison.OrdinalIgnoreCase));
        return new FunctionDefinition
        {
            Name = name,
            Trigger = kind,
            BindingName = (string?)trigger["name"] ?? throw new InvalidDataException($"{name}/function.json: the trigger has no name."),
            Route = kind == TriggerKind.Http ? ((string?)trigger["route"] ?? name) : null,
            Methods = trigger["methods"] is JsonArray methods
                ? methods.Select(m => ((string?)m ?? string.Empty).ToUpperInvariant()).ToArray()
                : [],
            AuthLevel = ((string?)trigger["authLevel"])?.ToUpperInvariant() switch
            {
                null or "FUNCTION" => AuthLevel.Function,
                "ANONYMOUS" => AuthLevel.Anonymous,
                "ADMIN" => AuthLevel.Admin,
                var other => throw new InvalidDataException($"{name}/function.json: unknown authLevel '{other}'."),
            },
            QueueName = (string?)trigger["queueName"],
            Connection = (string?)trigger["connection"] ?? "AzureWebJobsStorage",
            Schedule = (string?)trigger["schedule"],
            RunOnStartup = (bool?)trigger["runOnStartup"] ?? false,
            UseMonitor = (bool?)trigger["useMonitor"] ?? true,
            IsForwardedHttp = kind == TriggerKind.Http && httpOut == 1 && bindings.Count == 2,
        };
    }
}
