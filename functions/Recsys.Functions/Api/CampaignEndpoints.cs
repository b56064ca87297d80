using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Recsys.Core.Campaigns;
using Recsys.Core.Errors;

namespace Recsys.Functions.Api;

/// <summary>Manage API for campaigns: <c>/api/manage/campaigns</c>.</summary>
internal static class CampaignEndpoints
{
    public static RouteGroupBuilder MapCampaignEndpoints(this RouteGroupBuilder manage)
    {
        var group = manage.MapGroup("/campaigns").WithTags("Campaigns");
        group.MapPost("/", CreateAsync).WithName("CreateCampaign");
        group.MapGet("/", ListAsync).WithName("ListCampaigns");
        group.MapGet("/{campaign}", DescribeAsync).WithName("DescribeCampaign");
        group.MapPut("/{campaign}", UpdateAsync).WithName("UpdateCampaign");
        group.MapDelete("/{campaign}", DeleteAsync).WithName("DeleteCampaign");
        return group;
    }

    private static async Task<Created<CampaignArnResponse>> CreateAsync(CampaignRequest request, CampaignService service, CancellationToken cancellationToken)
    {
        var created = await service.CreateAsync(request.Name, request.SolutionVersionArn, request.MinProvisionedTps, request.CampaignConfig?.ToConfig(), cancellationToken);
        return TypedResults.Created($"/api/manage/campaigns/{created.Value.Name}", new CampaignArnResponse(created.Value.Arn));
    }

    private static async Task<Ok<CampaignArnResponse>> UpdateAsync(string campaign, CampaignRequest request, CampaignService service, CancellationToken cancellationToken)
    {
        var updated = await service.UpdateAsync(Uri.UnescapeDataString(campaign), request.SolutionVersionArn, request.MinProvisionedTps, request.CampaignConfig?.ToConfig(), cancellationToken);
        return TypedResults.Ok(new CampaignArnResponse(updated.Value.Arn));
    }

    private static async Task<Ok<DescribeCampaignResponse>> DescribeAsync(string campaign, CampaignService service, CancellationToken cancellationToken)
    {
        var stored = (await service.DescribeAsync(Uri.UnescapeDataString(campaign), cancellationToken)).Value;
        return TypedResults.Ok(new DescribeCampaignResponse(CampaignView.From(stored, await service.ServingVersionArnAsync(stored, cancellationToken))));
    }

    private static async Task<Ok<ListCampaignsResponse>> ListAsync(CampaignService service, string? solutionArn, int? maxResults, string? nextToken, CancellationToken cancellationToken)
    {
        var page = await service.ListAsync(solutionArn, maxResults, nextToken, cancellationToken);
        return TypedResults.Ok(new ListCampaignsResponse(page.Items.Select(c => CampaignView.From(c, null)).ToArray(), page.NextToken));
    }

    private static async Task<NoContent> DeleteAsync(string campaign, CampaignService service, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(Uri.UnescapeDataString(campaign), cancellationToken);
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
