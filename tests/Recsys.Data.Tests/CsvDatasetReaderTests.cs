using System.IO.Compression;
using System.Text;
using Recsys.Data.Import;
using Recsys.Data.Schemas;

namespace Recsys.Data.Tests;

public class CsvDatasetReaderTests
{
    private const string Header = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE,DEVICE\n";

    [Fact]
    public async Task Valid_rows_are_imported_in_schema_order_with_nulls()
    {
        var (result, sink) = await TestData.ImportAsync(Header + "u1,i1,1700000000,click,1.5,phone\nu2,i2,1700000001,view,,\n");

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(2, result.RowsRead);
        Assert.Equal(2, result.RowsImported);
        Assert.Equal(0, result.RowsRejected);
        Assert.Equal(new string?[] { "u1", "i1", "1700000000", "click", "1.5", "phone" }, sink.Rows[0]);
        Assert.Equal(new string?[] { "u2", "i2", "1700000001", "view", null, null }, sink.Rows[1]);
    }

    [Fact]
    public async Task Bom_and_crlf_are_accepted()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(Header.Replace("\n", "\r\n", StringComparison.Ordinal) + "u1,i1,1700000000,click,1,tablet\r\nu2,i2,1700000001,view,2,\r\n")).ToArray();

        var (result, sink) = await TestData.ImportAsync(bytes);

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(2, result.RowsImported);
        Assert.Equal("USER_ID", result.ColumnMap.Keys.First());
        Assert.Equal("tablet", sink.Rows[0][5]);
    }

    [Fact]
    public async Task Quoted_fields_with_commas_quotes_and_newlines_are_read_per_rfc4180()
    {
        var (result, sink) = await TestData.ImportAsync(Header + "\"u,1\",\"i \"\"x\"\"\",1700000000,click,1,\"a\nb\"\nu2,i2,1700000001,view,,\n");

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal("u,1", sink.Rows[0][0]);
        Assert.Equal("i \"x\"", sink.Rows[0][1]);
        Assert.Equal("a\nb", sink.Rows[0][5]);
        Assert.Equal(2, result.RowsImported);
    }

    [Fact]
    public async Task Gzip_is_detected_by_magic_bytes_and_by_name()
    {
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(Header + "u1,i1,1700000000,click,1,\nu2,i2,1700000001,view,,\n"));
        }

        var (byMagic, sink) = await TestData.ImportAsync(compressed.ToArray());
        var (byName, _) = await TestData.ImportAsync(compressed.ToArray(), options: new CsvImportOptions { FileName = "drop/interactions.csv.gz" });

        Assert.True(byMagic.Succeeded, byMagic.FailureReason);
        Assert.Equal(2, byMagic.RowsImported);
        Assert.Equal("u2", sink.Rows[1][0]);
        Assert.Equal(2, byName.RowsImported);
    }

    [Fact]
    public async Task Header_is_matched_ignoring_case_and_order_and_optional_columns_may_be_missing()
    {
        var (result, sink) = await TestData.ImportAsync("timestamp,item_id,User_Id,event_type\n1700000000,i1,u1,click\n");

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(new string?[] { "u1", "i1", "1700000000", "click", null, null }, sink.Rows[0]);
        Assert.Equal("USER_ID", result.ColumnMap["User_Id"]);
    }

    [Fact]
    public async Task Unterminated_quote_fails_the_import_with_its_line()
    {
        var (result, _) = await TestData.ImportAsync(Header + "u1,i1,1700000000,click,1,\nu2,\"i2,1700000001,view,1,\nu3,i3,1700000002,view,1,\n");

        Assert.False(result.Succeeded);
        Assert.Contains("line 3", result.FailureReason, StringComparison.Ordinal);
        Assert.Contains("quote", result.FailureReason, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Wrong_column_count_rejects_the_row()
    {
        var (result, sink) = await TestData.ImportAsync(Header + "u1,i1,1700000000,click,1,\nu2,i2,1700000001,view\nu3,i3,1700000002,view,1,,extra\nu4,i4,1700000003,view,1,\n");

        Assert.True(result.Succeeded, result.FailureReason);
        Assert.Equal(4, result.RowsRead);
        Assert.Equal(2, result.RowsImported);
        Assert.Equal(2, result.RowsRejected);
        Assert.Equal(new CsvRowError(3, null, "Expected 6 columns, as in the header, but found 4."), result.Errors[0]);
        Assert.Equal(4, result.Errors[1].Line);
        Assert.Equal(["u1", "u4"], sink.Rows.Select(r => r[0]));
    }

    [Fact]
    public async Task Invalid_utf8_fails_the_import()
    {
        var bytes = Encoding.UTF8.GetBytes(Header + "u1,i1,1700000000,click,1,\nu2,i")
            .Concat(new byte[] { 0xC3, 0x28, 0xFF })
            .Concat(Encoding.UTF8.GetBytes(",1700000001,view,1,\n"))
            .ToArray();

        var (result, _) = await TestData.ImportAsync(bytes);

        Assert.False(result.Succeeded);
        Assert.Contains("not valid UTF-8", result.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_required_column_fails_the_import()
    {
        var (result, sink) = await TestData.ImportAsync("USER_ID,ITEM_ID,EVENT_TYPE\nu1,i1,click\n");

        Assert.False(result.Succeeded);
        Assert.Contains("Missing required column TIMESTAMP", result.FailureReason, StringComparison.Ordinal);
        Assert.Empty(sink.Rows);
    }

    [Fact]
    public async Task Duplicate_header_fails_the_import()
    {
        var (result, _) = await TestData.ImportAsync("USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,user_id\nu1,i1,1700000000,click,u1\n");

        Assert.False(result.Succeeded);
        Assert.Contains("Duplicate header 'user_id' (columns 1 and 5)", result.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_column_fails_the_import_unless_ignored()
    {
        const string csv = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,COLOR\nu1,i1,1700000000,click,red\n";

        var (strict, _) = await TestData.ImportAsync(csv);
        var (lenient, sink) = await TestData.ImportAsync(csv, options: new CsvImportOptions { IgnoreUnknownColumns = true });

        Assert.Contains("'COLOR' match no field", strict.FailureReason, StringComparison.Ordinal);
        Assert.True(lenient.Succeeded, lenient.FailureReason);
        Assert.Single(sink.Rows);
    }

    [Fact]
    public async Task Non_numeric_timestamp_rejects_the_row_with_a_hint()
    {
        var (result, _) = await TestData.ImportAsync(Header + "u1,i1,2024-01-05T10:00:00Z,click,1,\nu2,i2,abc,click,1,\n");

        Assert.Equal(2, result.RowsRejected);
        Assert.Equal("TIMESTAMP", result.Errors[0].Column);
        Assert.Equal(2, result.Errors[0].Line);
        Assert.Contains("Unix epoch seconds", result.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("looks like a date", result.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("'abc'", result.Errors[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Millisecond_timestamp_rejects_the_row_with_a_hint()
    {
        var (result, sink) = await TestData.ImportAsync(Header + "u1,i1,1700000000123,click,1,\nu2,i2,1700000000,click,1,\n");

        Assert.Equal(1, result.RowsRejected);
        Assert.Equal(1, result.RowsImported);
        Assert.Contains("looks like milliseconds", result.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("1700000000", result.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Equal("u2", sink.Rows.Single()[0]);
    }

    [Fact]
    public async Task Empty_file_fails_the_import()
    {
        var (empty, _) = await TestData.ImportAsync(string.Empty);
        var (bomOnly, _) = await TestData.ImportAsync(Encoding.UTF8.GetPreamble());

        Assert.Equal("The file is empty.", empty.FailureReason);
        Assert.Equal("The file is empty.", bomOnly.FailureReason);
    }

    [Fact]
    public async Task Header_only_fails_the_import()
    {
        var (result, _) = await TestData.ImportAsync(Header);

        Assert.False(result.Succeeded);
        Assert.Equal("The file has a header but no data rows.", result.FailureReason);
        Assert.Equal(0, result.RowsRead);
    }

    [Fact]
    public async Task Categorical_value_over_the_limit_rejects_the_row()
    {
        var longValue = new string('x', PersonalizeLimits.MaxCategoricalValueLength + 1);
        var okValue = new string('y', PersonalizeLimits.MaxCategoricalValueLength);

        var (result, sink) = await TestData.ImportAsync(Header + $"u1,i1,1700000000,click,1,{longValue}\nu2,i2,1700000000,click,1,{okValue}\n");

        Assert.Equal(1, result.RowsRejected);
        Assert.Equal(new CsvRowError(2, "DEVICE", "DEVICE is 1,001 characters long; the limit is 1,000 for a categorical value."), result.Errors[0]);
        Assert.Equal(okValue, sink.Rows.Single()[5]);
    }

    [Fact]
    public async Task Row_level_type_errors_name_the_column()
    {
        var longId = new string('u', 257);
        var (result, _) = await TestData.ImportAsync(Header + $",i1,1700000000,click,1,\n{longId},i1,1700000000,click,1,\nu1,i1,1700000000,click,abc,\nu1,i1,1700000000,click,NaN,\n");

        Assert.Equal(4, result.RowsRejected);
        Assert.Equal(["USER_ID", "USER_ID", "EVENT_VALUE", "EVENT_VALUE"], result.Errors.Select(e => e.Column));
        Assert.Contains("empty but required", result.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("limit is 256", result.Errors[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_quoted_id_with_a_line_break_or_control_character_rejects_its_row()
    {
        var (result, sink) = await TestData.ImportAsync(Header
            + "\"u\n1\",i1,1700000000,click,1,\n"
            + "u2,\"i\r\n2\",1700000000,click,1,\n"
            + "\"u\t3\",i3,1700000000,click,1,\n"
            + "u4,i4,1700000000,click,1,\n");

        Assert.Equal(3, result.RowsRejected);
        Assert.Equal(["USER_ID", "ITEM_ID", "USER_ID"], result.Errors.Select(e => e.Column));
        Assert.Contains("line break", result.Errors[0].Reason, StringComparison.Ordinal);
        Assert.Contains("single-line", result.Errors[1].Reason, StringComparison.Ordinal);
        Assert.Contains("tab", result.Errors[2].Reason, StringComparison.Ordinal);
        Assert.Equal("u4", Assert.Single(sink.Rows)[0]);
    }

    [Fact]
    public async Task Rejects_are_all_counted_but_only_the_first_are_kept()
    {
        var csv = new StringBuilder(Header);
        for (var i = 0; i < 50; i++)
        {
            csv.Append("u,i,bad,click,1,\n");
        }

        var (result, _) = await TestData.ImportAsync(csv.ToString(), options: new CsvImportOptions { MaxReportedErrors = 5 });

        Assert.Equal(50, result.RowsRejected);
        Assert.Equal(5, result.Errors.Count);
        Assert.Equal([2L, 3, 4, 5, 6], result.Errors.Select(e => e.Line));
    }

    [Fact]
    public async Task Line_numbers_count_newlines_inside_quoted_fields()
    {
        var (result, _) = await TestData.ImportAsync(Header + "u1,i1,1700000000,click,1,\"multi\nline\"\nu2,i2,bad,click,1,\n");

        Assert.Equal(4, result.Errors.Single().Line);
    }

    [Fact]
    public async Task Batches_are_handed_to_the_sink_when_full_and_progress_is_reported()
    {
        var csv = new StringBuilder(Header);
        for (var i = 0; i < 2_500; i++)
        {
            csv.Append('u').Append(i).Append(",i1,1700000000,click,1,\n");
        }

        var progress = new List<long>();
        var (result, sink) = await TestData.ImportAsync(csv.ToString(), options: new CsvImportOptions
        {
            BatchSize = 1_000,
            ProgressInterval = 1_000,
            Progress = new SynchronousProgress(progress.Add),
        });

        Assert.Equal(2_500, result.RowsImported);
        Assert.Equal(3, sink.Batches);
        Assert.Equal(Enumerable.Range(0, 2_500).Select(i => "u" + i), sink.Rows.Select(r => r[0]));
        Assert.Equal([1_000L, 2_000, 2_500], progress);
    }

    [Fact]
    public async Task Items_with_multi_value_categories_booleans_and_long_text_are_validated()
    {
        var schema = DatasetSchema.Create(
            DatasetType.Items,
            new FieldDefinition("ITEM_ID", FieldType.String),
            new FieldDefinition("GENRES", FieldType.String, IsCategorical: true),
            new FieldDefinition("ON_SALE", FieldType.Boolean, IsNullable: true),
            new FieldDefinition("DESCRIPTION", FieldType.String, IsNullable: true, IsTextual: true));
        var text = new string('t', PersonalizeLimits.MaxTextualValueLength + 10);

        var (result, sink) = await TestData.ImportAsync($"ITEM_ID,GENRES,ON_SALE,DESCRIPTION\ni1,Comedy|Drama,true,{text}\ni2,Action,,\ni3,Action,True,\n", schema);

        Assert.Equal(2, result.RowsImported);
        Assert.Equal(1, result.ValuesTruncated);
        Assert.Equal(PersonalizeLimits.MaxTextualValueLength, sink.Rows[0][3]!.Length);
        Assert.Equal("Comedy|Drama", sink.Rows[0][1]);
        Assert.Null(sink.Rows[1][2]);
        Assert.Contains("lower-case true or false", result.Errors.Single().Reason, StringComparison.Ordinal);
    }

    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
