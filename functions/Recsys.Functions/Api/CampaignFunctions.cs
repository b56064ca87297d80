using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Recsys.Core.Campaigns;
using Recsys.Core.Errors;
using Recsys.Functions.Http;

namespace Recsys.Functions.Api;

/// <summary>Manage API for campaigns: <c>/api/manage/campaigns</c>.</summary>
[OpenApiTag("Campaigns")]
internal sealed class CampaignFunctions(CampaignService service)
{
    [Function("CreateCampaign")]
    [OpenApiBody(typeof(CampaignRequest))]
    public async Task<Created<CampaignArnResponse>> CreateAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "manage/campaigns")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<CampaignRequest>(cancellationToken);
        var created = await service.CreateAsync(body.Name, body.SolutionVersionArn, body.MinProvisionedTps, body.CampaignConfig?.ToConfig(), cancellationToken);
        return TypedResults.Created($"/api/manage/campaigns/{created.Value.Name}", new CampaignArnResponse(created.Value.Arn));
    }

    [Function("UpdateCampaign")]
    [OpenApiBody(typeof(CampaignRequest))]
    public async Task<Ok<CampaignArnResponse>> UpdateAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "put", Route = "manage/campaigns/{*campaign}")] HttpRequest request, string? campaign, CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<CampaignRequest>(cancellationToken);
        var updated = await service.UpdateAsync(RouteIdentifier.Decode(campaign), body.SolutionVersionArn, body.MinProvisionedTps, body.CampaignConfig?.ToConfig(), cancellationToken);
        return TypedResults.Ok(new CampaignArnResponse(updated.Value.Arn));
    }

    [Function("ListCampaigns")]
    [OpenApiQuery("solutionArn", typeof(string))]
    [OpenApiQuery("maxResults", typeof(int))]
    [OpenApiQuery("nextToken", typeof(string))]
    public async Task<Ok<ListCampaignsResponse>> ListAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/campaigns")] HttpRequest request, CancellationToken cancellationToken)
    {
        var page = await service.ListAsync(request.QueryString("solutionArn"), request.QueryInt("maxResults"), request.QueryString("nextToken"), cancellationToken);
        return TypedResults.Ok(new ListCampaignsResponse([.. page.Items.Select(c => CampaignView.From(c, null))], page.NextToken));
    }

    [Function("DescribeCampaign")]
    public async Task<Ok<DescribeCampaignResponse>> DescribeAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/campaigns/{*campaign}")] HttpRequest request, string? campaign, CancellationToken cancellationToken)
    {
        var stored = (await service.DescribeAsync(RouteIdentifier.Decode(campaign), cancellationToken)).Value;
        return TypedResults.Ok(new DescribeCampaignResponse(CampaignView.From(stored, await service.ServingVersionArnAsync(stored, cancellationToken))));
    }

    [Function("DeleteCampaign")]
    public async Task<NoContent> DeleteAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "manage/campaigns/{*campaign}")] HttpRequest request, string? campaign, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(RouteIdentifier.Decode(campaign), cancellationToken);
        return TypedResults.NoContent();
    }
}

/// <summary>CreateCampaign / UpdateCampaign body.</summary>
internal sealed record CampaignRequest(
    string? Name,
    string? SolutionVersionArn,
    [property: JsonPropertyName("minProvisionedTPS")] int? MinProvisionedTps,
    CampaignConfigJson? CampaignConfig);

/// <summary>Personalize's campaignConfig: itemExplorationConfig values are strings.</summary>
internal sealed record CampaignConfigJson(
    Dictionary<string, string>? ItemExplorationConfig,
    bool? EnableMetadataWithRecommendations,
    bool? SyncWithLatestSolutionVersion)
{
    public CampaignConfig ToConfig()
    {
        ItemExplorationConfig? exploration = null;
        if (ItemExplorationConfig is { } values)
        {
            exploration = new ItemExplorationConfig(
                Number(values, "explorationWeight") ?? 0.3,
                Number(values, "explorationItemAgeCutOff") ?? 30);
        }

        return new CampaignConfig(exploration, EnableMetadataWithRecommendations ?? false, SyncWithLatestSolutionVersion ?? false);
    }

    private static double? Number(Dictionary<string, string> values, string key)
    {
        if (!values.TryGetValue(key, out var text))
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidInputException($"campaignConfig.itemExplorationConfig.{key}", $"{key} must be a number, not '{text}'.");
    }

    public static CampaignConfigJson From(CampaignConfig config) => new(
        config.ItemExplorationConfig is { } e
            ? new Dictionary<string, string>
            {
                ["explorationWeight"] = e.ExplorationWeight.ToString(CultureInfo.InvariantCulture),
                ["explorationItemAgeCutOff"] = e.ExplorationItemAgeCutOff.ToString(CultureInfo.InvariantCulture),
            }
            : null,
        config.EnableMetadataWithRecommendations,
        config.SyncWithLatestSolutionVersion);
}

internal sealed record CampaignArnResponse(string CampaignArn);

internal sealed record DescribeCampaignResponse(CampaignView Campaign);

internal sealed record ListCampaignsResponse(IReadOnlyList<CampaignView> Campaigns, string? NextToken);

internal sealed record CampaignView(
    string Name, string CampaignArn, string SolutionVersionArn, string? ServingSolutionVersionArn,
    [property: JsonPropertyName("minProvisionedTPS")] int MinProvisionedTps,
    CampaignConfigJson CampaignConfig, string Status, string? FailureReason, DateTimeOffset CreationDateTime, DateTimeOffset LastUpdatedDateTime)
{
    public static CampaignView From(Campaign c, string? serving) => new(
        c.Name, c.Arn, c.SolutionVersionArn, serving, c.MinProvisionedTps, CampaignConfigJson.From(c.Config), c.State.Status, c.State.FailureReason,
        c.State.CreationDateTime, c.State.LastUpdatedDateTime);
}
