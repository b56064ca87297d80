using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recsys.Core.Errors;

namespace Recsys.Functions.Invocation;

/// <summary>
/// One invocation of a non-HTTP function: the host's <c>{Data, Metadata}</c> payload, read leniently. A value may
/// arrive as JSON, or as a JSON string that holds JSON (queue messages always do); numbers may arrive as strings;
/// keys ending in "Trigger" are never sent.
/// </summary>
public sealed class InvocationContext
{
    private readonly JsonObject _data;
    private readonly JsonObject _metadata;

    private InvocationContext(string functionName, string? invocationId, JsonObject data, JsonObject metadata)
    {
        FunctionName = functionName;
        InvocationId = invocationId ?? Guid.NewGuid().ToString();
        _data = data;
        _metadata = metadata;
    }

    /// <summary>The function being invoked.</summary>
    public string FunctionName { get; }

    /// <summary>The host's invocation id (<c>X-Azure-Functions-InvocationId</c>).</summary>
    public string InvocationId { get; }

    /// <summary>Lines to return in <c>Logs</c>; the host writes them to the invocation log.</summary>
    public List<string> Logs { get; } = [];

    /// <summary>Parses the payload; throws <see cref="InvalidInputException"/> naming what is malformed.</summary>
    public static InvocationContext Parse(string functionName, string? invocationId, string body)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(body);
        }
        catch (JsonException e)
        {
            throw new InvalidInputException("body", $"The invocation payload is not valid JSON: {e.Message}");
        }

        if (root is not JsonObject payload)
        {
            throw new InvalidInputException("body", "The invocation payload must be a JSON object with Data and Metadata.");
        }

        var data = Unwrap(Get(payload, "Data")) as JsonObject;
        if (data is null)
        {
            throw new InvalidInputException("Data", "The invocation payload has no Data object.");
        }

        var metadata = Unwrap(Get(payload, "Metadata")) as JsonObject ?? [];
        return new InvocationContext(functionName, invocationId, data, metadata);
    }

    /// <summary>The raw text of a trigger value (a queue message's text), or null.</summary>
    public string? DataText(string name) => Get(_data, name) switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        var node => node.ToJsonString(),
    };

    /// <summary>A trigger value as JSON (a string holding JSON is parsed), or null.</summary>
    public JsonNode? DataJson(string name) => Unwrap(Get(_data, name));

    /// <summary>A metadata value as text, or null.</summary>
    public string? Metadata(string key) => Unwrap(Get(_metadata, key)) switch
    {
        null => null,
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        var node => node.ToJsonString(),
    };

    /// <summary>A metadata value as an integer (given as a number or a string), or null.</summary>
    public int? MetadataInt(string key)
        => int.TryParse(Metadata(key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>A metadata object (given as an object or a string holding one), or null.</summary>
    public JsonObject? MetadataObject(string key) => Unwrap(Get(_metadata, key)) as JsonObject;

    /// <summary>How many times this message has been delivered (queue triggers), 1 when not given.</summary>
    public int DequeueCount => MetadataInt("DequeueCount") ?? 1;

    private static JsonNode? Get(JsonObject obj, string key)
    {
        if (obj.TryGetPropertyValue(key, out var value))
        {
            return value;
        }

        foreach (var (k, v) in obj)
        {
            if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase))
            {
                return v;
            }
        }

        return null;
    }

    // The host serialises strings and primitives with JsonConvert.SerializeObject, so a value may be a JSON
    // string whose content is itself JSON (possibly quoted once more): peel those layers off.
    private static JsonNode? Unwrap(JsonNode? node)
    {
        for (var depth = 0; depth < 3 && node is JsonValue v && v.TryGetValue<string>(out var text); depth++)
        {
            var trimmed = text.AsSpan().TrimStart();
            if (trimmed.Length == 0 || (trimmed[0] != '{' && trimmed[0] != '[' && trimmed[0] != '"'))
            {
                return node;
            }

            try
            {
                node = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                return node;
            }
        }

        return node;
    }
}
