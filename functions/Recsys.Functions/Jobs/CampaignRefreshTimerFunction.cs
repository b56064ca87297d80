using System.Text.Json.Nodes;
using Recsys.Core.Campaigns;
using Recsys.Core.Errors;
using Recsys.Core.Resources;
using Recsys.Functions.Invocation;

namespace Recsys.Functions.Jobs;

/// <summary>
/// <c>campaignRefreshTimer</c> (timer, <c>%CampaignRefreshSchedule%</c>): points each campaign with
/// <c>syncWithLatestSolutionVersion</c> at its solution's latest ACTIVE version through
/// <see cref="CampaignService.UpdateAsync"/>. Serving already follows that version as soon as it is ACTIVE; this makes
/// describe and list show it too. A campaign changed concurrently (412) or deleted meanwhile is left to the next run.
/// </summary>
internal sealed class CampaignRefreshTimerFunction(CampaignService campaigns) : IInvocationHandler
{
    public string FunctionName => "campaignRefreshTimer";

    public async Task<JsonNode?> InvokeAsync(InvocationContext context, CancellationToken cancellationToken)
    {
        var updated = new JsonArray();
        string? token = null;
        do
        {
            var page = await campaigns.ListAsync(null, Paging.MaxPageSize, token, cancellationToken);
            foreach (var campaign in page.Items.Where(c => c.Config.SyncWithLatestSolutionVersion))
            {
                try
                {
                    var latest = await campaigns.ServingVersionArnAsync(campaign, cancellationToken);
                    if (latest == campaign.SolutionVersionArn)
                    {
                        continue;
                    }

                    await campaigns.UpdateAsync(campaign.Name, latest, null, null, cancellationToken);
                    updated.Add(campaign.Arn);
                    context.Logs.Add($"campaign refresh: {campaign.Arn} now serves {latest} (was {campaign.SolutionVersionArn})");
                }
                catch (RecsysException e)
                {
                    context.Logs.Add($"campaign refresh: skipped {campaign.Arn}: {e.Message}");
                }
            }

            token = page.NextToken;
        }
        while (token is not null);

        return new JsonObject { ["updated"] = updated };
    }
}
