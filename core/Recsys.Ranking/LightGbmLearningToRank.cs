using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;
using Recsys.Core.Solutions;

namespace Recsys.Ranking;

/// <summary>
/// <see cref="ILearningToRank"/> with ML.NET's LightGBM LambdaRank: rows of one user form a query group, labels are
/// 0/1 relevance, and the objective is nDCG. The trained model is saved in ML.NET's zip format.
/// </summary>
public sealed class LightGbmLearningToRank : ILearningToRank
{
    /// <inheritdoc />
    public ILearnedRanker Train(RankingTrainingSet data, RankerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(settings);
        var ml = new MLContext(settings.Seed);
        var rows = new TrainingRow[data.Labels.Length];
        for (var r = 0; r < rows.Length; r++)
        {
            rows[r] = new TrainingRow
            {
                Label = data.Labels[r],
                GroupId = (uint)data.Groups[r],
                Features = data.Features.AsSpan(r * data.FeatureCount, data.FeatureCount).ToArray(),
            };
        }

        var schema = SchemaDefinition.Create(typeof(TrainingRow));
        schema[nameof(TrainingRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, data.FeatureCount);
        var view = ml.Data.LoadFromEnumerable(rows, schema);
        var keyed = ml.Transforms.Conversion.MapValueToKey("GroupKey", nameof(TrainingRow.GroupId)).Fit(view).Transform(view);
        var trainer = ml.Ranking.Trainers.LightGbm(new LightGbmRankingTrainer.Options
        {
            LabelColumnName = nameof(TrainingRow.Label),
            FeatureColumnName = nameof(TrainingRow.Features),
            RowGroupColumnName = "GroupKey",
            NumberOfIterations = settings.Trees,
            NumberOfLeaves = settings.Leaves,
            LearningRate = settings.LearningRate,
            MinimumExampleCountPerLeaf = 5,
            Seed = settings.Seed,
            // One native thread, within every TrainingScheduler bound; it runs on the calling training thread and keeps the trees reproducible.
            NumberOfThreads = 1,
            Verbose = false,
            Silent = true,
        });
        var model = trainer.Fit(keyed);
        return new LightGbmRanker(ml, model, data.FeatureCount);
    }

    /// <inheritdoc />
    public ILearnedRanker Load(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        using var reader = new BinaryReader(new MemoryStream(bytes));
        var featureCount = reader.ReadInt32();
        var ml = new MLContext(0);
        var model = ml.Model.Load(reader.BaseStream, out _);
        return new LightGbmRanker(ml, model, featureCount);
    }

    private sealed class TrainingRow
    {
        public float Label { get; set; }

        public uint GroupId { get; set; }

        public float[] Features { get; set; } = [];
    }

    private sealed class ScoringRow
    {
        public float[] Features { get; set; } = [];
    }

    private sealed class LightGbmRanker(MLContext ml, ITransformer model, int featureCount) : ILearnedRanker
    {
        public int FeatureCount => featureCount;

        public void Score(ReadOnlySpan<float> features, Span<float> scores)
        {
            if (features.Length != scores.Length * featureCount)
            {
                throw new ArgumentException($"features must hold {featureCount} values per score.", nameof(features));
            }

            var rows = new ScoringRow[scores.Length];
            for (var r = 0; r < rows.Length; r++)
            {
                rows[r] = new ScoringRow { Features = features.Slice(r * featureCount, featureCount).ToArray() };
            }

            var schema = SchemaDefinition.Create(typeof(ScoringRow));
            schema[nameof(ScoringRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
            var output = model.Transform(ml.Data.LoadFromEnumerable(rows, schema));
            var r2 = 0;
            foreach (var score in output.GetColumn<float>("Score"))
            {
                scores[r2++] = score;
            }
        }

        public byte[] Serialize()
        {
            using var buffer = new MemoryStream();
            using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(featureCount);
            }

            var schema = SchemaDefinition.Create(typeof(ScoringRow));
            schema[nameof(ScoringRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, featureCount);
            var input = ml.Data.LoadFromEnumerable(Array.Empty<ScoringRow>(), schema);
            ml.Model.Save(model, input.Schema, buffer);
            return buffer.ToArray();
        }
    }
}
