using System.Buffers;
using System.Numerics.Tensors;
using Recsys.Algorithms.Data;
using Recsys.Algorithms.Numerics;
using Recsys.Algorithms.Serialization;

namespace Recsys.Algorithms.Factorization;

/// <summary>
/// User and item factors from <see cref="AlsTrainer"/>. A training user is scored with their trained vector
/// (<see cref="ScoreUser"/>); any history, including a training user's events since training, is scored by
/// folding it in (<see cref="FoldIn"/>: one exact least-squares solve against the fixed item factors).
/// </summary>
public sealed class AlsModel : RecommenderModel
{
    private readonly float[] _userFactors;
    private readonly float[] _itemFactors;
    private double[]? _itemGram;
    private double[]? _baseFactor;

    internal AlsModel(int factors, float regularization, float alpha, float[] userFactors, float[] itemFactors)
    {
        Factors = factors;
        Regularization = regularization;
        Alpha = alpha;
        _userFactors = userFactors;
        _itemFactors = itemFactors;
    }

    /// <summary>Latent dimension.</summary>
    public int Factors { get; }

    /// <summary>The L2 regularization the model was trained with (used by <see cref="FoldIn"/>).</summary>
    public float Regularization { get; }

    /// <summary>The confidence scale the model was trained with (used by <see cref="FoldIn"/>).</summary>
    public float Alpha { get; }

    /// <summary>Number of training users.</summary>
    public int UserCount => _userFactors.Length / Factors;

    /// <inheritdoc />
    public override int ItemCount => _itemFactors.Length / Factors;

    /// <inheritdoc />
    public override ModelKind Kind => ModelKind.Als;

    /// <summary>The trained vector of user <paramref name="user"/>.</summary>
    public ReadOnlySpan<float> UserFactors(int user) => _userFactors.AsSpan(user * Factors, Factors);

    /// <summary>The vector of item <paramref name="item"/>.</summary>
    public ReadOnlySpan<float> ItemFactors(int item) => _itemFactors.AsSpan(item * Factors, Factors);

    /// <summary>Scores every item by its dot product with <paramref name="userVector"/>.</summary>
    public void ScoreVector(ReadOnlySpan<float> userVector, Span<float> scores)
    {
        if (userVector.Length != Factors || scores.Length != ItemCount)
        {
            throw new ArgumentException("Vector or score length does not match the model.");
        }

        VectorKernels.DotRows(_itemFactors, userVector, scores);
    }

    /// <summary>Scores every item for training user <paramref name="user"/> with the trained vector.</summary>
    public void ScoreUser(int user, Span<float> scores) => ScoreVector(UserFactors(user), scores);

    /// <summary>The best items for training user <paramref name="user"/>, leaving out <paramref name="exclude"/>.</summary>
    public ScoredItem[] RecommendForUser(int user, ReadOnlySpan<int> exclude, int count)
    {
        var scores = new float[ItemCount];
        ScoreUser(user, scores);
        return SelectTop(scores, exclude, count, excludeHistory: true);
    }

    /// <inheritdoc />
    /// <remarks>Folds the history in (<see cref="FoldIn"/>) and scores with the resulting vector.</remarks>
    public override void Score(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights, Span<float> scores)
    {
        CheckScoreArguments(historyItems, historyWeights, scores);
        ScoreVector(FoldIn(historyItems, historyWeights), scores);
    }

    /// <summary>
    /// The user vector that minimizes the training loss for this history with the item factors fixed:
    /// <c>x = (YᵀY + λI + Σ (c−1) y yᵀ)⁻¹ Σ c y</c>, solved exactly in float64.
    /// </summary>
    /// <param name="historyItems">Item indices of the user's interactions (no duplicates).</param>
    /// <param name="historyWeights">Their weights; empty means all 1.</param>
    public float[] FoldIn(ReadOnlySpan<int> historyItems, ReadOnlySpan<float> historyWeights)
    {
        if (!historyWeights.IsEmpty && historyWeights.Length != historyItems.Length)
        {
            throw new ArgumentException("historyWeights must be empty or as long as historyItems.", nameof(historyWeights));
        }

        var k = Factors;

        // b = Σ c·y. The matrix gains (c − 1)·y·yᵀ per item, nothing when c = 1: with every confidence 1 (the default,
        // α = 1 and weight 1) it is YᵀY + λI for every user, whose factor is kept, and only b is the user's own.
        var b = new double[k];
        var uniform = true;
        var yd = ArrayPool<double>.Shared.Rent(k);
        var y64 = yd.AsSpan(0, k);
        for (var e = 0; e < historyItems.Length; e++)
        {
            var y = ItemFactors(historyItems[e]);
            var confidence = (double)Alpha * (historyWeights.IsEmpty ? 1f : historyWeights[e]);
            uniform &= confidence == 1;
            for (var r = 0; r < k; r++)
            {
                y64[r] = y[r];
            }

            TensorPrimitives.MultiplyAdd(y64, confidence, b, b);
        }

        if (uniform)
        {
            DenseCholesky.SolveFactored(BaseFactor(), k, b);
        }
        else
        {
            var a = ArrayPool<double>.Shared.Rent(k * k);
            ItemGram().CopyTo(a, 0);
            for (var d = 0; d < k; d++)
            {
                a[(d * k) + d] += Regularization;
            }

            // Only the lower triangle: it is all the Cholesky solve reads.
            for (var e = 0; e < historyItems.Length; e++)
            {
                var y = ItemFactors(historyItems[e]);
                var confidence = (double)Alpha * (historyWeights.IsEmpty ? 1f : historyWeights[e]);
                for (var r = 0; r < k; r++)
                {
                    y64[r] = y[r];
                }

                for (var r = 0; r < k; r++)
                {
                    var scale = (confidence - 1) * y64[r];
                    if (scale != 0)
                    {
                        var row = a.AsSpan(r * k, r + 1);
                        TensorPrimitives.MultiplyAdd(y64[..(r + 1)], scale, row, row);
                    }
                }
            }

            DenseCholesky.Solve(a, k, b);
            ArrayPool<double>.Shared.Return(a);
        }

        ArrayPool<double>.Shared.Return(yd);
        var x = new float[k];
        for (var d = 0; d < k; d++)
        {
            x[d] = (float)b[d];
        }

        return x;
    }

