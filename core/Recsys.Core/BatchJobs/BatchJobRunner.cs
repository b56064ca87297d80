using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recsys.Core.Campaigns;
using Recsys.Core.Datasets;
using Recsys.Core.Errors;
using Recsys.Core.Filters;
using Recsys.Core.Jobs;
using Recsys.Core.Resources;
using Recsys.Core.Runtime;
using Recsys.Core.Solutions;

namespace Recsys.Core.BatchJobs;

/// <summary>
/// Runs one batch job: streams the input JSON lines and writes one output line per input line, in order, to the
/// output blob as it goes (Personalize's format: <c>{"input":…,"output":…,"error":null}</c>), so memory stays bounded
/// whatever the number of lines. Inference lines go through <see cref="RecommendationService"/> (same model cache,
/// filters and real-time history) with a transient campaign for the job's solution version. A malformed line, or one
/// the service rejects, is answered with its <c>error</c> and counted; the job goes on. The record carries progress,
/// and ends ACTIVE, or CREATE FAILED with the reason when the job cannot run at all. A repeated message for a finished
/// job does nothing; one for an interrupted job runs it again from the start (the output is rewritten).
/// </summary>
/// <param name="jobs">Job records.</param>
/// <param name="solutions">Solution versions.</param>
/// <param name="models">Loads and caches models.</param>
/// <param name="recommendations">The runtime use cases.</param>
/// <param name="files">Blob access.</param>
/// <param name="time">Clock.</param>
/// <param name="deletedUsers">Users removed by data deletion jobs, which segment jobs leave out.</param>
/// <param name="filters">Filters, for segment jobs with a UserID filter.</param>
/// <param name="catalogs">Item and user metadata, for segment jobs with a UserID filter.</param>
/// <param name="runner">The job lifecycle.</param>
public sealed partial class BatchJobRunner(
    IResourceStore<BatchJob> jobs,
    SolutionService solutions,
    SolutionModelLoader models,
    RecommendationService recommendations,
    IBatchJobFiles files,
    TimeProvider time,
    IDeletedUsers deletedUsers,
    FilterService filters,
    ItemCatalogs catalogs,
    JobRunner runner)
{
    private const int ChunkLines = 64;
    private static readonly TimeSpan s_progressInterval = TimeSpan.FromSeconds(2);
    private static readonly byte[] s_newLine = "\n"u8.ToArray();

    private readonly JobKind<BatchJob> _inference = new(BatchJob.DisplayName(BatchJobKind.Inference), jobs, (j, s) => j with { State = s });
    private readonly JobKind<BatchJob> _segment = new(BatchJob.DisplayName(BatchJobKind.Segment), jobs, (j, s) => j with { State = s });

    /// <summary>Runs one delivery of a batch inference or segment job (see <see cref="JobRunner"/>).</summary>
    public Task<JobOutcome<BatchJob>> RunAsync(BatchJobKind kind, string jobName, JobDelivery delivery, CancellationToken cancellationToken = default)
        => runner.RunAsync(Kind(kind), BatchJobService.Scope(kind), jobName, delivery, RunLinesAsync, cancellationToken: cancellationToken);

    /// <summary>Marks a job failed with <paramref name="reason"/> unless it has ended (a poisoned message, an abandoned job).</summary>
    public Task<bool> GiveUpAsync(BatchJobKind kind, string jobName, string reason, CancellationToken cancellationToken = default)
        => runner.GiveUpAsync(Kind(kind), BatchJobService.Scope(kind), jobName, reason, cancellationToken);

    /// <summary>Batch inference or segment jobs as the job seam sees them (scoped by <see cref="BatchJobService.Scope"/>).</summary>
    public JobKind<BatchJob> Kind(BatchJobKind kind) => kind == BatchJobKind.Inference ? _inference : _segment;

    private async Task<BatchJob> RunLinesAsync(JobContext<BatchJob> record, CancellationToken cancellationToken)
    {
        var job = record.Current;
        var version = (await solutions.DescribeVersionAsync(job.SolutionVersionArn, cancellationToken)).Value;
        if (version.State.Status != ResourceStatus.Active)
        {
            throw new InvalidInputException("solutionVersionArn", $"The solution version '{version.Arn}' is {version.State.Status}, not ACTIVE.");
        }

        if (!await files.ExistsAsync(job.InputPath, cancellationToken))
        {
            throw new InvalidInputException("jobInput", $"There is no file '{job.InputPath}'.");
        }

        var model = await models.LoadAsync(version.Arn, cancellationToken);
        var campaign = new Campaign
        {
            Name = "batch-" + job.Name,
            Solution = version.Solution,
            SolutionVersion = version.Name,
            DatasetGroup = version.DatasetGroup,
            Recipe = version.Recipe,
            State = ResourceState.New(ResourceStatus.Active, time.GetUtcNow()),
        };

        var exclusions = job.Kind == BatchJobKind.Segment
            ? new SegmentExclusions(await deletedUsers.ReadAllAsync(job.DatasetGroup, cancellationToken), version.State.CreationDateTime)
            : SegmentExclusions.None;
        if (job.Kind == BatchJobKind.Segment && job.FilterArn is not null)
        {
            exclusions = exclusions with { Filter = await UserFilterAsync(job, model, cancellationToken) };
        }

        long read = 0, succeeded = 0, failed = 0;
        var lastProgress = Stopwatch.GetTimestamp();
        await using (var input = await files.OpenReadAsync(job.InputPath, cancellationToken))
        using (var reader = new StreamReader(input, Encoding.UTF8))
        await using (var output = await files.OpenWriteAsync(job.OutputFile, cancellationToken))
        {
            var chunk = new List<string>(ChunkLines);
            var tasks = new Task<(byte[] Line, bool Ok)>[ChunkLines];
            var done = false;
            while (!done)
            {
                chunk.Clear();
                while (chunk.Count < ChunkLines)
                {
                    var line = await reader.ReadLineAsync(cancellationToken);
                    if (line is null)
                    {
                        done = true;
                        break;
                    }

                    if (!string.IsNullOrWhiteSpace(line))
                    {
                        chunk.Add(line);
                    }
                }

                for (var i = 0; i < chunk.Count; i++)
                {
                    tasks[i] = AnswerAsync(job, campaign, model, exclusions, chunk[i], cancellationToken);
                }

                for (var i = 0; i < chunk.Count; i++)
                {
                    var (bytes, ok) = await tasks[i];
                    await output.WriteAsync(bytes, cancellationToken);
                    await output.WriteAsync(s_newLine, cancellationToken);
                    read++;
                    if (ok)
                    {
                        succeeded++;
                    }
                    else
                    {
                        failed++;
                    }
                }

                if (Stopwatch.GetElapsedTime(lastProgress) >= s_progressInterval)
                {
                    lastProgress = Stopwatch.GetTimestamp();
                    var (r, s, f) = (read, succeeded, failed);
                    record.Progress(j => j with { LinesRead = r, LinesSucceeded = s, LinesFailed = f });
                }
            }
        }

        record.Phase($"{read} lines answered, {failed} with errors, into {job.OutputFile}");
        return await record.CompleteAsync(j => j with { LinesRead = read, LinesSucceeded = succeeded, LinesFailed = failed }, cancellationToken);
    }

    private async Task<(byte[] Line, bool Ok)> AnswerAsync(
        BatchJob job, Campaign campaign, SolutionModel model, SegmentExclusions exclusions, string line, CancellationToken cancellationToken)
    {
        JsonObject query;
        try
        {
            query = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("The line is not a JSON object.");
        }
        catch (JsonException e)
        {
            return (Line(JsonValue.Create(line), null, "Malformed JSON line: " + e.Message), false);
        }

        try
        {
            var output = job.Kind == BatchJobKind.Inference
                ? await InferAsync(job, campaign, model, query, cancellationToken)
                : Segment(job, model, query, exclusions);
            return (Line(query.DeepClone(), output, null), true);
        }
        catch (RecsysException e)
        {
            return (Line(query.DeepClone(), null, e.Message), false);
        }
        catch (InvalidOperationException e)
        {
            // A field of the wrong JSON type (e.g. a number where a string is expected).
            return (Line(query.DeepClone(), null, "Invalid line: " + e.Message), false);
        }
    }

    private async Task<JsonObject> InferAsync(BatchJob job, Campaign campaign, SolutionModel model, JsonObject query, CancellationToken cancellationToken)
    {
        var userId = Text(query, "userId");
        var itemId = Text(query, "itemId");
        var filterValues = FilterValues(query);
        RecommendationResult result;
        if (query["itemList"] is JsonArray list)
        {
            var items = list.Select(i => i?.GetValue<string>() ?? string.Empty).ToArray();
            result = await recommendations.GetPersonalizedRankingAsync(campaign, model, userId, items, job.FilterArn, filterValues, cancellationToken);
        }
        else
        {
            result = await recommendations.GetRecommendationsAsync(campaign, model, new RecommendationRequest
            {
                UserId = userId,
                ItemId = itemId,
                NumResults = Math.Min(job.NumResults, RecommendationService.MaxResults),
                FilterArn = job.FilterArn,
                FilterValues = filterValues,
            }, cancellationToken);
        }

        return new JsonObject
        {
            ["recommendedItems"] = new JsonArray(result.ItemList.Select(i => (JsonNode?)JsonValue.Create(i.ItemId)).ToArray()),
            ["scores"] = new JsonArray(result.ItemList.Select(i => (JsonNode?)(i.Score is { } s ? JsonValue.Create(Math.Round(s, 6)) : null)).ToArray()),
        };
    }

    /// <summary>A segment job's filter: a UserID filter over the Users dataset, compiled once for the job.</summary>
    private async Task<(CompiledFilter Filter, InMemoryAttributeIndex Users)> UserFilterAsync(BatchJob job, SolutionModel model, CancellationToken cancellationToken)
    {
        var filter = (await filters.DescribeAsync(job.FilterArn, cancellationToken)).Value;
        var expression = filter.Parse();
        if (expression.Target != FilterTarget.Users)
        {
            throw new InvalidInputException("filterArn", $"The filter '{filter.Name}' filters items; a batch segment job takes a UserID filter (INCLUDE|EXCLUDE UserID WHERE Users.…).");
        }

        var catalog = await catalogs.GetAsync(job.DatasetGroup, model, cancellationToken);
        var users = catalog.Users ?? throw new InvalidInputException("filterArn", $"The filter '{filter.Name}' tests user metadata, and the dataset group has no Users data.");
        return (CompiledFilter.Compile(expression, new FilterData(catalog.Items, users)), users);
    }

    private static JsonObject Segment(BatchJob job, SolutionModel model, JsonObject query, SegmentExclusions exclusions)
    {
        // Ask for more than numResults when users deleted since training may be among them, and for every user
        // (ranked) when a filter decides which of them may be in the segment.
        var predicate = exclusions.Filter is { } filter
            ? filter.Filter.Bind(new FilterRequest { FilterValues = FilterValues(query) })
            : null;
        var count = predicate is not null
            ? Math.Max(model.UserCount, job.NumResults)
            : (int)Math.Min(BatchJobService.MaxSegmentResults, (long)job.NumResults + exclusions.Count);
        IReadOnlyList<ScoredId> users;
        if (Text(query, "itemId") is { Length: > 0 } itemId)
        {
            users = model.UsersForItem(itemId, count);
        }
        else if (Text(query, "itemAttributes") is { Length: > 0 } attributes)
        {
            var (conditions, matchAll) = ParseAttributes(attributes);
            if (!model.HasItemAttributes)
            {
                throw new InvalidInputException("itemAttributes", $"The solution version's recipe '{job.Recipe}' keeps no item metadata: train one with aws-item-attribute-affinity (and an Items dataset) for itemAttributes queries.");
            }

            users = model.UsersForAttributes(conditions, matchAll, count);
        }
        else
        {
            throw new InvalidInputException("itemId", "A segment line needs an itemId or itemAttributes.");
        }

        return new JsonObject
        {
            ["recommendedUsers"] = new JsonArray(users
                .Where(u => !exclusions.Excludes(u.Id) && (predicate is null || Passes(predicate, exclusions.Filter!.Value.Users, u.Id)))
                .Take(job.NumResults).Select(u => (JsonNode?)JsonValue.Create(u.Id)).ToArray()),
        };
    }

    /// <summary>
    /// Parses Personalize's item-attribute query: conditions <c>ITEMS.&lt;field&gt; = "&lt;value&gt;"</c> joined by AND
    /// or by OR (not both).
    /// </summary>
    public static (IReadOnlyList<(string Field, string Value)> Conditions, bool MatchAll) ParseAttributes(string attributes)
    {
        var parts = Connective().Split(attributes);
        var conditions = new List<(string, string)>();
        var connectives = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < parts.Length; i++)
        {
            if (i % 2 == 1)
            {
                connectives.Add(parts[i]);
                continue;
            }

            var match = AttributeCondition().Match(parts[i]);
            if (!match.Success)
            {
                throw new InvalidInputException("itemAttributes", $"itemAttributes must be conditions ITEMS.<field> = \"<value>\" joined by AND or OR; '{parts[i].Trim()}' is not one.");
            }

            conditions.Add((match.Groups["field"].Value, match.Groups["value"].Value));
        }

        if (connectives.Count > 1)
        {
            throw new InvalidInputException("itemAttributes", "itemAttributes may join its conditions with AND or with OR, not both.");
        }

        return (conditions, !connectives.Contains("OR"));
    }

    private static Dictionary<string, string>? FilterValues(JsonObject query)
        => query["filterValues"] is JsonObject values
            ? values.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? string.Empty, StringComparer.Ordinal)
            : null;

    private static string? Text(JsonObject query, string field) => query[field]?.GetValue<string>();

    private static byte[] Line(JsonNode? input, JsonObject? output, string? error)
        => JsonSerializer.SerializeToUtf8Bytes(new JsonObject { ["input"] = input, ["output"] = output, ["error"] = error }, BatchJson.Default.JsonObject);

    [GeneratedRegex("""^\s*ITEMS\.(?<field>[A-Za-z_][A-Za-z0-9_]*)\s*=\s*"(?<value>[^"]*)"\s*$""", RegexOptions.IgnoreCase)]
    private static partial Regex AttributeCondition();

    [GeneratedRegex("""\s+(AND|OR)\s+(?=ITEMS\.)""", RegexOptions.IgnoreCase)]
    private static partial Regex Connective();

    /// <summary>A user without a Users record passes a filter only when it has no INCLUDE clause.</summary>
    private static bool Passes(FilterPredicate predicate, InMemoryAttributeIndex users, string userId)
        => users.TryGetIndex(userId, out var row) ? predicate.Matches(row) : predicate.IncludeCount == 0;

    /// <summary>
    /// Users a segment job leaves out: deleted by a data deletion job after the model's training began, and those
    /// the job's UserID filter rejects.
    /// </summary>
    private sealed record SegmentExclusions(UserDeletions Deletions, DateTimeOffset TrainedAt)
    {
        public static SegmentExclusions None { get; } = new(UserDeletions.None, DateTimeOffset.MaxValue);

        public (CompiledFilter Filter, InMemoryAttributeIndex Users)? Filter { get; init; }

        public int Count => Deletions.Count;

        public bool Excludes(string userId) => Deletions.DeletedAt(userId) is { } at && at >= TrainedAt;
    }
}

/// <summary>Source-generated JSON for batch output lines.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(JsonObject))]
internal sealed partial class BatchJson : System.Text.Json.Serialization.JsonSerializerContext;
