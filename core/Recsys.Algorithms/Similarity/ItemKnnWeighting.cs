namespace Recsys.Algorithms.Similarity;

/// <summary>Column weighting used by <see cref="ItemKnnTrainer"/> before the item-item dot products.</summary>
public enum ItemKnnWeighting
{
    /// <summary>Columns are L2-normalized: the similarity is the cosine (implicit's <c>CosineRecommender</c>).</summary>
    Cosine = 0,

    /// <summary>
    /// BM25 weights, unnormalized dot product (implicit's <c>BM25Recommender</c>):
    /// <c>w_ui = x·(K1+1) / (K1·((1−B) + B·n_i/mean(n)) + x) · (ln(#items) − ln(1 + |I_u|))</c>, where <c>n_i</c> is the
    /// item's weight sum and <c>|I_u|</c> the user's number of items.
    /// </summary>
    Bm25 = 1,
}
