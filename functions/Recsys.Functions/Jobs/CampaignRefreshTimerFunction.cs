using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Recsys.Core.Campaigns;
using Recsys.Core.Errors;
using Recsys.Core.Resources;

namespace Recsys.Functions.Jobs;

/// <summary>
/// <c>campaignRefreshTimer</c> (timer, <c>%CampaignRefreshSchedule%</c>): points each campaign with
/// <c>syncWithLatestSolutionVersion</c> at its solution's latest ACTIVE version through
/// <see cref="CampaignService.UpdateAsync"/>. Serving already follows that version as soon as it is ACTIVE; this makes
/// describe and list show it too. A campaign changed concurrently (412) or deleted meanwhile is left to the next run.
/// </summary>
internal sealed class CampaignRefreshTimerFunction(CampaignService campaigns, ILogger<CampaignRefreshTimerFunction> logger)
{
    [Function("campaignRefreshTimer")]
    public async Task RunAsync([TimerTrigger("%CampaignRefreshSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
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
                    Log.CampaignRefreshed(logger, campaign.Arn, latest, campaign.SolutionVersionArn);
                }
                catch (RecsysException e)
                {
                    Log.CampaignRefreshSkipped(logger, campaign.Arn, e.Message);
                }
            }

            token = page.NextToken;
        }
        while (token is not null);
    }
}
