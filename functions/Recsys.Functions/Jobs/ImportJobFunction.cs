using System.Text.Json.Nodes;
using Recsys.Functions.Invocation;

namespace Recsys.Functions.Jobs;

/// <summary>
/// <c>importJob</c> (queue trigger on import-jobs): one dataset import per message, whether it came from a file
/// dropped in the imports container or from the manage API.
/// </summary>
internal sealed class ImportJobFunction : IInvocationHandler
{
    public string FunctionName => "importJob";

    public Task<JsonNode?> InvokeAsync(InvocationContext context, CancellationToken cancellationToken)
    {
        var message = ImportJobMessage.Parse(context.DataText("job"));
        context.Logs.Add($"import message for imports/{message.BlobName} (ETag {message.ETag ?? "current"}), delivery {context.DequeueCount}");

        // The dataset import itself (validation, segments, job record) is the data issue's; until it lands the
        // message is accepted and reported, so that drops are visible in the invocation log.
        return Task.FromResult<JsonNode?>(new JsonObject { ["blob"] = message.BlobName, ["etag"] = message.ETag });
    }
}
