using System.Globalization;
using System.Text.Json.Nodes;
using Sylvan.Data.Csv;

namespace Recsys.Cli;

/// <summary>A schema inferred from a CSV: the Avro JSON, the column mapping for headers the app would not match by itself, and what was decided.</summary>
internal sealed record InferredSchema(string DatasetType, JsonObject Schema, IReadOnlyDictionary<string, string> ColumnMapping, IReadOnlyList<string> Decisions);

/// <summary>
/// Infers a Personalize schema from a CSV's header and a sample of its rows, by Personalize's rules: Interactions
/// need USER_ID, ITEM_ID and TIMESTAMP (epoch seconds), and may have EVENT_TYPE, EVENT_VALUE and up to 5 metadata
/// fields; Items need ITEM_ID, Users USER_ID. Common names are recognised (<c>userId</c>, <c>movieId</c>,
/// <c>rating</c>, <c>timestamp</c>, …); other columns become optional metadata: numeric when every sampled value is
/// a number, otherwise categorical (<c>|</c> separates multiple values) or, in Items, one textual field for long
/// free text. It asks nothing: what it cannot decide is an error that says what to change in the file.
/// </summary>
internal static class SchemaInference
{
    /// <summary>Rows read to decide types.</summary>
    public const int SampleRows = 1_000;

    private static readonly string[] s_userNames = ["userid", "user", "uid", "customerid", "customer", "visitorid", "memberid", "accountid", "clientid", "reviewerid"];
    private static readonly string[] s_itemNames = ["itemid", "item", "iid", "movieid", "productid", "product", "sku", "articleid", "contentid", "songid", "trackid", "bookid", "isbn", "asin", "videoid"];
    private static readonly string[] s_timestampNames = ["timestamp", "time", "ts", "eventtime", "datetime", "date", "createdat", "unixtime", "epoch"];
    private static readonly string[] s_eventTypeNames = ["eventtype", "event", "action", "interactiontype", "interaction", "behavior", "behaviour", "type"];
    private static readonly string[] s_eventValueNames = ["eventvalue", "rating", "value", "score", "weight", "stars"];
    private static readonly string[] s_creationNames = ["creationtimestamp", "createdat", "created", "publishedat", "releasedat"];

    /// <summary>Reads the header and up to <see cref="SampleRows"/> rows of <paramref name="file"/> and infers its schema.</summary>
    public static InferredSchema FromFile(string file, string datasetType)
    {
        if (!File.Exists(file))
        {
            throw new CliException(ExitCodes.Usage, $"No file at {file}.");
        }

        using var stream = File.OpenRead(file);
        using var input = file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new System.IO.Compression.GZipStream(stream, System.IO.Compression.CompressionMode.Decompress)
            : (Stream)stream;
        using var text = new StreamReader(input);
        try
        {
            using var csv = CsvDataReader.Create(text, new CsvDataReaderOptions { HasHeaders = true });
            var header = Enumerable.Range(0, csv.FieldCount).Select(csv.GetName).ToArray();
            var rows = new List<string[]>();
            while (rows.Count < SampleRows && csv.Read())
            {
                rows.Add(Enumerable.Range(0, Math.Min(csv.RowFieldCount, header.Length)).Select(csv.GetString).ToArray());
            }

            return Infer(Path.GetFileName(file), header, rows, datasetType);
        }
        catch (CsvFormatException e)
        {
            throw new CliException(ExitCodes.Usage, $"{file} is not a CSV file the quickstart can read: {e.Message}");
        }
    }

