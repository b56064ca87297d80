using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Recsys.Core.DatasetGroups;
using Recsys.Core.Datasets;
using Recsys.Core.Events;
using Recsys.Core.Recipes;
using Recsys.Core.Resources;
using Recsys.Core.Solutions;
using Recsys.Functions.Invocation;
using Recsys.Functions.Jobs;
using Recsys.Ranking;
using Recsys.Storage;
using Recsys.Storage.Models;

namespace Recsys.Functions.Api;

/// <summary>Recipes, solutions, solution versions and their metrics (manage API), and the training job.</summary>
internal static class TrainingEndpoints
{
    public static IServiceCollection AddTrainingServices(this IServiceCollection services)
    {
        services.AddSingleton<IResourceStore<Solution>>(sp => new TableResourceStore<Solution>(
            sp.GetRequiredService<StorageClients>().Table(StorageNames.SolutionsTable), TrainingJson.Default.Solution, "solution"));
        services.AddSingleton<IResourceStore<SolutionVersion>>(sp => new TableResourceStore<SolutionVersion>(
            sp.GetRequiredService<StorageClients>().Table(StorageNames.SolutionVersionsTable), TrainingJson.Default.SolutionVersion, "solution version"));
        services.AddSingleton<ISolutionModelStore, BlobSolutionModelStore>();
        services.AddSingleton<ITrainingJobScheduler, QueueTrainingJobScheduler>();
        services.AddSingleton<ILearningToRank, LightGbmLearningToRank>();
        services.AddSingleton(sp => new TrainingDataLoader(
            sp.GetRequiredService<TrainingDataReader>(), sp.GetRequiredService<IDatasetSegmentStore>(), sp.GetService<IEventStore>()));
        services.AddSingleton<SolutionService>();
        services.AddSingleton(sp => new TrainingRunner(
            sp.GetRequiredService<IResourceStore<Solution>>(), sp.GetRequiredService<IResourceStore<SolutionVersion>>(),
            sp.GetRequiredService<TrainingDataLoader>(), sp.GetRequiredService<ISolutionModelStore>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILearningToRank>(), sp.GetService<Recsys.Core.Telemetry.RecsysMetrics>()));
        services.AddSingleton(sp => new SolutionModelLoader(
            sp.GetRequiredService<SolutionService>(), sp.GetRequiredService<ISolutionModelStore>(), sp.GetRequiredService<ILearningToRank>(),
            sp.GetRequiredService<IConfiguration>().GetValue("Recsys:Serving:ModelCacheMegabytes", SolutionModelLoader.DefaultMemoryBudgetBytes / (1024 * 1024)) * 1024 * 1024,
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IInvocationHandler, TrainingJobFunction>();
        return services;
    }

    public static RouteGroupBuilder MapTrainingEndpoints(this RouteGroupBuilder manage)
    {
        var recipes = manage.MapGroup("/recipes").WithTags("Recipes");
        recipes.MapGet("/", ListRecipes).WithName("ListRecipes");
        recipes.MapGet("/{recipe}", DescribeRecipe).WithName("DescribeRecipe");

        var solutions = manage.MapGroup("/solutions").WithTags("Solutions");
        solutions.MapPost("/", CreateSolutionAsync).WithName("CreateSolution");
        solutions.MapGet("/", ListSolutionsAsync).WithName("ListSolutions");
        solutions.MapGet("/{solution}", DescribeSolutionAsync).WithName("DescribeSolution");
        solutions.MapDelete("/{solution}", DeleteSolutionAsync).WithName("DeleteSolution");

        var versions = manage.MapGroup("/solution-versions").WithTags("Solution versions");
        versions.MapPost("/", CreateVersionAsync).WithName("CreateSolutionVersion");
        versions.MapGet("/", ListVersionsAsync).WithName("ListSolutionVersions");
        versions.MapGet("/{solutionVersion}", (string solutionVersion, SolutionService service, CancellationToken ct) => DescribeVersionAsync(Uri.UnescapeDataString(solutionVersion), service, ct))
            .WithName("DescribeSolutionVersion");
        versions.MapGet("/{solution}/{version}", (string solution, string version, SolutionService service, CancellationToken ct) => DescribeVersionAsync(solution + "/" + version, service, ct))
            .WithName("DescribeSolutionVersionByPath");
        versions.MapGet("/{solutionVersion}/metrics", (string solutionVersion, SolutionService service, CancellationToken ct) => MetricsAsync(Uri.UnescapeDataString(solutionVersion), service, ct))
            .WithName("GetSolutionMetrics");
        versions.MapGet("/{solution}/{version}/metrics", (string solution, string version, SolutionService service, CancellationToken ct) => MetricsAsync(solution + "/" + version, service, ct))
            .WithName("GetSolutionMetricsByPath");
        return manage;
    }

    private static Ok<ListRecipesResponse> ListRecipes()
        => TypedResults.Ok(new ListRecipesResponse([.. RecipeCatalog.All.Select(r => new RecipeSummary(r.Name, r.Arn, r.RecipeType, "ACTIVE"))]));

    private static Ok<DescribeRecipeResponse> DescribeRecipe(string recipe)
        => TypedResults.Ok(new DescribeRecipeResponse(RecipeView.From(RecipeCatalog.Get(Uri.UnescapeDataString(recipe)))));

    private static async Task<Created<CreateSolutionResponse>> CreateSolutionAsync(CreateSolutionRequest request, SolutionService service, CancellationToken cancellationToken)
    {
        var created = await service.CreateAsync(request.Name, request.DatasetGroupArn, request.RecipeArn, request.EventType, request.PerformHpo, request.SolutionConfig, request.PerformAutoTraining, cancellationToken);
        return TypedResults.Created($"/api/manage/solutions/{created.Value.Name}", new CreateSolutionResponse(created.Value.Arn));
    }

    private static async Task<Ok<ListSolutionsResponse>> ListSolutionsAsync(SolutionService service, string? datasetGroupArn, int? maxResults, string? nextToken, CancellationToken cancellationToken)
    {
        var page = await service.ListAsync(datasetGroupArn, maxResults, nextToken, cancellationToken);
        return TypedResults.Ok(new ListSolutionsResponse([.. page.Items.Select(SolutionView.From)], page.NextToken));
    }

    private static async Task<Ok<DescribeSolutionResponse>> DescribeSolutionAsync(string solution, SolutionService service, CancellationToken cancellationToken)
        => TypedResults.Ok(new DescribeSolutionResponse(SolutionView.From((await service.DescribeAsync(Uri.UnescapeDataString(solution), cancellationToken)).Value)));

    private static async Task<NoContent> DeleteSolutionAsync(string solution, SolutionService service, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(Uri.UnescapeDataString(solution), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Created<CreateSolutionVersionResponse>> CreateVersionAsync(CreateSolutionVersionRequest request, SolutionService service, CancellationToken cancellationToken)
    {
        var created = await service.CreateVersionAsync(request.SolutionArn, request.TrainingMode, cancellationToken: cancellationToken);
        return TypedResults.Created($"/api/manage/solution-versions/{created.Value.Solution}/{created.Value.Name}", new CreateSolutionVersionResponse(created.Value.Arn));
    }

    private static async Task<Ok<ListSolutionVersionsResponse>> ListVersionsAsync(SolutionService service, string? solutionArn, int? maxResults, string? nextToken, CancellationToken cancellationToken)
    {
        var page = await service.ListVersionsAsync(solutionArn, maxResults, nextToken, cancellationToken);
        return TypedResults.Ok(new ListSolutionVersionsResponse([.. page.Items.Select(SolutionVersionView.From)], page.NextToken));
    }

    private static async Task<Ok<DescribeSolutionVersionResponse>> DescribeVersionAsync(string identifier, SolutionService service, CancellationToken cancellationToken)
        => TypedResults.Ok(new DescribeSolutionVersionResponse(SolutionVersionView.From((await service.DescribeVersionAsync(identifier, cancellationToken)).Value)));

    private static async Task<Ok<GetSolutionMetricsResponse>> MetricsAsync(string identifier, SolutionService service, CancellationToken cancellationToken)
    {
        var version = await service.GetMetricsAsync(identifier, cancellationToken);
        return TypedResults.Ok(new GetSolutionMetricsResponse(version.Arn, version.Metrics!, version.Evaluation));
    }
}

internal sealed record RecipeSummary(string Name, string RecipeArn, string RecipeType, string Status);

internal sealed record ListRecipesResponse(IReadOnlyList<RecipeSummary> Recipes);

internal sealed record DescribeRecipeResponse(RecipeView Recipe);

internal sealed record HyperparameterView(string Name, string Type, string DefaultValue, double? MinValue, double? MaxValue, IReadOnlyList<string>? Values, bool IsTunable, string Description);

internal sealed record RecipeView(
    string Name, string RecipeArn, string RecipeType, string Description, string Status,
    [property: JsonPropertyName("supportsHPO")] bool SupportsHpo, bool UsesItemMetadata, IReadOnlyList<HyperparameterView> Hyperparameters)
{
    public static RecipeView From(Recipe recipe) => new(
        recipe.Name, recipe.Arn, recipe.RecipeType, recipe.Description, "ACTIVE", recipe.SupportsHpo, recipe.UsesItemMetadata,
        [.. recipe.Hyperparameters.Select(h => new HyperparameterView(
            h.Name,
            h.Kind switch { HyperparameterKind.Whole => "integer", HyperparameterKind.Continuous => "continuous", _ => "categorical" },
            h.DefaultValue, h.MinValue, h.MaxValue, h.Values, h.IsTunable, h.Description))]);
}

internal sealed record CreateSolutionRequest(
    string? Name, string? DatasetGroupArn, string? RecipeArn, string? EventType,
    [property: JsonPropertyName("performHPO")] bool? PerformHpo, SolutionConfig? SolutionConfig, bool? PerformAutoTraining = null);

internal sealed record CreateSolutionResponse(string SolutionArn);

internal sealed record DescribeSolutionResponse(SolutionView Solution);

internal sealed record ListSolutionsResponse(IReadOnlyList<SolutionView> Solutions, string? NextToken);

internal sealed record SolutionView(
    string Name, string SolutionArn, string DatasetGroupArn, string RecipeArn, string? EventType,
    [property: JsonPropertyName("performHPO")] bool PerformHpo, bool PerformAutoTraining, SolutionConfig SolutionConfig, string Status, string? FailureReason,
    string? LatestSolutionVersionArn, DateTimeOffset CreationDateTime, DateTimeOffset LastUpdatedDateTime)
{
    public static SolutionView From(Solution s) => new(
        s.Name, s.Arn, ResourceArn.For(DatasetGroup.ResourceType, s.DatasetGroup), ResourceArn.For(Recipe.ResourceType, s.Recipe), s.EventType,
        s.PerformHpo, s.PerformAutoTraining, s.SolutionConfig, s.State.Status, s.State.FailureReason,
        s.LatestSolutionVersion is null ? null : ResourceArn.For(SolutionVersion.ResourceType, s.Name + "/" + s.LatestSolutionVersion),
        s.State.CreationDateTime, s.State.LastUpdatedDateTime);
}

internal sealed record CreateSolutionVersionRequest(string? SolutionArn, string? TrainingMode, string? Name);

internal sealed record CreateSolutionVersionResponse(string SolutionVersionArn);

internal sealed record DescribeSolutionVersionResponse(SolutionVersionView SolutionVersion);

internal sealed record ListSolutionVersionsResponse(IReadOnlyList<SolutionVersionView> SolutionVersions, string? NextToken);

internal sealed record SolutionVersionView(
    string SolutionVersionArn, string SolutionArn, string DatasetGroupArn, string RecipeArn, string TrainingMode, string TrainingType,
    string Status, string? FailureReason, string Phase, int PercentComplete, double? TrainingHours,
    [property: JsonPropertyName("tunedHPOParams")] TunedHpoParams? TunedHpoParams, string? ModelLocation,
    DateTimeOffset CreationDateTime, DateTimeOffset LastUpdatedDateTime)
{
    public static SolutionVersionView From(SolutionVersion v) => new(
        v.Arn, ResourceArn.For(Solution.ResourceType, v.Solution), ResourceArn.For(DatasetGroup.ResourceType, v.DatasetGroup),
        ResourceArn.For(Recipe.ResourceType, v.Recipe), v.TrainingMode.ToString().ToUpperInvariant(), v.TrainingType,
        v.State.Status, v.State.FailureReason, v.Phase, v.PercentComplete, v.TrainingHours,
        v.TunedHpoParams is null ? null : new TunedHpoParams(v.TunedHpoParams), v.ModelLocation,
        v.State.CreationDateTime, v.State.LastUpdatedDateTime);
}

internal sealed record TunedHpoParams(IReadOnlyDictionary<string, string> AlgorithmHyperParameters);

internal sealed record GetSolutionMetricsResponse(string SolutionVersionArn, IReadOnlyDictionary<string, double> Metrics, EvaluationSummary? Evaluation);
