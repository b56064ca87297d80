using System.Text.Json.Nodes;
using Recsys.Core.DataLifecycle;
using Recsys.Core.DatasetGroups;
using Recsys.Core.Resources;
using Recsys.Functions.Invocation;

namespace Recsys.Functions.Jobs;

/// <summary>
/// <c>eventCompactionTimer</c> (timer, <c>%EventCompactionSchedule%</c>): compacts each dataset group's real-time
/// events into a segment of its Interactions dataset (<see cref="EventCompactor"/>). A group that fails is logged and
/// left to the next run; its events stay where training reads them.
/// </summary>
internal sealed class EventCompactionTimerFunction(DatasetGroupService groups, EventCompactor compactor) : IInvocationHandler
{
    public string FunctionName => "eventCompactionTimer";

    public async Task<JsonNode?> InvokeAsync(InvocationContext context, CancellationToken cancellationToken)
    {
        var compacted = new JsonArray();
        string? token = null;
        do
        {
            var page = await groups.ListAsync(Paging.MaxPageSize, token, cancellationToken);
            foreach (var group in page.Items)
            {
                try
                {
                    var result = await compactor.CompactAsync(group.Name, cancellationToken);
                    if (result.Segment is not null)
                    {
                        compacted.Add(new JsonObject { ["datasetGroup"] = group.Name, ["segment"] = result.Segment, ["events"] = result.Events, ["rowsDeleted"] = result.RowsDeleted });
                        context.Logs.Add($"event compaction: {group.Name}: {result.Events} events into {result.Segment}, {result.RowsDeleted} event rows removed");
                    }
                }
                catch (InvalidOperationException e)
                {
                    context.Logs.Add($"event compaction: skipped {group.Name}: {e.Message}");
                }
            }

            token = page.NextToken;
        }
        while (token is not null);

        return new JsonObject { ["compacted"] = compacted };
    }
}