    /// <summary>Infers the schema of a <paramref name="datasetType"/> CSV from its header and sampled rows.</summary>
    public static InferredSchema Infer(string fileName, IReadOnlyList<string> header, IReadOnlyList<string[]> rows, string datasetType)
    {
        if (header.Count == 0 || header.All(h => h.Length == 0))
        {
            throw new CliException(ExitCodes.Usage, $"{fileName} has no header line: the first line must name the columns (e.g. userId,itemId,timestamp).");
        }

        if (rows.Count == 0)
        {
            throw new CliException(ExitCodes.Usage, $"{fileName} has a header but no rows.");
        }

        var columns = header.Select((name, i) => new Column(name, Normalize(name), rows.Select(r => i < r.Length ? r[i] : string.Empty).ToList())).ToList();
        var decisions = new List<string>();
        var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
        var fields = new JsonArray();
        var taken = new HashSet<Column>();

        Column? Claim(string field, string[] names, bool required, Func<Column, bool>? fits = null)
        {
            var column = names.Select(n => columns.FirstOrDefault(c => c.Key == n && !taken.Contains(c))).FirstOrDefault(c => c is not null && (fits is null || fits(c)));
            if (column is null)
            {
                if (required)
                {
                    throw new CliException(ExitCodes.Usage, $"{fileName}: no column for {field} (looked for {string.Join(", ", names.Take(6))}, … ignoring case and '_'; "
                        + $"columns: {string.Join(", ", header)}). Rename the column to {field}.");
                }

                return null;
            }

            taken.Add(column);
            if (column.Key != Normalize(field))
            {
                mapping[column.Name] = field;
            }

            decisions.Add($"{column.Name} → {field}");
            return column;
        }

        switch (datasetType)
        {
            case "Interactions":
                Claim("USER_ID", s_userNames, required: true);
                fields.Add(Field("USER_ID", "string"));
                Claim("ITEM_ID", s_itemNames, required: true);
                fields.Add(Field("ITEM_ID", "string"));
                var timestamp = Claim("TIMESTAMP", s_timestampNames, required: true)!;
                CheckEpochSeconds(fileName, timestamp, "TIMESTAMP");
                fields.Add(Field("TIMESTAMP", "long"));
                if (Claim("EVENT_TYPE", s_eventTypeNames, required: false, c => !c.IsNumeric) is not null)
                {
                    fields.Add(Field("EVENT_TYPE", "string"));
                }

                if (Claim("EVENT_VALUE", s_eventValueNames, required: false, c => c.IsNumeric) is not null)
                {
                    fields.Add(Field("EVENT_VALUE", "float"));
                }

                break;
            case "Items":
                Claim("ITEM_ID", s_itemNames, required: true);
                fields.Add(Field("ITEM_ID", "string"));
                if (Claim("CREATION_TIMESTAMP", s_creationNames, required: false, c => c.IsInteger) is { } created)
                {
                    CheckEpochSeconds(fileName, created, "CREATION_TIMESTAMP");
                    fields.Add(Field("CREATION_TIMESTAMP", "long", nullable: true));
                }

                break;
            case "Users":
                Claim("USER_ID", s_userNames, required: true);
                fields.Add(Field("USER_ID", "string"));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(datasetType), datasetType, "Interactions, Items or Users.");
        }

        var rest = columns.Where(c => !taken.Contains(c)).ToList();
        var limit = datasetType switch { "Interactions" => 5, "Items" => 100, _ => 25 };
        if (rest.Count > limit)
        {
            throw new CliException(ExitCodes.Usage, $"{fileName}: {rest.Count} more columns ({string.Join(", ", rest.Select(c => c.Name))}); "
                + $"a {datasetType} schema takes at most {limit} besides the reserved ones. Drop the columns you do not need.");
        }

        var textual = datasetType == "Items" ? rest.Where(c => !c.IsNumeric && c.LooksLikeText).OrderByDescending(c => c.AverageLength).FirstOrDefault() : null;
        foreach (var column in rest)
        {
            var field = FieldName(column.Name);
            if (fields.Any(f => (string?)f!["name"] == field))
            {
                throw new CliException(ExitCodes.Usage, $"{fileName}: column '{column.Name}' would be field {field}, which another column has; rename one of them.");
            }

            if (!string.Equals(column.Name, field, StringComparison.Ordinal) && column.Key != Normalize(field))
            {
                mapping[column.Name] = field;
            }

            if (column.IsNumeric)
            {
                fields.Add(Field(field, "float", nullable: true));
                decisions.Add($"{column.Name} → {field} (numeric)");
            }
            else if (column == textual)
            {
                fields.Add(Field(field, "string", nullable: true, textual: true));
                decisions.Add($"{column.Name} → {field} (textual)");
            }
            else
            {
                fields.Add(Field(field, "string", nullable: true, categorical: true));
                decisions.Add($"{column.Name} → {field} (categorical{(column.HasMultipleValues ? ", '|' separates values" : string.Empty)})");
            }
        }

