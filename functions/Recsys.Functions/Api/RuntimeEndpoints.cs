using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Recsys.Core.Runtime;

namespace Recsys.Functions.Api;

/// <summary>
/// The runtime API with Personalize Runtime's routes and JSON: <c>POST /api/recommendations</c> (GetRecommendations)
/// and <c>POST /api/personalize-ranking</c> (GetPersonalizedRanking).
/// </summary>
internal static class RuntimeEndpoints
{
    public static void MapRuntimeEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapPost("/recommendations", GetRecommendationsAsync).WithTags("Runtime").WithName("GetRecommendations");
        api.MapPost("/personalize-ranking", GetPersonalizedRankingAsync).WithTags("Runtime").WithName("GetPersonalizedRanking");
    }

    private static async Task<Ok<RecommendationsResponse>> GetRecommendationsAsync(GetRecommendationsRequest request, RecommendationService service, CancellationToken cancellationToken)
    {
        var result = await service.GetRecommendationsAsync(new RecommendationRequest
        {
            CampaignArn = request.CampaignArn ?? request.RecommenderArn,
            UserId = request.UserId,
            ItemId = request.ItemId,
            NumResults = request.NumResults,
            FilterArn = request.FilterArn,
            FilterValues = request.FilterValues,
            Promotions = request.Promotions?.Select(p => new Promotion(p.Name, p.PercentPromotedItems, p.FilterArn, p.FilterValues)).ToArray(),
            MetadataColumns = request.MetadataColumns,
        }, cancellationToken);
        return TypedResults.Ok(RecommendationsResponse.From(result));
    }

    private static async Task<Ok<PersonalizedRankingResponse>> GetPersonalizedRankingAsync(GetPersonalizedRankingRequest request, RecommendationService service, CancellationToken cancellationToken)
    {
        var result = await service.GetPersonalizedRankingAsync(request.CampaignArn, request.UserId, request.InputList, request.FilterArn, request.FilterValues, cancellationToken);
        return TypedResults.Ok(new PersonalizedRankingResponse(RecommendationsResponse.From(result).ItemList, result.RecommendationId));
    }
}

internal sealed record PromotionJson(string? Name, int? PercentPromotedItems, string? FilterArn, Dictionary<string, string>? FilterValues);

internal sealed record GetRecommendationsRequest(
    string? CampaignArn,
    string? RecommenderArn,
    string? UserId,
    string? ItemId,
    int? NumResults,
    Dictionary<string, string>? Context,
    string? FilterArn,
    Dictionary<string, string>? FilterValues,
    IReadOnlyList<PromotionJson>? Promotions,
    Dictionary<string, IReadOnlyList<string>>? MetadataColumns);

internal sealed record GetPersonalizedRankingRequest(
    string? CampaignArn,
    string? UserId,
    IReadOnlyList<string>? InputList,
    Dictionary<string, string>? Context,
    string? FilterArn,
    Dictionary<string, string>? FilterValues,
    Dictionary<string, IReadOnlyList<string>>? MetadataColumns);

internal sealed record PredictedItem(
    string ItemId,
    double? Score,
    string? PromotionName,
    IReadOnlyDictionary<string, string>? Metadata,
    IReadOnlyList<string>? Reason);

internal sealed record RecommendationsResponse(IReadOnlyList<PredictedItem> ItemList, string RecommendationId)
{
    public static RecommendationsResponse From(RecommendationResult result) => new(
        result.ItemList.Select(i => new PredictedItem(i.ItemId, i.Score, i.PromotionName, i.Metadata, i.Reason)).ToArray(),
        result.RecommendationId);
}

internal sealed record PersonalizedRankingResponse(
    [property: JsonPropertyName("personalizedRanking")] IReadOnlyList<PredictedItem> PersonalizedRanking,
    string RecommendationId);
