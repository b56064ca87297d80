namespace Recsys.Algorithms.Similarity;

/// <summary>
/// How <see cref="ItemSimilarityTrainer"/> turns co-occurrence counts into a similarity, with <c>C_ij</c> the
/// number of users of both items and <c>C_ii</c> the number of users of item i (as in SAR).
/// </summary>
public enum SimilarityKind
{
    /// <summary><c>C_ij</c>.</summary>
    Cooccurrence = 0,

    /// <summary><c>C_ij / (C_ii + C_jj − C_ij)</c>.</summary>
    Jaccard = 1,

    /// <summary><c>C_ij / (C_ii · C_jj)</c>.</summary>
    Lift = 2,

    /// <summary><c>C_ij / sqrt(C_ii · C_jj)</c>.</summary>
    Cosine = 3,
}
