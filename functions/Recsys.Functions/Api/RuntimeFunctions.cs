using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Recsys.Core.Runtime;
using Recsys.Functions.Http;

namespace Recsys.Functions.Api;

/// <summary>
/// The runtime API with Personalize Runtime's routes and JSON: <c>POST /api/recommendations</c> (GetRecommendations)
/// and <c>POST /api/personalize-ranking</c> (GetPersonalizedRanking).
/// </summary>
[OpenApiTag("Runtime")]
internal sealed class RuntimeFunctions(RecommendationService service)
{
    [Function("GetRecommendations")]
    [OpenApiBody(typeof(GetRecommendationsRequest))]
    public async Task<Ok<RecommendationsResponse>> GetRecommendationsAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "recommendations")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<GetRecommendationsRequest>(cancellationToken);
        var result = await service.GetRecommendationsAsync(new RecommendationRequest
        {
            CampaignArn = body.CampaignArn ?? body.RecommenderArn,
            UserId = body.UserId,
            ItemId = body.ItemId,
            NumResults = body.NumResults,
            FilterArn = body.FilterArn,
            FilterValues = body.FilterValues,
            Promotions = body.Promotions?.Select(p => new Promotion(p.Name, p.PercentPromotedItems, p.FilterArn, p.FilterValues)).ToArray(),
            MetadataColumns = body.MetadataColumns,
        }, cancellationToken);
        return TypedResults.Ok(RecommendationsResponse.From(result));
    }

    [Function("GetPersonalizedRanking")]
    [OpenApiBody(typeof(GetPersonalizedRankingRequest))]
    public async Task<Ok<PersonalizedRankingResponse>> GetPersonalizedRankingAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "personalize-ranking")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<GetPersonalizedRankingRequest>(cancellationToken);
        var result = await service.GetPersonalizedRankingAsync(body.CampaignArn, body.UserId, body.InputList, body.FilterArn, body.FilterValues, cancellationToken);
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
