namespace Recsys.Algorithms.Linear;

/// <summary>How <see cref="EaseTrainer"/> computes <c>P = (XᵀX + λI)⁻¹</c>; both give the same P up to rounding.</summary>
public enum EaseSolver
{
    /// <summary>The one with the lower estimated time for the matrix's shape (<see cref="EaseTrainer.ChooseSolver"/>).</summary>
    Auto = 0,

    /// <summary>In-place float32 inverse of the items × items Gram matrix (<see cref="Numerics.SymmetricInverse"/>): O(items³).</summary>
    Direct = 1,

    /// <summary>
    /// Woodbury identity <c>P = (I − Xᵀ(λI + XXᵀ)⁻¹X) / λ</c>: a users × users inverse plus sparse products,
    /// O(users³ + users·nnz + items·nnz).
    /// </summary>
    Woodbury = 2,
}