        var schema = new JsonObject
        {
            ["type"] = "record",
            ["name"] = datasetType,
            ["namespace"] = "com.amazonaws.personalize.schema",
            ["fields"] = fields,
            ["version"] = "1.0",
        };
        return new InferredSchema(datasetType, schema, mapping, decisions);
    }

    /// <summary>Lower case without '_', '-' and spaces: how headers are compared with field names.</summary>
    public static string Normalize(string name)
        => new([.. name.Where(ch => ch is not ('_' or '-' or ' ')).Select(char.ToLowerInvariant)]);

    /// <summary>A schema field name from a header: <c>releaseYear</c> → <c>RELEASE_YEAR</c>, <c>genres</c> → <c>GENRES</c>.</summary>
    public static string FieldName(string header)
    {
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < header.Length; i++)
        {
            var ch = header[i];
            if (char.IsUpper(ch) && i > 0 && char.IsLower(header[i - 1]))
            {
                builder.Append('_');
            }

            builder.Append(char.IsLetterOrDigit(ch) ? char.ToUpperInvariant(ch) : '_');
        }

        var name = builder.ToString().Trim('_');
        return name.Length == 0 || char.IsDigit(name[0]) ? "F_" + name : name;
    }

    private static void CheckEpochSeconds(string fileName, Column column, string field)
    {
        var values = column.Values.Where(v => v.Length > 0).ToList();
        if (!column.IsInteger)
        {
            var example = values.FirstOrDefault(v => !long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));
            throw new CliException(ExitCodes.Usage, $"{fileName}: {field} column '{column.Name}' holds '{example}'; Recsys (as Personalize) needs Unix epoch seconds, "
                + "e.g. 1700000000. Convert the column, then run the quickstart again.");
        }

        // Epoch milliseconds are 13 digits for any date after 2001; seconds stay under 11 digits until the year 5138.
        if (values.Any(v => long.Parse(v, CultureInfo.InvariantCulture) > 99_999_999_999))
        {
            throw new CliException(ExitCodes.Usage, $"{fileName}: {field} column '{column.Name}' looks like epoch milliseconds; Recsys (as Personalize) needs seconds: divide by 1000.");
        }
    }

    private static JsonObject Field(string name, string type, bool nullable = false, bool categorical = false, bool textual = false)
    {
        var field = new JsonObject { ["name"] = name, ["type"] = nullable ? new JsonArray("null", type) : type };
        if (categorical)
        {
            field["categorical"] = true;
        }

        if (textual)
        {
            field["textual"] = true;
        }

        return field;
    }

    private sealed class Column(string name, string key, List<string> values)
    {
        public string Name { get; } = name;

        public string Key { get; } = key;

        public List<string> Values { get; } = values;

        private IEnumerable<string> Present => Values.Where(v => v.Length > 0);

        public bool IsNumeric => Present.Any() && Present.All(v => double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _));

        public bool IsInteger => Present.Any() && Present.All(v => long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out _));

        public bool HasMultipleValues => Present.Any(v => v.Contains('|', StringComparison.Ordinal));

        public double AverageLength => Present.Any() ? Present.Average(v => v.Length) : 0;

        // Free text: words separated by spaces, longer on average than a category name, and not '|'-separated labels.
        public bool LooksLikeText => !HasMultipleValues && AverageLength >= 15 && Present.Count(v => v.Contains(' ', StringComparison.Ordinal)) * 2 > Present.Count();
    }
}
