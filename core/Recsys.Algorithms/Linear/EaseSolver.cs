namespace Recsys.Algorithms.Linear;

/// <summary>How <see cref="EaseTrainer"/> computes <c>P = (XᵀX + λI)⁻¹</c>; both give the same P up to rounding.</summary>
public enum EaseSolver
{
    /// <summary>The cheaper of the two for the matrix's shape (Woodbury when there are fewer users than items).</summary>
    Auto = 0,

    /// <summary>Cholesky inverse of the items × items Gram matrix: O(items³).</summary>
    Direct = 1,

    /// <summary>
    /// Woodbury identity <c>P = (I − Xᵀ(λI + XXᵀ)⁻¹X) / λ</c>: a users × users inverse plus sparse products,
    /// O(users³ + users·nnz + items·nnz).
    /// </summary>
    Woodbury = 2,
}
