namespace Recsys.Algorithms.Serialization;

/// <summary>The model type tag written in a serialized model's header.</summary>
public enum ModelKind
{
    /// <summary>Not a model; never written.</summary>
    None = 0,

    /// <summary><see cref="Popularity.PopularityModel"/>.</summary>
    Popularity = 1,

    /// <summary><see cref="Similarity.ItemSimilarityModel"/>.</summary>
    ItemSimilarity = 2,

    /// <summary><see cref="Factorization.AlsModel"/>.</summary>
    Als = 3,

    /// <summary><see cref="Linear.EaseModel"/>.</summary>
    Ease = 4,

    /// <summary><see cref="Ensemble.BlendModel"/>.</summary>
    Blend = 5,

    /// <summary><see cref="Ensemble.ItemSubsetModel"/>.</summary>
    ItemSubset = 6,
}
