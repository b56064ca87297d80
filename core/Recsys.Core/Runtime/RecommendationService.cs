using System.Collections.Concurrent;
using Recsys.Core.Campaigns;
using Recsys.Core.Errors;
using Recsys.Core.Events;
using Recsys.Core.Resources;
using Recsys.Core.Solutions;

namespace Recsys.Core.Runtime;

/// <summary>One recommended item, with Personalize's fields.</summary>
/// <param name="ItemId">The item.</param>
/// <param name="Score">The model's score (null for items the model does not know).</param>
/// <param name="PromotionName">The promotion that placed it, if any.</param>
/// <param name="Metadata">Requested item metadata columns.</param>
/// <param name="Reason">Why it is there when that is not the model's ranking (exploration, filter fill, popularity).</param>
public sealed record RecommendedItem(
    string ItemId,
    double? Score,
    string? PromotionName = null,
    IReadOnlyDictionary<string, string>? Metadata = null,
    IReadOnlyList<string>? Reason = null);

/// <summary>A GetRecommendations / GetPersonalizedRanking answer.</summary>
/// <param name="ItemList">Items, best first.</param>
/// <param name="RecommendationId">Identifies this answer; send it back with PutEvents to attribute events to it.</param>
public sealed record RecommendationResult(IReadOnlyList<RecommendedItem> ItemList, string RecommendationId);

/// <summary>
/// The runtime API's use cases. A campaign's record and serving version are cached for a few seconds, models are
/// loaded once per instance and shared, and each request reads the user's recent events in one point read, so
/// that the last events change the next answer without retraining.
/// </summary>
public sealed class RecommendationService(
    CampaignService campaigns,
    SolutionModelLoader models,
    IEventStore events,
    TimeProvider time)
{
    /// <summary>Default <c>numResults</c>.</summary>
    public const int DefaultResults = 25;

    /// <summary>Largest <c>numResults</c>.</summary>
    public const int MaxResults = 500;

    /// <summary>Largest <c>inputList</c> of GetPersonalizedRanking.</summary>
    public const int MaxInputList = 500;

    private static readonly TimeSpan s_campaignTtl = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (Campaign Campaign, string VersionArn, DateTimeOffset Expires)> _campaigns = new(StringComparer.Ordinal);

    /// <summary>GetRecommendations: top items for a user, or items related to an item (for a user, when given).</summary>
    public async Task<RecommendationResult> GetRecommendationsAsync(
        string? campaignArn, string? userId, string? itemId, int? numResults, CancellationToken cancellationToken = default)
    {
        var count = numResults ?? DefaultResults;
        if (count is < 1 or > MaxResults)
        {
            throw new InvalidInputException("numResults", $"numResults must be between 1 and {MaxResults}.");
        }

        if (string.IsNullOrEmpty(userId) && string.IsNullOrEmpty(itemId))
        {
            throw new InvalidInputException("userId", "Give a userId, an itemId, or both.");
        }

        var (campaign, model) = await ServeAsync(campaignArn, cancellationToken);
        IReadOnlyList<ScoredId> scored;
        if (!string.IsNullOrEmpty(itemId))
        {
            scored = model.RelatedItems(itemId, count);
        }
        else
        {
            var recent = await RecentItemsAsync(campaign.DatasetGroup, userId!, cancellationToken);
            scored = model.Recommend(userId, recent, count);
        }

        return new RecommendationResult(scored.Select(s => new RecommendedItem(s.Id, s.Score)).ToArray(), NewRecommendationId());
    }

    /// <summary>GetPersonalizedRanking: the input items ordered for the user; unknown items last, without a score.</summary>
    public async Task<RecommendationResult> GetPersonalizedRankingAsync(
        string? campaignArn, string? userId, IReadOnlyList<string>? inputList, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(userId))
        {
            throw new InvalidInputException("userId", "userId is required.");
        }

        if (inputList is null || inputList.Count == 0 || inputList.Count > MaxInputList)
        {
            throw new InvalidInputException("inputList", $"inputList must have between 1 and {MaxInputList} items.");
        }

        var (campaign, model) = await ServeAsync(campaignArn, cancellationToken);
        var recent = await RecentItemsAsync(campaign.DatasetGroup, userId, cancellationToken);
        var ranked = model.Rank(userId, inputList, recent);
        return new RecommendationResult(ranked.Select(s => new RecommendedItem(s.Id, s.Score)).ToArray(), NewRecommendationId());
    }

    /// <summary>The campaign and the model it serves now.</summary>
    public async Task<(Campaign Campaign, SolutionModel Model)> ServeAsync(string? campaignArn, CancellationToken cancellationToken = default)
    {
        var name = ResourceArn.Resolve(Campaign.ResourceType, campaignArn, "campaignArn");
        var now = time.GetUtcNow();
        if (!_campaigns.TryGetValue(name, out var cached) || cached.Expires <= now)
        {
            var campaign = (await campaigns.DescribeAsync(name, cancellationToken)).Value;
            var version = await campaigns.ServingVersionArnAsync(campaign, cancellationToken);
            cached = (campaign, version, now + s_campaignTtl);
            _campaigns[name] = cached;
        }

        return (cached.Campaign, await models.LoadAsync(cached.VersionArn, cancellationToken));
    }

    private async Task<IReadOnlyList<string>> RecentItemsAsync(string datasetGroup, string userOrSession, CancellationToken cancellationToken)
    {
        var history = await events.GetHistoryAsync(datasetGroup, userOrSession, cancellationToken);
        return history.Events.Select(e => e.ItemId).ToArray();
    }

    private static string NewRecommendationId() => "RID-" + Guid.NewGuid().ToString("D");
}
