using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Azure.Functions.Worker.Grpc.Messages;

namespace Recsys.DevHost.Worker;

internal enum TriggerKind
{
    Http,
    Queue,
    Timer,
    Blob,
    Other,
}

internal enum AuthLevel
{
    Anonymous,
    Function,
    Admin,
}

/// <summary>An output binding the host carries out after an invocation (the worker returns its value).</summary>
internal sealed record OutputBinding(string Name, string Type, JsonObject Raw);

/// <summary>One function as the worker described it in its metadata (worker indexing).</summary>
internal sealed record WorkerFunction
{
    public required string Name { get; init; }

    public required string FunctionId { get; init; }

    public required TriggerKind Trigger { get; init; }

    /// <summary>The trigger binding's name: the key of the trigger's <c>input_data</c> entry.</summary>
    public required string TriggerName { get; init; }

    /// <summary>The trigger binding as the worker declared it.</summary>
    public required JsonObject TriggerBinding { get; init; }

    public IReadOnlyList<OutputBinding> Outputs { get; init; } = [];

    /// <summary>The metadata as received, sent back in the function's load request.</summary>
    public required RpcFunctionMetadata Metadata { get; init; }

    /// <summary>HTTP: the route template without the route prefix (the function name when none is given).</summary>
    public string? Route { get; init; }

    /// <summary>HTTP: allowed methods in upper case; empty means every method.</summary>
    public IReadOnlyList<string> Methods { get; init; } = [];

    public AuthLevel AuthLevel { get; init; } = AuthLevel.Function;

    /// <summary>The name the Functions host gives the function in storage (timer status, receipts).</summary>
    public string FullName => "Host.Functions." + Name;

    /// <summary>A trigger property as text (<c>true</c> for a JSON boolean), or null.</summary>
    public string? Property(string name)
        => TriggerBinding[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : TriggerBinding[name]?.ToString();

    public string Connection => Property("connection") is { Length: > 0 } c ? c : "AzureWebJobsStorage";

    /// <summary>Parses the worker's metadata of one function; throws naming what is wrong.</summary>
    public static WorkerFunction Parse(RpcFunctionMetadata metadata)
    {
        var bindings = new List<JsonObject>();
        foreach (var raw in metadata.RawBindings)
        {
            try
            {
                bindings.Add(JsonNode.Parse(raw)?.AsObject() ?? throw new InvalidDataException($"'{metadata.Name}' has an empty binding."));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"'{metadata.Name}' has a binding that is not JSON: {e.Message}", e);
            }
        }

        var triggers = bindings.Where(b => ((string?)b["type"])?.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase) == true).ToList();
        if (triggers.Count != 1)
        {
            throw new InvalidDataException($"'{metadata.Name}' must have exactly one trigger binding; it has {triggers.Count}.");
        }

        var trigger = triggers[0];
        var kind = ((string)trigger["type"]!).ToUpperInvariant() switch
        {
            "HTTPTRIGGER" => TriggerKind.Http,
            "QUEUETRIGGER" => TriggerKind.Queue,
            "TIMERTRIGGER" => TriggerKind.Timer,
            "BLOBTRIGGER" => TriggerKind.Blob,
            _ => TriggerKind.Other,
        };

        var outputs = bindings
            .Where(b => string.Equals((string?)b["direction"], "out", StringComparison.OrdinalIgnoreCase))
            .Select(b => new OutputBinding((string?)b["name"] ?? string.Empty, ((string?)b["type"] ?? string.Empty).ToLowerInvariant(), b))
            .ToArray();

        var route = kind == TriggerKind.Http ? ((string?)trigger["route"] ?? metadata.Name).Trim('/') : null;
        return new WorkerFunction
        {
            Name = metadata.Name,
            FunctionId = string.IsNullOrEmpty(metadata.FunctionId) ? Guid.NewGuid().ToString() : metadata.FunctionId,
            Trigger = kind,
            TriggerName = (string?)trigger["name"] ?? throw new InvalidDataException($"'{metadata.Name}': the trigger binding has no name."),
            TriggerBinding = trigger,
            Outputs = outputs,
            Metadata = metadata,
            Route = route,
            Methods = trigger["methods"] is JsonArray methods ? methods.Select(m => ((string?)m ?? string.Empty).ToUpperInvariant()).ToArray() : [],
            AuthLevel = ((string?)trigger["authLevel"])?.ToUpperInvariant() switch
            {
                null or "FUNCTION" => AuthLevel.Function,
                "ANONYMOUS" => AuthLevel.Anonymous,
                "ADMIN" or "SYSTEM" => AuthLevel.Admin,
                var other => throw new InvalidDataException($"'{metadata.Name}': unknown authLevel '{other}'."),
            },
        };
    }

    /// <summary>Whether an HTTP route starts with a prefix the Functions host keeps for itself.</summary>
    public static bool IsReservedRoute(string route)
    {
        foreach (var prefix in new[] { "admin", "runtime" })
        {
            if (route.Equals(prefix, StringComparison.OrdinalIgnoreCase) || route.StartsWith(prefix + "/", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
