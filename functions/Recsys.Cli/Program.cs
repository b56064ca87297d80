using System.CommandLine;
using Recsys.Cli;

// recsys <verb> …: see `--help`. Results go to stdout, progress and errors to stderr; exit codes in ExitCodes.
var endpoint = new Option<string?>("--endpoint") { Description = $"The Recsys app's address (env {CliSettings.EndpointVariable}; default {CliSettings.DefaultEndpoint}, the dev host).", Recursive = true };
var key = new Option<string?>("--key") { Description = $"The master key (env {CliSettings.KeyVariable}; default the sample key of local.settings.sample.json).", Recursive = true };
var storage = new Option<string?>("--storage")
{
    Description = $"The storage account the app watches: a connection string, or a blob account URL for identity-based access (env {CliSettings.StorageVariable}; default {CliSettings.DefaultStorage}, Azurite).",
    Recursive = true,
};

var root = new RootCommand("Recsys from the command line: import your CSVs, go from one interactions file to a deployed campaign, get recommendations, see what is there.");
root.Options.Add(endpoint);
root.Options.Add(key);
root.Options.Add(storage);

var importGroup = new Argument<string>("group") { Description = "The dataset group." };
var importType = new Argument<string>("type") { Description = "Interactions, Items or Users." };
var importFile = new Argument<FileInfo>("file") { Description = "The CSV (or .csv.gz) file." };
var incremental = new Option<bool>("--incremental") { Description = "Add to the dataset instead of replacing it." };
var import = new Command("import", "Upload a CSV to the imports container (imports/{group}/{Type}/[incremental/]{file}) and follow its import job to the end.")
{
    importGroup, importType, importFile, incremental,
};
import.SetAction((parse, cancellationToken) => RunAsync(parse, async client =>
{
    var outcome = await ImportRun.RunAsync(
        client, ImportsContainer.Open(CliSettings.Storage(parse.GetValue(storage))), parse.GetValue(importGroup)!, parse.GetValue(importType)!,
        parse.GetValue(importFile)!.FullName, parse.GetValue(incremental), cancellationToken);
    Console.WriteLine($"{outcome.JobName}\t{outcome.Status}\t{outcome.RowsImported} imported\t{outcome.RowsRejected} rejected");
    return !outcome.Succeeded ? ExitCodes.JobFailed : outcome.RowsRejected > 0 ? ExitCodes.RowsRejected : ExitCodes.Success;
}, cancellationToken));

var interactions = new Argument<FileInfo>("interactions") { Description = "The interactions CSV: a user, an item and a timestamp (epoch seconds) column, e.g. userId,movieId,rating,timestamp." };
var items = new Option<FileInfo?>("--items") { Description = "An items CSV (item id and metadata columns)." };
var users = new Option<FileInfo?>("--users") { Description = "A users CSV (user id and metadata columns)." };
var name = new Option<string?>("--name") { Description = "The dataset group's name (default: the interactions file's name)." };
var recipe = new Option<string>("--recipe") { Description = "The recipe to train.", DefaultValueFactory = _ => QuickstartCommand.DefaultRecipe };
var quickstart = new Command("quickstart", "Infer the schemas, create the dataset group and datasets, import, train, deploy a campaign and show recommendations.")
{
    interactions, items, users, name, recipe,
};
quickstart.SetAction((parse, cancellationToken) => RunAsync(parse, client => QuickstartCommand.RunAsync(
    client, ImportsContainer.Open(CliSettings.Storage(parse.GetValue(storage))), parse.GetValue(interactions)!.FullName, parse.GetValue(items)?.FullName,
    parse.GetValue(users)?.FullName, parse.GetValue(name), parse.GetValue(recipe)!, CliSettings.Key(parse.GetValue(key)) == CliSettings.SampleMasterKey, cancellationToken),
    cancellationToken));

var campaign = new Argument<string>("campaign") { Description = "The campaign's name or ARN." };
var user = new Argument<string?>("user") { Description = "The user to recommend for.", Arity = ArgumentArity.ZeroOrOne };
var count = new Option<int>("--n") { Description = "How many items (1–500).", DefaultValueFactory = _ => 10 };
var item = new Option<string?>("--item") { Description = "Related items for this item instead (with or without a user)." };
var json = new Option<bool>("--json") { Description = "Print the API's JSON answer." };
var recommend = new Command("recommend", "A campaign's recommendations for a user (or related items for an item).") { campaign, user, count, item, json };
recommend.Validators.Add(result =>
{
    if (string.IsNullOrEmpty(result.GetValue(user)) && result.GetValue(item) is null)
    {
        result.AddError("Name a user, or an item with --item.");
    }
});
recommend.SetAction((parse, cancellationToken) => RunAsync(parse, client => RecommendCommand.RunAsync(
    client, parse.GetValue(campaign)!, parse.GetValue(user), parse.GetValue(item), parse.GetValue(count), parse.GetValue(json), cancellationToken), cancellationToken));

var statusGroup = new Argument<string?>("group") { Description = "One dataset group (default: all).", Arity = ArgumentArity.ZeroOrOne };
var status = new Command("status", "Dataset groups, datasets and their rows, imports, solutions and campaigns.") { statusGroup };
status.SetAction((parse, cancellationToken) => RunAsync(parse, client => StatusCommand.RunAsync(client, parse.GetValue(statusGroup), cancellationToken), cancellationToken));

root.Subcommands.Add(import);
root.Subcommands.Add(quickstart);
root.Subcommands.Add(recommend);
root.Subcommands.Add(status);

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    foreach (var error in parsed.Errors)
    {
        Console.Error.WriteLine(error.Message);
    }

    Console.Error.WriteLine("See --help.");
    return ExitCodes.Usage;
}

return await parsed.InvokeAsync();

// One place turns failures into messages on stderr and exit codes.
async Task<int> RunAsync(ParseResult parse, Func<RecsysClient, Task<int>> action, CancellationToken cancellationToken)
{
    var address = CliSettings.Endpoint(parse.GetValue(endpoint));
    if (!Uri.TryCreate(address.EndsWith('/') ? address : address + "/", UriKind.Absolute, out var uri))
    {
        Console.Error.WriteLine($"--endpoint (RECSYS_ENDPOINT) '{address}' is not an address like {CliSettings.DefaultEndpoint}.");
        return ExitCodes.Usage;
    }

    using var client = new RecsysClient(uri, CliSettings.Key(parse.GetValue(key)));
    try
    {
        return await action(client);
    }
    catch (CliException e)
    {
        Console.Error.WriteLine(e.Message);
        return e.ExitCode;
    }
    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
    {
        Console.Error.WriteLine("Stopped (the service goes on with any job already started).");
        return ExitCodes.Unexpected;
    }
}
