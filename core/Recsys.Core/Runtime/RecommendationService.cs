using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Recsys.Algorithms;
using Recsys.Core.Campaigns;
using Recsys.Core.Errors;
using Recsys.Core.Events;
using Recsys.Core.Filters;
using Recsys.Core.Resources;
using Recsys.Core.Solutions;
using Recsys.Core.Telemetry;

namespace Recsys.Core.Runtime;

/// <summary>One recommended item, with Personalize's fields.</summary>
/// <param name="ItemId">The item.</param>
/// <param name="Score">The model's score (null for items the model does not know).</param>
/// <param name="PromotionName">The promotion that placed it, if any.</param>
/// <param name="Metadata">Requested item metadata columns.</param>
/// <param name="Reason">Why it is there when that is not the model's ranking (exploration, filter fill, promotion).</param>
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

/// <summary>A promotion: a share of the results taken from items that pass its own filter.</summary>
/// <param name="Name">Returned as <c>promotionName</c> on the items it placed.</param>
/// <param name="PercentPromotedItems">1–100: the share of results.</param>
/// <param name="FilterArn">The filter that selects promoted items.</param>
/// <param name="FilterValues">That filter's parameters.</param>
public sealed record Promotion(string? Name, int? PercentPromotedItems, string? FilterArn, IReadOnlyDictionary<string, string>? FilterValues);

/// <summary>A GetRecommendations request.</summary>
public sealed record RecommendationRequest
{
    /// <summary>Campaign name or ARN.</summary>
    public string? CampaignArn { get; init; }

    /// <summary>The user (or anonymous session id).</summary>
    public string? UserId { get; init; }

    /// <summary>The item for related items.</summary>
    public string? ItemId { get; init; }

    /// <summary>How many items (default 25, at most 500; 50 with metadata).</summary>
    public int? NumResults { get; init; }

    /// <summary>Filter name or ARN.</summary>
    public string? FilterArn { get; init; }

    /// <summary>The filter's parameters.</summary>
    public IReadOnlyDictionary<string, string>? FilterValues { get; init; }

    /// <summary>At most one promotion.</summary>
    public IReadOnlyList<Promotion>? Promotions { get; init; }

    /// <summary>Metadata columns to return, by dataset (<c>ITEMS</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? MetadataColumns { get; init; }
}

