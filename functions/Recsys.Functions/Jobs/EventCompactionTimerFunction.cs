using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Recsys.Core.DataLifecycle;
using Recsys.Core.DatasetGroups;
using Recsys.Core.Resources;

namespace Recsys.Functions.Jobs;

/// <summary>
/// <c>eventCompactionTimer</c> (timer, <c>%EventCompactionSchedule%</c>): compacts each dataset group's real-time
/// events into a segment of its Interactions dataset (<see cref="EventCompactor"/>). A group that fails is logged and
/// left to the next run; its events stay where training reads them.
/// </summary>
internal sealed class EventCompactionTimerFunction(DatasetGroupService groups, EventCompactor compactor, ILogger<EventCompactionTimerFunction> logger)
{
    [Function("eventCompactionTimer")]
    public async Task RunAsync([TimerTrigger("%EventCompactionSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
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
                        Log.Compacted(logger, group.Name, result.Events, result.Segment, result.RowsDeleted);
                    }
                }
                catch (InvalidOperationException e)
                {
                    Log.CompactionSkipped(logger, group.Name, e.Message);
                }
            }

            token = page.NextToken;
        }
        while (token is not null);
    }
}
