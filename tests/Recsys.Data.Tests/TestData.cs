using System.Text;
using Recsys.Data.Import;
using Recsys.Data.Records;
using Recsys.Data.Schemas;

namespace Recsys.Data.Tests;

internal static class TestData
{
    public const string InteractionsSchemaJson = """
        {
          "type": "record",
          "name": "Interactions",
          "namespace": "com.amazonaws.personalize.schema",
          "fields": [
            { "name": "USER_ID", "type": "string" },
            { "name": "ITEM_ID", "type": "string" },
            { "name": "TIMESTAMP", "type": "long" },
            { "name": "EVENT_TYPE", "type": "string" },
            { "name": "EVENT_VALUE", "type": ["null", "float"] },
            { "name": "DEVICE", "type": ["null", "string"], "categorical": true }
          ],
          "version": "1.0"
        }
        """;

    public static DatasetSchema Interactions { get; } = DatasetSchema.Parse(InteractionsSchemaJson, DatasetType.Interactions);

    /// <summary>The repository root: the nearest folder upwards that holds Recsys.sln.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Recsys.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Recsys.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary><c>shared/</c> lives next to the repository.</summary>
    public static string SharedDirectory() => Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared"));

    public static Task<(CsvImportResult Result, CollectingSink Sink)> ImportAsync(string csv, DatasetSchema? schema = null, CsvImportOptions? options = null)
        => ImportAsync(Encoding.UTF8.GetBytes(csv), schema, options);

    public static async Task<(CsvImportResult Result, CollectingSink Sink)> ImportAsync(byte[] csv, DatasetSchema? schema = null, CsvImportOptions? options = null)
    {
        var sink = new CollectingSink();
        using var stream = new MemoryStream(csv);
        var result = await CsvDatasetReader.ReadAsync(stream, schema ?? Interactions, sink, options);
        return (result, sink);
    }
}

/// <summary>Keeps every row it receives as strings (null for null), in schema order.</summary>
internal sealed class CollectingSink : IRecordBatchSink
{
    public List<string?[]> Rows { get; } = [];

    public int Batches { get; private set; }

    public ValueTask WriteAsync(RecordBatch batch, CancellationToken cancellationToken = default)
    {
        Batches++;
        for (var row = 0; row < batch.Count; row++)
        {
            Rows.Add(batch.Columns.Select(c => Format(c, row)).ToArray());
        }

        return ValueTask.CompletedTask;
    }

    internal static string? Format(ColumnData column, int row) => column switch
    {
        _ when column.IsNull(row) => null,
        StringColumn s => s.GetString(row),
        PrimitiveColumn<long> l => l[row]!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        PrimitiveColumn<int> i => i[row]!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        PrimitiveColumn<float> f => f[row]!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        PrimitiveColumn<double> d => d[row]!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        PrimitiveColumn<bool> b => b[row]!.Value ? "true" : "false",
        _ => throw new InvalidOperationException(),
    };
}