/// <summary>
/// The runtime API's use cases. A campaign's record and serving version are cached for a few seconds, models are
/// loaded once per instance and shared, and each request reads the user's recent events (at most one point read), so
/// that the last events change the next answer without retraining. Filters run over a bounded candidate list and are
/// filled with popular items that pass them; new items get exploration slots; one promotion may take a share.
/// Each answered request counts in <c>recsys.recommendations</c>.
/// </summary>
/// <param name="campaigns">Campaign records.</param>
/// <param name="models">Loads and caches models.</param>
/// <param name="events">Users' recent events.</param>
/// <param name="filters">Filter records.</param>
/// <param name="catalogs">Item catalogues (metadata, creation times).</param>
/// <param name="interactions">Users' interactions by event type, for filters.</param>
/// <param name="time">Clock.</param>
/// <param name="metrics">Where serving metrics go; <see cref="RecsysMetrics.Default"/> when null.</param>
public sealed class RecommendationService(
    CampaignService campaigns,
    SolutionModelLoader models,
    IEventStore events,
    FilterService filters,
    ItemCatalogs catalogs,
    UserInteractionIndexes interactions,
    TimeProvider time,
    RecsysMetrics? metrics = null)
{
    private readonly RecsysMetrics _metrics = metrics ?? RecsysMetrics.Default;

    /// <summary>Default <c>numResults</c>.</summary>
    public const int DefaultResults = 25;

    /// <summary>Largest <c>numResults</c>.</summary>
    public const int MaxResults = 500;

    /// <summary>Largest <c>numResults</c> when metadata is asked for.</summary>
    public const int MaxResultsWithMetadata = 50;

    /// <summary>Largest <c>inputList</c> of GetPersonalizedRanking.</summary>
    public const int MaxInputList = 500;

    /// <summary>Reason given to items placed by exploration.</summary>
    public const string ExplorationReason = "Exploration: new item";

    /// <summary>Reason given to items placed by a promotion.</summary>
    public const string PromotionReason = "Promoted item";

    private static readonly TimeSpan s_cacheTtl = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (Campaign Campaign, string VersionArn, DateTimeOffset Expires)> _campaigns = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (Filter Filter, DateTimeOffset Expires)> _filters = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<ItemCatalog, ConcurrentDictionary<string, CompiledFilter>> _compiled = [];

    /// <summary>GetRecommendations: top items for a user, or items related to an item (for a user, when given).</summary>
    public async Task<RecommendationResult> GetRecommendationsAsync(RecommendationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Validate(request);
        var (campaign, model) = await ServeAsync(request.CampaignArn, cancellationToken);
        return await GetRecommendationsAsync(campaign, model, request, cancellationToken);
    }

    /// <summary>
    /// GetRecommendations against a given deployment: <paramref name="campaign"/> (which may be a transient one
    /// that no table holds, as batch jobs use) serving <paramref name="model"/>; <see cref="RecommendationRequest.CampaignArn"/> is ignored.
    /// </summary>
    public async Task<RecommendationResult> GetRecommendationsAsync(Campaign campaign, SolutionModel model, RecommendationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(request);
        var (count, metadataColumns) = Validate(request);
        if (metadataColumns is not null && !campaign.Config.EnableMetadataWithRecommendations)
        {
            throw new InvalidInputException("metadataColumns", $"The campaign '{campaign.Name}' does not return metadata: update it with enableMetadataWithRecommendations.");
        }

        var (userId, history) = await HistoryAsync(campaign, request.UserId, cancellationToken);
        request = request with { UserId = userId };
        var needsCatalog = request.FilterArn is not null || request.Promotions is { Count: > 0 } || metadataColumns is not null || campaign.Config.ItemExplorationConfig is not null;
        var catalog = needsCatalog ? await catalogs.GetAsync(campaign.DatasetGroup, model, cancellationToken) : null;
        if (metadataColumns is not null)
        {
            catalog!.EnsureMetadataColumns(metadataColumns);
        }

        var filter = request.FilterArn is null ? null : await BindAsync(campaign, catalog!, request.FilterArn, request.FilterValues, "filterValues", request.UserId, request.ItemId, history, cancellationToken);
        FilterPredicate? promotionFilter = null;
        var promotion = request.Promotions is { Count: 1 } ? request.Promotions[0] : null;
        if (promotion is not null)
        {
            if (promotion.PercentPromotedItems is not (>= 1 and <= 100))
            {
                throw new InvalidInputException("promotions[0].percentPromotedItems", "percentPromotedItems must be between 1 and 100.");
            }

            promotionFilter = await BindAsync(campaign, catalog!, promotion.FilterArn ?? throw new InvalidInputException("promotions[0].filterArn", "A promotion needs a filterArn."),
                promotion.FilterValues, "promotions[0].filterValues", request.UserId, request.ItemId, history, cancellationToken);
        }

        var items = Recommend(model, catalog, campaign, request.UserId, request.ItemId, history, count, filter, promotion, promotionFilter, metadataColumns, time);
        _metrics.RecommendationServed("recommendations", campaign.Name);
        return new RecommendationResult(items, NewRecommendationId());
    }

    /// <summary>
    /// The part of GetRecommendations after every read: scores the catalogue for the user (or item), then ranks,
    /// filters, fills, explores, promotes and adds metadata. No I/O; the in-process serving benchmark measures it.
    /// </summary>
    internal static RecommendedItem[] Recommend(
        SolutionModel model, ItemCatalog? catalog, Campaign campaign, string? userId, string? itemId, IReadOnlyList<HistoryEvent> history, int count,
        FilterPredicate? filter, Promotion? promotion, FilterPredicate? promotionFilter, string[]? metadataColumns, TimeProvider time)
    {
        var scores = ArrayPool<float>.Shared.Rent(model.ItemCount);
        try
        {
            var span = scores.AsSpan(0, model.ItemCount);
            var exclude = !string.IsNullOrEmpty(itemId)
                ? model.ScoreRelated(itemId, span)
                : model.ScoreAll(userId, history.Select(e => e.ItemId).ToArray(), span);
            foreach (var item in exclude)
            {
                span[item] = float.NaN;
            }

            var items = Select(model, catalog, campaign, scores, count, filter, promotion, promotionFilter, time);
            return items.Select(i => metadataColumns is null ? i : i with { Metadata = catalog!.Metadata(i.ItemId, metadataColumns) }).ToArray();
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    /// <summary>GetPersonalizedRanking: the input items ordered for the user; unknown items last, without a score.</summary>
    public async Task<RecommendationResult> GetPersonalizedRankingAsync(
        string? campaignArn, string? userId, IReadOnlyList<string>? inputList, string? filterArn = null,
        IReadOnlyDictionary<string, string>? filterValues = null, CancellationToken cancellationToken = default)
    {
        ValidateRanking(userId, inputList);

        var (campaign, model) = await ServeAsync(campaignArn, cancellationToken);
        return await GetPersonalizedRankingAsync(campaign, model, userId, inputList, filterArn, filterValues, cancellationToken);
    }

    /// <summary>GetPersonalizedRanking against a given deployment (see the GetRecommendations overload that takes one).</summary>
    public async Task<RecommendationResult> GetPersonalizedRankingAsync(
        Campaign campaign, SolutionModel model, string? userId, IReadOnlyList<string>? inputList, string? filterArn = null,
        IReadOnlyDictionary<string, string>? filterValues = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        ArgumentNullException.ThrowIfNull(model);
        ValidateRanking(userId, inputList);

        (var known, var history) = await HistoryAsync(campaign, userId, cancellationToken);
        var ranked = model.Rank(known, inputList, history.Select(e => e.ItemId).ToArray());
        if (filterArn is not null)
        {
            var catalog = await catalogs.GetAsync(campaign.DatasetGroup, model, cancellationToken);
            var predicate = await BindAsync(campaign, catalog, filterArn, filterValues, "filterValues", known, null, history, cancellationToken);
            ranked = ranked.Where(s => catalog.Items is null || !catalog.Items.TryGetIndex(s.Id, out var row) || predicate.Matches(row)).ToArray();
        }

        _metrics.RecommendationServed("ranking", campaign.Name);
        return new RecommendationResult(ranked.Select(s => new RecommendedItem(s.Id, s.Score)).ToArray(), NewRecommendationId());
    }

    /// <summary>
    /// The user's real-time history (at most one point read), and the user id to serve with: null for a user a data deletion
    /// job removed, so that nothing a model or the imported data knew of them counts — only events sent since.
    /// </summary>
    private async Task<(string? UserId, IReadOnlyList<HistoryEvent> History)> HistoryAsync(Campaign campaign, string? userId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(userId))
        {
            return (userId, []);
        }

        var history = await events.GetHistoryAsync(campaign.DatasetGroup, userId, cancellationToken);
        return (history.DeletedAt is null ? userId : null, history.Events);
    }

    internal static void ValidateRanking([NotNull] string? userId, [NotNull] IReadOnlyList<string>? inputList)
    {
        if (string.IsNullOrEmpty(userId))
        {
            throw new InvalidInputException("userId", "userId is required.");
        }

        CheckId("userId", userId);
        if (inputList is null || inputList.Count == 0 || inputList.Count > MaxInputList)
        {
            throw new InvalidInputException("inputList", $"inputList must have between 1 and {MaxInputList} items.");
        }

        for (var i = 0; i < inputList.Count; i++)
        {
            CheckId($"inputList[{i}]", inputList[i]);
        }
    }

    /// <summary>The events API's id rule (<see cref="Data.RecordIds"/>) for ids in runtime requests.</summary>
    private static void CheckId(string field, string? id)
    {
        if (id is not null && Data.RecordIds.Problem(field, id) is { } problem)
        {
            throw new InvalidInputException(field, problem);
        }
    }

    internal static (int Count, string[]? MetadataColumns) Validate(RecommendationRequest request)
    {
        var count = request.NumResults ?? DefaultResults;
        var metadataColumns = MetadataColumns(request.MetadataColumns);
        var limit = metadataColumns is null ? MaxResults : MaxResultsWithMetadata;
        if (count < 1 || count > limit)
        {
            throw new InvalidInputException("numResults", $"numResults must be between 1 and {limit}{(metadataColumns is null ? string.Empty : " when metadata is requested")}.");
        }

        if (string.IsNullOrEmpty(request.UserId) && string.IsNullOrEmpty(request.ItemId))
        {
            throw new InvalidInputException("userId", "Give a userId, an itemId, or both.");
        }

        CheckId("userId", request.UserId is { Length: > 0 } ? request.UserId : null);
        CheckId("itemId", request.ItemId is { Length: > 0 } ? request.ItemId : null);

        if (request.Promotions is { Count: > 1 })
        {
            throw new InvalidInputException("promotions", "At most one promotion per request.");
        }

        return (count, metadataColumns);
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
            cached = (campaign, version, now + s_cacheTtl);
            _campaigns[name] = cached;
        }

        return (cached.Campaign, await models.LoadAsync(cached.VersionArn, cancellationToken));
    }

    private static List<RecommendedItem> Select(
        SolutionModel model, ItemCatalog? catalog, Campaign campaign, float[] scores, int count,
        FilterPredicate? filter, Promotion? promotion, FilterPredicate? promotionFilter, TimeProvider time)
    {
        // Bounded work: rank a candidate pool a few times larger than asked, filter it, and fill from popularity.
        // Without a filter or a promotion nothing is taken out of the pool, so the list itself is all that is ranked.
        var pool = Math.Min(model.ItemCount, filter is null && promotion is null ? count : (count * 4) + 50);
        var candidates = TopKSelector.Select(scores.AsSpan(0, model.ItemCount), pool).Select(s => s.Item).ToArray();
        var chosen = new List<RecommendedItem>(count);
        var used = new HashSet<int>();

        var promoted = new List<int>();
        if (promotion is not null)
        {
            var wanted = (int)Math.Ceiling(count * promotion.PercentPromotedItems!.Value / 100.0);
            var picked = new int[wanted];
            var found = promotionFilter!.Select(candidates, picked, out _);
            if (found < wanted)
            {
                found = FilterFill.Fill(picked.AsSpan(0, found).ToArray(), PopularExcept(model, scores, pool * 4), promotionFilter, picked).Count;
            }

            promoted.AddRange(picked.AsSpan(0, found).ToArray());
            used.UnionWith(promoted);
        }

        var regularCount = count - promoted.Count;
        var regular = new int[regularCount];
        var ranked = filter is null ? Copy(candidates, regular, used) : filter.Select(candidates.Where(c => !used.Contains(c)).ToArray(), regular, out _);
        var fillFrom = int.MaxValue;
        if (ranked < regularCount)
        {
            var fill = FilterFill.Fill(regular.AsSpan(0, ranked).ToArray(), PopularExcept(model, scores, pool * 4).Where(p => !used.Contains(p)).ToArray(), filter, regular);
            fillFrom = fill.RankedCount;
            ranked = fill.Count;
        }

        var regularItems = regular.AsSpan(0, ranked).ToArray().Select((item, position) => new RecommendedItem(
            model.ItemIds[item], Score(scores, item), Reason: position >= fillFrom ? [FilterFill.PopularItemReason] : null)).ToList();
        used.UnionWith(regular.AsSpan(0, ranked).ToArray());

        Explore(model, catalog, campaign, scores, regularItems, used, filter, time);

        // Promoted items are spread evenly through the list.
        chosen.AddRange(regularItems);
        for (var i = 0; i < promoted.Count; i++)
        {
            var position = Math.Min(chosen.Count, (int)((i + 0.5) * count / promoted.Count));
            chosen.Insert(position, new RecommendedItem(model.ItemIds[promoted[i]], Score(scores, promoted[i]), promotion!.Name, Reason: [PromotionReason]));
        }

        return chosen.Take(count).ToList();
    }

    /// <summary>
    /// Gives new items (created within the campaign's cut-off) a share of the slots — <c>explorationWeight / 2</c> of
    /// the list, from the bottom up — preferring those with the fewest interactions, then the best scored.
    /// </summary>
    private static void Explore(SolutionModel model, ItemCatalog? catalog, Campaign campaign, float[] scores, List<RecommendedItem> items, HashSet<int> used, FilterPredicate? filter, TimeProvider time)
    {
        if (campaign.Config.ItemExplorationConfig is not { } exploration || catalog?.Items is null || exploration.ExplorationWeight <= 0
            || !campaign.Recipe.Contains("personalization", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var slots = (int)Math.Round(items.Count * exploration.ExplorationWeight / 2);
        if (slots == 0)
        {
            return;
        }

        // Candidates are the catalogue's new items: those the model knows (with their scores) and those it has never
        // seen — items in the Items dataset without interactions, or sent with PutItems since training.
        var cutoff = time.GetUtcNow().ToUnixTimeSeconds() - (exploration.ExplorationItemAgeCutOff * 86_400);
        var fresh = new List<(int Item, float Interactions, float Score)>();
        var (newest, createdAt) = catalog.NewestFirst;
        for (var i = 0; i < newest.Length && createdAt[i] >= cutoff; i++)
        {
            var row = newest[i];
            var known = row < model.ItemCount;
            if ((known && (used.Contains(row) || float.IsNaN(scores[row]))) || (filter is not null && !filter.Matches(row)))
            {
                continue;
            }

            fresh.Add((row, known ? model.Popularity(row) : 0f, known ? scores[row] : float.NegativeInfinity));
        }

        var picks = fresh.OrderBy(f => f.Interactions).ThenByDescending(f => f.Score).Take(slots).ToArray();
        for (var i = 0; i < picks.Length; i++)
        {
            var position = items.Count - 1 - (i * 2);
            if (position < 0)
            {
                break;
            }

            var pick = picks[i];
            items[position] = pick.Item < model.ItemCount
                ? new RecommendedItem(model.ItemIds[pick.Item], pick.Score, Reason: [ExplorationReason])
                : new RecommendedItem(catalog.Items.IdAt(pick.Item), null, Reason: [ExplorationReason]);
            used.Add(picks[i].Item);
        }
    }

    private async Task<FilterPredicate> BindAsync(
        Campaign campaign, ItemCatalog catalog, string filterArn, IReadOnlyDictionary<string, string>? values, string valuesField,
        string? userId, string? itemId, IReadOnlyList<HistoryEvent> history, CancellationToken cancellationToken)
    {
        var filter = await FilterAsync(filterArn, cancellationToken);
        if (filter.DatasetGroup != campaign.DatasetGroup)
        {
            throw new InvalidInputException("filterArn", $"The filter '{filter.Name}' belongs to the dataset group '{filter.DatasetGroup}', not '{campaign.DatasetGroup}'.");
        }

        var compiled = _compiled.GetValue(catalog, _ => new ConcurrentDictionary<string, CompiledFilter>(StringComparer.Ordinal))
            .GetOrAdd(filter.Name + "|" + filter.State.LastUpdatedDateTime.UtcTicks, _ => CompiledFilter.Compile(filter.Parse(), new FilterData(catalog.Items ?? EmptyIndex(), catalog.Users)));
        // Interaction conditions see the user's most recent events per type: real-time ones first, then imported ones.
        var imported = compiled.Expression.UsesInteractions && userId is not null
            ? (await interactions.GetAsync(campaign.DatasetGroup, cancellationToken)).Recent(userId)
            : null;
        try
        {
            return Bind(compiled, values, userId, itemId, history, imported);
        }
        catch (InvalidInputException e) when (valuesField != "filterValues")
        {
            throw new InvalidInputException(e.Message, e.Errors.ToDictionary(p => p.Key.Replace("filterValues", valuesField, StringComparison.Ordinal), p => p.Value));
        }
    }

    /// <summary>
    /// Binds a compiled filter to one request: its parameters, user, item and recent interactions — the real-time
    /// <paramref name="history"/> (newest last) in front of the <paramref name="imported"/> ones (newest first).
    /// </summary>
    internal static FilterPredicate Bind(
        CompiledFilter compiled, IReadOnlyDictionary<string, string>? values, string? userId, string? itemId, IReadOnlyList<HistoryEvent> history,
        IEnumerable<(string ItemId, string EventType)>? imported = null)
        => compiled.Bind(new FilterRequest
        {
            FilterValues = values,
            UserId = userId,
            CurrentItemId = itemId,
            Interactions = new RecentInteractions(history.Reverse().Select(e => (e.ItemId, e.EventType)).Concat(imported ?? [])),
        });

    private async Task<Filter> FilterAsync(string filterArn, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_filters.TryGetValue(filterArn, out var cached) && cached.Expires > now)
        {
            return cached.Filter;
        }

        var filter = (await filters.DescribeAsync(filterArn, cancellationToken)).Value;
        _filters[filterArn] = (filter, now + s_cacheTtl);
        return filter;
    }

    private static InMemoryAttributeIndex EmptyIndex() => new AttributeIndexBuilder("ITEM_ID").Build();

    private static int[] PopularExcept(SolutionModel model, float[] scores, int limit)
    {
        var result = new List<int>(Math.Min(limit, model.ItemCount));
        foreach (var item in model.PopularOrder)
        {
            if (!float.IsNaN(scores[item]))
            {
                result.Add(item);
                if (result.Count == limit)
                {
                    break;
                }
            }
        }

        return [.. result];
    }

    private static int Copy(int[] candidates, int[] destination, HashSet<int> used)
    {
        var n = 0;
        foreach (var c in candidates)
        {
            if (n == destination.Length)
            {
                break;
            }

            if (!used.Contains(c))
            {
                destination[n++] = c;
            }
        }

        return n;
    }

    private static double? Score(float[] scores, int item) => float.IsNaN(scores[item]) ? null : scores[item];

    private static string[]? MetadataColumns(IReadOnlyDictionary<string, IReadOnlyList<string>>? requested)
    {
        if (requested is null || requested.Count == 0)
        {
            return null;
        }

        foreach (var key in requested.Keys)
        {
            if (!string.Equals(key, "ITEMS", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidInputException("metadataColumns", $"Only ITEMS metadata can be returned, not {key}.");
            }
        }

        return requested.Values.SelectMany(v => v).Distinct(StringComparer.Ordinal).ToArray();
    }

    private static string NewRecommendationId() => "RID-" + Guid.NewGuid().ToString("D");
}
