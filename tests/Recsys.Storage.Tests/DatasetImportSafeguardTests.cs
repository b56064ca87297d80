using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Recsys.Core.DatasetGroups;
using Recsys.Core.DatasetImports;
using Recsys.Core.Datasets;
using Recsys.Core.Resources;
using Recsys.Core.Schemas;
using Recsys.Data.Schemas;
using Recsys.Testing;

namespace Recsys.Storage.Tests;

/// <summary>
/// The import runner on real stores (Azurite): a re-dropped identical file is a duplicate, and a FULL import that
/// rejects too many rows or shrinks the dataset by more than half fails and keeps the data unless the job allows it.
/// </summary>
public sealed class DatasetImportSafeguardTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    private sealed record Harness(StorageClients Clients, DatasetImportRunner Runner, BlobDatasetSegmentStore Segments, string Group);

    private static readonly DatasetSchema s_items = DatasetSchema.Create(
        DatasetType.Items,
        new FieldDefinition(ReservedFields.ItemId, FieldType.String),
        new FieldDefinition("PRICE", FieldType.Float));

    private static readonly DatasetSchema s_interactions = DatasetSchema.Create(
        DatasetType.Interactions,
        new FieldDefinition(ReservedFields.UserId, FieldType.String),
        new FieldDefinition(ReservedFields.ItemId, FieldType.String),
        new FieldDefinition(ReservedFields.Timestamp, FieldType.Long),
        new FieldDefinition(ReservedFields.EventType, FieldType.String));

    private async Task<Harness> NewAsync(DatasetImportOptions? options = null)
    {
        var clients = new StorageClients(new StorageOptions { ConnectionString = azurite.ConnectionString });
        await new StorageProvisioner(clients).EnsureCreatedAsync();
        var groups = Store<DatasetGroup>(clients, StorageNames.DatasetGroupsTable, "dataset group");
        var schemas = Store<Schema>(clients, StorageNames.SchemasTable, "schema");
        var datasets = Store<Dataset>(clients, StorageNames.DatasetsTable, "dataset");
        var jobs = Store<DatasetImportJob>(clients, StorageNames.ImportJobsTable, "dataset import job");
        var segments = new BlobDatasetSegmentStore(clients);
        var time = TimeProvider.System;
        var group = "g" + Guid.NewGuid().ToString("N")[..10];
        await new DatasetGroupService(
            groups, datasets, Store<Core.Solutions.Solution>(clients, StorageNames.SolutionsTable, "solution"),
            Store<Core.Events.EventTracker>(clients, StorageNames.EventTrackersTable, "event tracker"),
            Store<Core.Filters.Filter>(clients, StorageNames.FiltersTable, "filter"), time).CreateAsync(group, null);
        var schemaService = new SchemaService(schemas, time);
        await schemaService.CreateAsync(group + "-items", s_items.ToJson(), null);
        await schemaService.CreateAsync(group + "-interactions", s_interactions.ToJson(), null);
        var datasetService = new DatasetService(datasets, groups, schemas, segments, time);
        await datasetService.CreateAsync(group + "-items", group, "Items", group + "-items", null);
        await datasetService.CreateAsync(group + "-interactions", group, "Interactions", group + "-interactions", null);
        var runner = new DatasetImportRunner(jobs, datasets, schemas, segments, new BlobImportFileStore(clients), time, new Core.Jobs.JobRunner(time), options: options);
        return new Harness(clients, runner, segments, group);
    }

    private static TableResourceStore<T> Store<T>(StorageClients clients, string table, string type)
        where T : class, IResource
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };
        options.Converters.Add(new JsonStringEnumConverter());
        return new TableResourceStore<T>(clients.Table(table), (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)), type);
    }

    private static async Task<DatasetImportJob> DropAsync(Harness h, string path, string csv)
    {
        var blob = h.Group + "/" + path;
        var uploaded = await h.Clients.Container(StorageNames.ImportsContainer).GetBlobClient(blob)
            .UploadAsync(BinaryData.FromString(csv), overwrite: true);
        return (await h.Runner.RunAsync(new Core.Jobs.ImportJobMessage(blob, uploaded.Value.ETag.ToString(), null), Core.Jobs.JobDelivery.Once)).Record!;
    }

    private static string Items(int count, int rejected = 0)
    {
        var csv = new StringBuilder("ITEM_ID,PRICE\n");
        for (var i = 0; i < count; i++)
        {
            csv.Append("item").Append(i).Append(',').Append(i < rejected ? "not-a-number" : "1.5").Append('\n');
        }

        return csv.ToString();
    }

    [Fact]
    public async Task Re_dropping_an_identical_incremental_file_is_a_duplicate_and_adds_no_rows()
    {
        var h = await NewAsync();
        const string Csv = "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE\nu1,i1,1700000000,click\nu2,i2,1700000001,click\n";

        var first = await DropAsync(h, "Interactions/incremental/day1.csv", Csv);
        var again = await DropAsync(h, "Interactions/incremental/day1.csv", Csv); // same bytes, new ETag
        var copy = await DropAsync(h, "Interactions/incremental/copy-of-day1.csv", Csv);
        var other = await DropAsync(h, "Interactions/incremental/day2.csv", Csv + "u3,i3,1700000002,click\n");

        Assert.Equal(ResourceStatus.Active, first.State.Status);
        Assert.Equal(2, first.RowsImported);
        Assert.NotNull(first.ContentSha256);
        foreach (var duplicate in new[] { again, copy })
        {
            Assert.NotEqual(first.Name, duplicate.Name);
            Assert.Equal(ResourceStatus.Active, duplicate.State.Status);
            Assert.Equal(0, duplicate.RowsImported);
            Assert.Equal(2, duplicate.RowsRead);
            Assert.Equal(first.Name, duplicate.DuplicateOf);
        }

        Assert.Null(other.DuplicateOf);
        Assert.Equal(3, other.RowsImported);
        var manifest = await h.Segments.ReadManifestAsync(h.Group, DatasetType.Interactions);
        Assert.Equal(5, manifest.Rows);
        Assert.Equal(2, manifest.Segments.Count);
    }

    [Fact]
    public async Task A_full_import_rejecting_more_than_the_threshold_fails_and_keeps_the_data()
    {
        var h = await NewAsync();
        Assert.Equal(ResourceStatus.Active, (await DropAsync(h, "Items/catalog.csv", Items(20))).State.Status);

        var halfBad = await DropAsync(h, "Items/catalog.csv", Items(2, rejected: 1));

        Assert.Equal(ResourceStatus.CreateFailed, halfBad.State.Status);
        Assert.Equal(DatasetImportOptions.Safeguards.MaxRejectedPercent, halfBad.SafeguardFired);
        Assert.Equal(20, halfBad.PreviousRows);
        Assert.Equal(1, halfBad.RowsRejected);
        Assert.Equal(0, halfBad.RowsImported);
        Assert.Contains("1 of 2 rows", halfBad.State.FailureReason, StringComparison.Ordinal);
        Assert.Equal(20, (await h.Segments.ReadManifestAsync(h.Group, DatasetType.Items)).Rows);
    }

    [Fact]
    public async Task A_full_import_that_would_halve_the_dataset_fails_unless_the_path_allows_it()
    {
        var h = await NewAsync();
        await DropAsync(h, "Items/catalog.csv", Items(20));

        var shrunk = await DropAsync(h, "Items/catalog.csv", Items(9));
        Assert.Equal(ResourceStatus.CreateFailed, shrunk.State.Status);
        Assert.Equal(DatasetImportOptions.Safeguards.AllowShrink, shrunk.SafeguardFired);
        Assert.Equal(20, shrunk.PreviousRows);
        Assert.Equal(20, (await h.Segments.ReadManifestAsync(h.Group, DatasetType.Items)).Rows);

        var half = await DropAsync(h, "Items/catalog.csv", Items(10));
        Assert.Equal(ResourceStatus.Active, half.State.Status); // exactly half is not "more than half"

        var allowed = await DropAsync(h, "Items/allow-shrink/catalog.csv", Items(2));
        Assert.Equal(ResourceStatus.Active, allowed.State.Status);
        Assert.Equal(2, (await h.Segments.ReadManifestAsync(h.Group, DatasetType.Items)).Rows);
    }

    [Fact]
    public async Task The_job_or_the_setting_can_raise_the_rejection_threshold()
    {
        var h = await NewAsync();
        await DropAsync(h, "Items/catalog.csv", Items(4));

        var raised = await DropAsync(h, "Items/max-rejected-60/catalog.csv", Items(6, rejected: 3));
        Assert.Equal(ResourceStatus.Active, raised.State.Status);
        Assert.Equal(3, (await h.Segments.ReadManifestAsync(h.Group, DatasetType.Items)).Rows);

        var lenient = await NewAsync(new DatasetImportOptions { MaxRejectedPercent = 100 });
        await DropAsync(lenient, "Items/catalog.csv", Items(4));
        var accepted = await DropAsync(lenient, "Items/catalog.csv", Items(4, rejected: 2));
        Assert.Equal(ResourceStatus.Active, accepted.State.Status);
        Assert.Null(accepted.SafeguardFired);
    }

    [Fact]
    public async Task A_first_full_import_has_nothing_to_lose_and_is_not_held_back()
    {
        var h = await NewAsync();
        var first = await DropAsync(h, "Items/catalog.csv", Items(4, rejected: 2));

        Assert.Equal(ResourceStatus.Active, first.State.Status);
        Assert.Equal(2, first.RowsImported);
    }

    [Fact]
    public async Task A_malformed_threshold_folder_fails_the_job_with_the_reason()
    {
        var h = await NewAsync();
        var job = await DropAsync(h, "Items/max-rejected-NaN/catalog.csv", Items(2));

        Assert.Equal(ResourceStatus.CreateFailed, job.State.Status);
        Assert.Contains("max-rejected-", job.State.FailureReason, StringComparison.Ordinal);
    }
}
