using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Recsys.Functions.Invocation;

/// <summary>The handler's answer to an invocation: <c>{Outputs, Logs, ReturnValue}</c>.</summary>
public sealed record InvocationResult
{
    /// <summary>Output bindings by name (Recsys declares none: it writes to storage with the SDK).</summary>
    [JsonPropertyName("Outputs")]
    public JsonObject Outputs { get; init; } = [];

    /// <summary>Lines for the invocation log.</summary>
    [JsonPropertyName("Logs")]
    public IReadOnlyList<string> Logs { get; init; } = [];

    /// <summary>The <c>$return</c> value.</summary>
    [JsonPropertyName("ReturnValue")]
    public JsonNode? ReturnValue { get; init; }
}

/// <summary>Work a non-HTTP function does for one invocation. Throwing fails the invocation (non-2xx).</summary>
public interface IInvocationHandler
{
    /// <summary>The function's name, as its folder.</summary>
    string FunctionName { get; }

    /// <summary>Does the work; the returned value becomes <c>ReturnValue</c>.</summary>
    Task<JsonNode?> InvokeAsync(InvocationContext context, CancellationToken cancellationToken);
}
