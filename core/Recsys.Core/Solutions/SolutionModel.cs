using System.Text;
using Recsys.Algorithms;
using Recsys.Algorithms.Data;
using Recsys.Algorithms.Factorization;
using Recsys.Algorithms.Serialization;

namespace Recsys.Core.Solutions;

/// <summary>An item (or user) with its score.</summary>
/// <param name="Id">Item or user id.</param>
/// <param name="Score">Model score (higher is better); null for items the model does not know.</param>
public sealed record ScoredId(string Id, double? Score);

/// <summary>
/// A trained solution version ready to serve: the model, the id maps, every training user's history (so that a
/// known user's recommendations need no other read), item popularity (the fallback for users and items without
/// data), item tokens, and the learned ranker for personalized-ranking. Real-time events are passed as recent item
/// ids and join the stored history, so they change the next recommendation without retraining. Thread-safe.
/// </summary>
public sealed class SolutionModel
{
    /// <summary>Version of the artifact layout written by <see cref="Write(Stream)"/> (version 1, without the recency boost, is still read).</summary>
    public const int FormatVersion = 2;

    private static ReadOnlySpan<byte> Magic => "RSYSSOLN"u8;

    private readonly string[] _userIds;
    private readonly string[] _itemIds;
    private readonly Dictionary<string, int> _users;
    private readonly Dictionary<string, int> _items;
    private readonly InteractionMatrix _history;
    private readonly float[] _popularity;
    private readonly int[] _tokenOffsets;
    private readonly int[] _tokenIds;
    private readonly string[] _tokens;
    private readonly RankingFeatures? _features;
    private readonly ILearnedRanker? _ranker;
    private readonly RecencyBoost _recency;
    private readonly byte[]? _ranks;
    private readonly float[] _multipliers;
    private int[]? _popularOrder;

    private SolutionModel(
        string recipe, string[] userIds, string[] itemIds, InteractionMatrix history, float[] popularity, RecommenderModel model,
        int[] tokenOffsets, int[] tokenIds, string[] tokens, RankingFeatures? features, ILearnedRanker? ranker, RecencyBoost recency, byte[]? ranks)
    {
        if (recency.IsActive && (ranks is null || ranks.Length != history.NonZeroCount))
        {
            throw new InvalidDataException("A recency boost needs the recency rank of every stored interaction.");
        }

        Recipe = recipe;
        _userIds = userIds;
        _itemIds = itemIds;
        _users = Index(userIds);
        _items = Index(itemIds);
        _history = history;
        _popularity = popularity;
        Model = model;
        _tokenOffsets = tokenOffsets;
        _tokenIds = tokenIds;
        _tokens = tokens;
        _features = features;
        _ranker = ranker;
        _recency = recency;
        _ranks = recency.IsActive ? ranks : null;
        _multipliers = [.. Enumerable.Range(0, RecencyBoost.MaxRank + 1).Select(recency.Multiplier)];
    }

    /// <summary>The recipe the model was trained with.</summary>
    public string Recipe { get; }

    /// <summary>The underlying scoring model.</summary>
    public RecommenderModel Model { get; }

    /// <summary>Number of users seen in training.</summary>
    public int UserCount => _userIds.Length;

    /// <summary>Whether the model keeps item metadata tokens (recipes that read the Items dataset), which attribute queries need.</summary>
    public bool HasItemAttributes => _tokens.Length > 0;

    /// <summary>Number of items in the catalogue.</summary>
    public int ItemCount => _itemIds.Length;

    /// <summary>The boost of a user's latest interactions applied to their history (<see cref="RecencyBoost.None"/> for most models).</summary>
    public RecencyBoost Recency => _recency;

    /// <summary>Whether a learned ranker re-orders <see cref="Rank"/> results.</summary>
    public bool HasRanker => _ranker is not null;

    /// <summary>Item ids by model index.</summary>
    public IReadOnlyList<string> ItemIds => _itemIds;

    /// <summary>The model index of an item, when the model knows it.</summary>
    public bool TryGetItem(string itemId, out int index) => _items.TryGetValue(itemId, out index);

    /// <summary>Interactions of an item in the training data.</summary>
    public float Popularity(int item) => _popularity[item];

