using System.Text.Json;
using System.Text.Json.Nodes;
using Recsys.Core.Errors;
using Recsys.Storage;

namespace Recsys.Functions.Jobs;

/// <summary>
/// A message on the import-jobs queue, in either of its two shapes: the Event Grid <c>BlobCreated</c> event of a
/// file dropped in the imports container, or a job created through the manage API (<c>kind: "import"</c>).
/// </summary>
/// <param name="BlobName">Blob name inside the imports container, e.g. <c>movies/Interactions/ratings.csv</c>.</param>
/// <param name="ETag">The blob version the message is about (null for API jobs: the current one).</param>
/// <param name="JobName">The import job's name when created through the API; null for dropped files.</param>
internal sealed record ImportJobMessage(string BlobName, string? ETag, string? JobName)
{
    private const string SubjectPrefix = "/blobServices/default/containers/" + StorageNames.ImportsContainer + "/blobs/";

    /// <summary>Parses a message, or throws <see cref="InvalidInputException"/> saying what is wrong.</summary>
    public static ImportJobMessage Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new InvalidInputException("job", "The import message is empty.");
        }

        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text);
        }
        catch (JsonException e)
        {
            throw new InvalidInputException("job", $"The import message is not JSON: {e.Message}");
        }

        // Event Grid may deliver a one-element array.
        if (node is JsonArray { Count: 1 } single)
        {
            node = single[0];
        }

        if (node is not JsonObject message)
        {
            throw new InvalidInputException("job", "The import message must be a JSON object.");
        }

        var eventType = (string?)message["eventType"];
        if (eventType is not null)
        {
            if (eventType != "Microsoft.Storage.BlobCreated")
            {
                throw new InvalidInputException("eventType", $"Only Microsoft.Storage.BlobCreated events start imports, not {eventType}.");
            }

            var subject = (string?)message["subject"];
            if (subject is null || !subject.StartsWith(SubjectPrefix, StringComparison.Ordinal) || subject.Length == SubjectPrefix.Length)
            {
                throw new InvalidInputException("subject", $"The event is not about a blob in the '{StorageNames.ImportsContainer}' container: '{subject}'.");
            }

            return new ImportJobMessage(subject[SubjectPrefix.Length..], Unquote((string?)message["data"]?["eTag"]), null);
        }

        if ((string?)message["kind"] == "import")
        {
            var blob = (string?)message["blob"];
            if (string.IsNullOrWhiteSpace(blob))
            {
                throw new InvalidInputException("blob", "An import job message needs 'blob', the file in the imports container.");
            }

            const string containerPrefix = StorageNames.ImportsContainer + "/";
            if (blob.StartsWith(containerPrefix, StringComparison.Ordinal))
            {
                blob = blob[containerPrefix.Length..];
            }

            return new ImportJobMessage(blob, Unquote((string?)message["etag"]), (string?)message["job"]);
        }

        throw new InvalidInputException("job", "The message is neither a BlobCreated event nor an import job.");
    }

    // Event Grid sends ETags bare, the SDK quoted: one form, so that both name the same blob version.
    private static string? Unquote(string? etag) => etag?.Trim('"');
}
