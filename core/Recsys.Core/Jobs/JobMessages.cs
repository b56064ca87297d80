using System.Text.Json;
using System.Text.Json.Serialization;

namespace Recsys.Core.Jobs;

/// <summary>A message on the import-jobs queue: one dataset import.</summary>
/// <param name="Blob">The file inside the imports container, e.g. <c>movies/Interactions/ratings.csv</c>.</param>
/// <param name="ETag">The file version to import (null: the current one).</param>
/// <param name="Job">The import job created through the API; null for a file dropped into the container.</param>
public sealed record ImportJobMessage(string Blob, [property: JsonPropertyName("etag")] string? ETag, string? Job);

/// <summary>A message on the training-jobs queue: train one solution version.</summary>
/// <param name="Solution">The solution's name.</param>
/// <param name="Version">The version's name.</param>
public sealed record TrainingJobMessage(string Solution, string Version);

/// <summary>A message on the batch-jobs queue: one batch inference, batch segment, dataset export or data deletion job.</summary>
/// <param name="Kind">One of <see cref="BatchJobMessage.Kinds"/>.</param>
/// <param name="Job">The job's name.</param>
public sealed record BatchJobMessage(string Kind, string Job)
{
    /// <summary>A batch inference job.</summary>
    public const string Inference = "inference";

    /// <summary>A batch segment job.</summary>
    public const string Segment = "segment";

    /// <summary>A dataset export job.</summary>
    public const string Export = "export";

    /// <summary>A data deletion job.</summary>
    public const string Deletion = "deletion";

    /// <summary>Every kind the batch-jobs queue carries.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [Inference, Segment, Export, Deletion];
}

/// <summary>Sends job messages to their queues: the one port through which every job kind is scheduled.</summary>
public interface IJobScheduler
{
    /// <summary>Queues an import, visible after <paramref name="delay"/> (now when null).</summary>
    Task SendAsync(ImportJobMessage message, TimeSpan? delay = null, CancellationToken cancellationToken = default);

    /// <summary>Queues a training, visible after <paramref name="delay"/> (now when null).</summary>
    Task SendAsync(TrainingJobMessage message, TimeSpan? delay = null, CancellationToken cancellationToken = default);

    /// <summary>Queues a batch or data job, visible after <paramref name="delay"/> (now when null).</summary>
    Task SendAsync(BatchJobMessage message, TimeSpan? delay = null, CancellationToken cancellationToken = default);
}

/// <summary>
/// Source-generated JSON of the job messages (camelCase), shared by the senders and the queue functions: a message
/// without a required field, or with null where none is allowed, does not deserialize.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
[JsonSerializable(typeof(ImportJobMessage))]
[JsonSerializable(typeof(TrainingJobMessage))]
[JsonSerializable(typeof(BatchJobMessage))]
public sealed partial class JobMessageJson : JsonSerializerContext;