    /// <summary>Item indexes from most to least popular (ties by index); computed once.</summary>
    public IReadOnlyList<int> PopularOrder => _popularOrder ??= [.. Enumerable.Range(0, ItemCount).OrderByDescending(i => _popularity[i]).ThenBy(i => i)];

    /// <summary>
    /// Scores every item for a user (training history plus <paramref name="recentItemIds"/>) into <paramref name="scores"/>
    /// — popularity when there is no history — and returns the history's item indexes, which callers exclude.
    /// </summary>
    public int[] ScoreAll(string? userId, IReadOnlyList<string>? recentItemIds, Span<float> scores)
    {
        var (items, weights) = History(userId, recentItemIds);
        ScoreHistory(items, weights, scores);
        return items;
    }

    /// <summary>Scores every item by its relation to <paramref name="itemId"/> (popularity for an unknown item); returns the item's index, or none.</summary>
    public int[] ScoreRelated(string itemId, Span<float> scores)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        int[] history = _items.TryGetValue(itemId, out var item) ? [item] : [];
        ScoreHistory(history, history.Length == 0 ? [] : [1f], scores);
        return history;
    }

    private void ScoreHistory(int[] items, float[] weights, Span<float> scores)
    {
        if (items.Length == 0)
        {
            _popularity.CopyTo(scores);
        }
        else
        {
            Model.Score(items, weights, scores);
        }
    }

    /// <summary>Builds the served model from a training run's outcome.</summary>
    public static SolutionModel Create(string recipe, TrainingDataset data, TrainingOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(outcome);
        var counts = data.Matrix.ItemUserCounts();
        var features = outcome.Ranker is null ? null : new RankingFeatures(data.Matrix, data.ItemTokenOffsets, data.ItemTokenIds);
        return new SolutionModel(
            recipe, [.. data.UserIds], [.. data.ItemIds], data.Matrix, [.. counts.Select(c => (float)c)], outcome.Model,
            data.ItemTokenOffsets, data.ItemTokenIds, data.Tokens, features, outcome.Ranker, outcome.Recency, outcome.RecencyRanks);
    }

    /// <summary>
    /// Top <paramref name="count"/> items for a user: the user's training history plus <paramref name="recentItemIds"/>
    /// (events since training) scored by the model, history excluded. A user with no known history gets the most
    /// popular items.
    /// </summary>
    public IReadOnlyList<ScoredId> Recommend(string? userId, IReadOnlyList<string>? recentItemIds, int count)
    {
        var (items, weights) = History(userId, recentItemIds);
        return RecommendIndices(items, weights, count);
    }

    /// <summary>Top <paramref name="count"/> items for a history of item ids (e.g. an anonymous session).</summary>
    public IReadOnlyList<ScoredId> RecommendForHistory(IReadOnlyList<string> itemIds, int count)
        => Recommend(null, itemIds, count);

    /// <summary>
    /// Items related to <paramref name="itemId"/> (the model's scores for a history of that one item), itself left
    /// out; popular items for an item the model does not know.
    /// </summary>
    public IReadOnlyList<ScoredId> RelatedItems(string itemId, int count)
    {
        ArgumentNullException.ThrowIfNull(itemId);
        if (!_items.TryGetValue(itemId, out var item))
        {
            return Popular([], count);
        }

        var related = RecommendIndices([item], [1f], count);
        return related.Count > 0 ? related : Popular([item], count);
    }

    /// <summary>
    /// Orders <paramref name="itemIds"/> for a user, best first: by the learned ranker when there is one, otherwise by the
    /// model's score. Items the model does not know come last, in their given order, without a score.
    /// </summary>
    public IReadOnlyList<ScoredId> Rank(string? userId, IReadOnlyList<string> itemIds, IReadOnlyList<string>? recentItemIds = null)
    {
        ArgumentNullException.ThrowIfNull(itemIds);
        var (history, weights) = History(userId, recentItemIds);
        var scores = new float[ItemCount];
        if (history.Length == 0)
        {
            _popularity.CopyTo(scores, 0);
        }
        else
        {
            Model.Score(history, weights, scores);
        }

        var known = itemIds.Where(_items.ContainsKey).Distinct(StringComparer.Ordinal).Select(id => _items[id]).ToArray();
        var baseOrder = known.OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();
        var result = new List<ScoredId>(itemIds.Count);
        if (_ranker is not null && _features is not null && history.Length > 0 && baseOrder.Length > 0)
        {
            var rows = new float[baseOrder.Length * RankingFeatures.Count];
            _features.Compute(history, baseOrder, baseOrder.Select(i => scores[i]).ToArray(), rows);
            var ranked = new float[baseOrder.Length];
            _ranker.Score(rows, ranked);
            result.AddRange(Enumerable.Range(0, baseOrder.Length).OrderByDescending(p => ranked[p]).ThenBy(p => p)
                .Select(p => new ScoredId(_itemIds[baseOrder[p]], ranked[p])));
        }
        else
        {
            result.AddRange(baseOrder.Select(i => new ScoredId(_itemIds[i], scores[i])));
        }

        result.AddRange(itemIds.Where(id => !_items.ContainsKey(id)).Distinct(StringComparer.Ordinal).Select(id => new ScoredId(id, null)));
        return result;
    }

    /// <summary>
    /// The <paramref name="count"/> training users most likely to interact with <paramref name="itemId"/> and who
    /// have not yet (item-affinity).
    /// </summary>
    public IReadOnlyList<ScoredId> UsersForItem(string itemId, int count)
        => _items.TryGetValue(itemId, out var item) ? UsersFor([item], count) : [];

    /// <summary>
    /// The <paramref name="count"/> training users most likely to interact with items whose metadata has
    /// <paramref name="field"/> = <paramref name="value"/> (item-attribute-affinity; case-insensitive).
    /// </summary>
    public IReadOnlyList<ScoredId> UsersForAttribute(string field, string value, int count)
        => UsersForAttributes([(field, value)], matchAll: true, count);

    /// <summary>
    /// Item-attribute-affinity over several conditions: the users most likely to interact with the items that meet all
    /// (<paramref name="matchAll"/>, AND) or any (OR) of the <c>field = value</c> conditions (case-insensitive).
    /// </summary>
    public IReadOnlyList<ScoredId> UsersForAttributes(IReadOnlyList<(string Field, string Value)> conditions, bool matchAll, int count)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        var tokens = conditions
            .Select(c => Array.FindIndex(_tokens, t => string.Equals(t, c.Field + "=" + c.Value, StringComparison.OrdinalIgnoreCase)))
            .ToArray();
        if (tokens.Length == 0 || (matchAll && tokens.Contains(-1)))
        {
            return [];
        }

        var items = new List<int>();
        for (var i = 0; i < ItemCount; i++)
        {
            var own = _tokenIds.AsSpan(_tokenOffsets[i], _tokenOffsets[i + 1] - _tokenOffsets[i]);
            var met = 0;
            foreach (var token in tokens)
            {
                met += token >= 0 && own.Contains(token) ? 1 : 0;
            }

            if (matchAll ? met == tokens.Length : met > 0)
            {
                items.Add(i);
            }
        }

        return items.Count == 0 ? [] : UsersFor([.. items], count);
    }

    /// <summary>
    /// The layout <see cref="Write(Stream)"/> uses: 1 (which every earlier release reads) unless the model has a recency
    /// boost, which only <see cref="FormatVersion"/> holds.
    /// </summary>
    public int ArtifactVersion => _recency.IsActive ? FormatVersion : 1;

    /// <summary>Writes the versioned artifact (<see cref="ArtifactVersion"/>): header, id maps, histories, popularity, tokens, recency boost, model, ranker.</summary>
    public void Write(Stream stream) => Write(stream, ArtifactVersion);

    /// <summary>Writes the artifact in layout <paramref name="formatVersion"/> (1 has no recency boost).</summary>
    internal void Write(Stream stream, int formatVersion)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(formatVersion, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(formatVersion, FormatVersion);
        if (formatVersion < 2 && _recency.IsActive)
        {
            throw new InvalidOperationException("Format version 1 cannot hold a recency boost.");
        }

        using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        writer.Write(Magic);
        writer.Write(formatVersion);
        writer.Write(Recipe);
        BinaryArrays.WriteStrings(writer, _userIds);
        BinaryArrays.WriteStrings(writer, _itemIds);
        BinaryArrays.Write(writer, _history.RowOffsets);
        BinaryArrays.Write(writer, _history.ItemIndices);
        BinaryArrays.Write(writer, _history.Weights);
        BinaryArrays.Write<float>(writer, _popularity);
        BinaryArrays.Write<int>(writer, _tokenOffsets);
        BinaryArrays.Write<int>(writer, _tokenIds);
        BinaryArrays.WriteStrings(writer, _tokens);
        if (formatVersion >= 2)
        {
            writer.Write(_recency.Floor);
            writer.Write(_recency.HalfLife);
            BinaryArrays.Write<byte>(writer, _ranks ?? []);
        }

        writer.Flush();
        Model.Save(stream);
        writer.Write(_ranker is not null);
        if (_ranker is not null)
        {
            _features!.Write(writer);
            var bytes = _ranker.Serialize();
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }

        writer.Flush();
    }

    /// <summary>Reads an artifact written by <see cref="Write(Stream)"/>.</summary>
    /// <param name="stream">The artifact.</param>
    /// <param name="ranking">Loads the learned ranker when the artifact has one (required then).</param>
    /// <exception cref="InvalidDataException">Not an artifact of a version this build reads.</exception>
    public static SolutionModel Read(Stream stream, ILearningToRank? ranking = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        Span<byte> magic = stackalloc byte[8];
        stream.ReadExactly(magic);
        if (!magic.SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a Recsys solution model artifact.");
        }

        var version = reader.ReadInt32();
        if (version is < 1 or > FormatVersion)
        {
            throw new InvalidDataException($"Unsupported solution model format version {version}; this build reads versions 1 to {FormatVersion}.");
        }

        var recipe = reader.ReadString();
        var users = BinaryArrays.ReadStrings(reader);
        var items = BinaryArrays.ReadStrings(reader);
        var history = InteractionMatrix.FromCsr(users.Length, items.Length, BinaryArrays.Read<int>(reader), BinaryArrays.Read<int>(reader), BinaryArrays.Read<float>(reader));
        var popularity = BinaryArrays.Read<float>(reader);
        var tokenOffsets = BinaryArrays.Read<int>(reader);
        var tokenIds = BinaryArrays.Read<int>(reader);
        var tokens = BinaryArrays.ReadStrings(reader);
        var recency = RecencyBoost.None;
        byte[]? ranks = null;
        if (version >= 2)
        {
            var floor = reader.ReadSingle();
            var halfLife = reader.ReadSingle();
            ranks = BinaryArrays.Read<byte>(reader);
            if (!(floor > 0 && floor <= 1 && halfLife > 0 && float.IsFinite(halfLife)))
            {
                throw new InvalidDataException($"Invalid recency boost (floor {floor}, half-life {halfLife}) in model artifact.");
            }

            recency = floor < 1 ? new RecencyBoost(floor, halfLife) : RecencyBoost.None;
        }

        var model = RecommenderModel.Load(stream);
        RankingFeatures? features = null;
        ILearnedRanker? ranker = null;
        if (reader.ReadBoolean())
        {
            features = RankingFeatures.Read(reader, tokenOffsets, tokenIds);
            var bytes = reader.ReadBytes(reader.ReadInt32());
            ranker = (ranking ?? throw new InvalidOperationException("This model has a learned ranker; pass an ILearningToRank to load it.")).Load(bytes);
        }

        return new SolutionModel(recipe, users, items, history, popularity, model, tokenOffsets, tokenIds, tokens, features, ranker, recency, ranks);
    }

    /// <summary>
    /// The user's training row merged with the recent items the model knows (weight at least 1), ascending by item
    /// index; with a recency boost, each weight is multiplied by its interaction's boost (recent items, oldest first
    /// in <paramref name="recentItemIds"/>, are the newest).
    /// </summary>
    private (int[] Items, float[] Weights) History(string? userId, IReadOnlyList<string>? recentItemIds)
    {
        ReadOnlySpan<int> row = default;
        ReadOnlySpan<float> rowWeights = default;
        ReadOnlySpan<byte> rowRanks = default;
        if (userId is not null && _users.TryGetValue(userId, out var user))
        {
            row = _history.RowItems(user);
            rowWeights = _history.RowWeights(user);
            rowRanks = _ranks is null ? default : _ranks.AsSpan(_history.RowOffsets[user], row.Length);
        }

        // Known recent items with their recency rank (the newest 0).
        SortedDictionary<int, int>? recent = null;
        var recentIds = recentItemIds ?? [];
        for (var k = recentIds.Count - 1; k >= 0; k--)
        {
            if (_items.TryGetValue(recentIds[k], out var item))
            {
                recent ??= [];
                recent.TryAdd(item, recent.Count);
            }
        }

        if (recent is null)
        {
            var rowOnly = rowWeights.ToArray();
            for (var k = 0; k < rowRanks.Length; k++)
            {
                rowOnly[k] *= _multipliers[rowRanks[k]];
            }

            return (row.ToArray(), rowOnly);
        }

        // Training interactions are older than the recent items they do not repeat (events sent since training); a
        // recent event that training already holds keeps its place.
        var shift = 0;
        foreach (var item in recent.Keys)
        {
            shift += row.BinarySearch(item) < 0 ? 1 : 0;
        }

        var items = new List<int>(row.Length + recent.Count);
        var weights = new List<float>(row.Length + recent.Count);
        var p = 0;
        foreach (var (item, rank) in recent)
        {
            for (; p < row.Length && row[p] < item; p++)
            {
                items.Add(row[p]);
                weights.Add(RowWeight(rowWeights, rowRanks, p, shift));
            }

            var known = p < row.Length && row[p] == item;
            items.Add(item);
            weights.Add((known ? Math.Max(rowWeights[p++], 1f) : 1f) * _multipliers[Math.Min(rank, RecencyBoost.MaxRank)]);
        }

        for (; p < row.Length; p++)
        {
            items.Add(row[p]);
            weights.Add(RowWeight(rowWeights, rowRanks, p, shift));
        }

        return ([.. items], [.. weights]);
    }

    /// <summary>A training interaction's weight, boosted by its recency rank moved back by <paramref name="shift"/> newer recent items.</summary>
    private float RowWeight(ReadOnlySpan<float> weights, ReadOnlySpan<byte> ranks, int position, int shift) =>
        ranks.IsEmpty ? weights[position] : weights[position] * _multipliers[Math.Min(ranks[position] + shift, RecencyBoost.MaxRank)];

    private IReadOnlyList<ScoredId> RecommendIndices(int[] history, float[] weights, int count)
    {
        if (history.Length == 0)
        {
            return Popular(history, count);
        }

        var top = Model.Recommend(history, weights, count);
        return [.. top.Select(s => new ScoredId(_itemIds[s.Item], s.Score))];
    }

    private IReadOnlyList<ScoredId> Popular(int[] exclude, int count)
    {
        var scores = (float[])_popularity.Clone();
        foreach (var item in exclude)
        {
            scores[item] = float.NaN;
        }

        return [.. TopKSelector.Select(scores, count).Select(s => new ScoredId(_itemIds[s.Item], s.Score))];
    }

    private IReadOnlyList<ScoredId> UsersFor(int[] items, int count)
    {
        var scores = new float[UserCount];
        if (Model is AlsModel als)
        {
            var target = new float[als.Factors];
            foreach (var item in items)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(target, als.ItemFactors(item), target);
            }

            for (var u = 0; u < Math.Min(UserCount, als.UserCount); u++)
            {
                scores[u] = System.Numerics.Tensors.TensorPrimitives.Dot(als.UserFactors(u), target);
            }
        }
        else
        {
            var buffer = new float[ItemCount];
            for (var u = 0; u < UserCount; u++)
            {
                Model.Score(_history.RowItems(u), _history.RowWeights(u), buffer);
                var sum = 0f;
                foreach (var item in items)
                {
                    sum += buffer[item];
                }

                scores[u] = sum;
            }
        }

        if (items.Length == 1)
        {
            foreach (var u in _history.ColumnUsers(items[0]))
            {
                scores[u] = float.NaN; // already interacted
            }
        }

        return [.. TopKSelector.Select(scores, count).Select(s => new ScoredId(_userIds[s.Item], s.Score))];
    }

    private static Dictionary<string, int> Index(string[] ids)
    {
        var index = new Dictionary<string, int>(ids.Length, StringComparer.Ordinal);
        for (var i = 0; i < ids.Length; i++)
        {
            index[ids[i]] = i;
        }

        return index;
    }
}