    /// <summary>
    /// The training loss <c>Σ_{u,i} c_ui (p_ui − x_u·y_i)² + λ (Σ‖x_u‖² + Σ‖y_i‖²)</c> on
    /// <paramref name="interactions"/> (the training matrix), in float64.
    /// </summary>
    public double Loss(InteractionMatrix interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        if (interactions.UserCount != UserCount || interactions.ItemCount != ItemCount)
        {
            throw new ArgumentException("The matrix does not match the model's dimensions.", nameof(interactions));
        }

        var k = Factors;
        var gram = ItemGram();
        var perUser = new double[UserCount];
        Parallel.For(0, UserCount, TrainingScheduler.Shared.ParallelOptions(), u =>
        {
            var x = UserFactors(u);
            var total = 0d;
            for (var r = 0; r < k; r++)
            {
                var row = 0d;
                for (var c = 0; c < k; c++)
                {
                    row += gram[(r * k) + c] * x[c];
                }

                total += x[r] * row;
            }

            var items = interactions.RowItems(u);
            var weights = interactions.RowWeights(u);
            for (var e = 0; e < items.Length; e++)
            {
                double s = VectorKernels.DotScalar(x, ItemFactors(items[e]));
                var confidence = (double)Alpha * weights[e];
                total += (confidence * (1 - s) * (1 - s)) - (s * s);
            }

            perUser[u] = total + (Regularization * SquaredNorm(x));
        });

        var loss = 0d;
        foreach (var value in perUser)
        {
            loss += value;
        }

        for (var i = 0; i < ItemCount; i++)
        {
            loss += Regularization * SquaredNorm(ItemFactors(i));
        }

        return loss;
    }

    internal static AlsModel ReadBody(BinaryReader reader)
    {
        var factors = reader.ReadInt32();
        var regularization = reader.ReadSingle();
        var alpha = reader.ReadSingle();
        var users = BinaryArrays.Read<float>(reader);
        var items = BinaryArrays.Read<float>(reader);
        if (factors <= 0 || users.Length % factors != 0 || items.Length % factors != 0)
        {
            throw new InvalidDataException("Inconsistent ALS artifact.");
        }

        return new AlsModel(factors, regularization, alpha, users, items);
    }

    private protected override void WriteBody(BinaryWriter writer)
    {
        writer.Write(Factors);
        writer.Write(Regularization);
        writer.Write(Alpha);
        BinaryArrays.Write<float>(writer, _userFactors);
        BinaryArrays.Write<float>(writer, _itemFactors);
    }

    private static double SquaredNorm(ReadOnlySpan<float> x)
    {
        var sum = 0d;
        foreach (var v in x)
        {
            sum += (double)v * v;
        }

        return sum;
    }

    /// <summary>The Cholesky factor of YᵀY + λI (lower triangle), computed once.</summary>
    private double[] BaseFactor()
    {
        if (_baseFactor is not null)
        {
            return _baseFactor;
        }

        var k = Factors;
        var a = (double[])ItemGram().Clone();
        for (var d = 0; d < k; d++)
        {
            a[(d * k) + d] += Regularization;
        }

        DenseCholesky.Factor(a, k, 1);
        _baseFactor = a;
        return a;
    }

    private double[] ItemGram()
    {
        if (_itemGram is not null)
        {
            return _itemGram;
        }

        var k = Factors;
        var gram = new double[k * k];
        for (var i = 0; i < ItemCount; i++)
        {
            var y = ItemFactors(i);
            for (var r = 0; r < k; r++)
            {
                for (var c = 0; c < k; c++)
                {
                    gram[(r * k) + c] += (double)y[r] * y[c];
                }
            }
        }

        _itemGram = gram;
        return gram;
    }
}
