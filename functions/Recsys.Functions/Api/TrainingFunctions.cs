using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Recsys.Core.DatasetGroups;
using Recsys.Core.Jobs;
using Recsys.Core.Recipes;
using Recsys.Core.Resources;
using Recsys.Core.Solutions;
using Recsys.Functions.Http;

namespace Recsys.Functions.Api;

/// <summary>Manage API for recipes: <c>/api/manage/recipes</c>.</summary>
[OpenApiTag("Recipes")]
internal sealed class RecipeFunctions
{
    [Function("ListRecipes")]
    public static Ok<ListRecipesResponse> List(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/recipes")] HttpRequest request)
        => TypedResults.Ok(new ListRecipesResponse([.. RecipeCatalog.All.Select(r => new RecipeSummary(r.Name, r.Arn, r.RecipeType, "ACTIVE"))]));

    [Function("DescribeRecipe")]
    public static Ok<DescribeRecipeResponse> Describe(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/recipes/{*recipe}")] HttpRequest request, string? recipe)
        => TypedResults.Ok(new DescribeRecipeResponse(RecipeView.From(RecipeCatalog.Get(RouteIdentifier.Decode(recipe)))));
}

/// <summary>Manage API for solutions: <c>/api/manage/solutions</c>.</summary>
[OpenApiTag("Solutions")]
internal sealed class SolutionFunctions(SolutionService service)
{
    [Function("CreateSolution")]
    [OpenApiBody(typeof(CreateSolutionRequest))]
    public async Task<Created<CreateSolutionResponse>> CreateAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "manage/solutions")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<CreateSolutionRequest>(cancellationToken);
        var created = await service.CreateAsync(body.Name, body.DatasetGroupArn, body.RecipeArn, body.EventType, body.PerformHpo, body.SolutionConfig, body.PerformAutoTraining, cancellationToken);
        return TypedResults.Created($"/api/manage/solutions/{created.Value.Name}", new CreateSolutionResponse(created.Value.Arn));
    }

    [Function("ListSolutions")]
    [OpenApiQuery("datasetGroupArn", typeof(string))]
    [OpenApiQuery("maxResults", typeof(int))]
    [OpenApiQuery("nextToken", typeof(string))]
    public async Task<Ok<ListSolutionsResponse>> ListAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/solutions")] HttpRequest request, CancellationToken cancellationToken)
    {
        var page = await service.ListAsync(request.QueryString("datasetGroupArn"), request.QueryInt("maxResults"), request.QueryString("nextToken"), cancellationToken);
        return TypedResults.Ok(new ListSolutionsResponse([.. page.Items.Select(SolutionView.From)], page.NextToken));
    }

    [Function("DescribeSolution")]
    public async Task<Ok<DescribeSolutionResponse>> DescribeAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/solutions/{*solution}")] HttpRequest request, string? solution, CancellationToken cancellationToken)
        => TypedResults.Ok(new DescribeSolutionResponse(SolutionView.From((await service.DescribeAsync(RouteIdentifier.Decode(solution), cancellationToken)).Value)));

    [Function("DeleteSolution")]
    public async Task<NoContent> DeleteAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = "manage/solutions/{*solution}")] HttpRequest request, string? solution, CancellationToken cancellationToken)
    {
        await service.DeleteAsync(RouteIdentifier.Decode(solution), cancellationToken);
        return TypedResults.NoContent();
    }
}

/// <summary>Manage API for solution versions and their metrics: <c>/api/manage/solution-versions</c>.</summary>
[OpenApiTag("Solution versions")]
internal sealed class SolutionVersionFunctions(SolutionService service, JobRunner runner, TimeProvider time)
{
    [Function("CreateSolutionVersion")]
    [OpenApiBody(typeof(CreateSolutionVersionRequest))]
    public async Task<Created<CreateSolutionVersionResponse>> CreateAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "manage/solution-versions")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await request.ReadJsonAsync<CreateSolutionVersionRequest>(cancellationToken);
        var created = await service.CreateVersionAsync(body.SolutionArn, body.TrainingMode, cancellationToken: cancellationToken);
        return TypedResults.Created($"/api/manage/solution-versions/{created.Value.Solution}/{created.Value.Name}", new CreateSolutionVersionResponse(created.Value.Arn));
    }

    [Function("ListSolutionVersions")]
    [OpenApiQuery("solutionArn", typeof(string))]
    [OpenApiQuery("maxResults", typeof(int))]
    [OpenApiQuery("nextToken", typeof(string))]
    public async Task<Ok<ListSolutionVersionsResponse>> ListAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/solution-versions")] HttpRequest request, CancellationToken cancellationToken)
    {
        var page = await service.ListVersionsAsync(request.QueryString("solutionArn"), request.QueryInt("maxResults"), request.QueryString("nextToken"), cancellationToken);
        return TypedResults.Ok(new ListSolutionVersionsResponse([.. page.Items.Select(v => SolutionVersionView.From(v, runner, time.GetUtcNow()))], page.NextToken));
    }

    /// <summary>
    /// DescribeSolutionVersion (<c>…/{ARN or solution/version}</c>), and GetSolutionMetrics on the same path plus
    /// <c>/metrics</c>: one catch-all route, so that an ARN works unencoded.
    /// </summary>
    [Function("DescribeSolutionVersion")]
    [OpenApiSuffixOperation("GetSolutionMetrics", "metrics", typeof(Ok<GetSolutionMetricsResponse>))]
    public async Task<Results<Ok<DescribeSolutionVersionResponse>, Ok<GetSolutionMetricsResponse>>> DescribeAsync(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = "manage/solution-versions/{*solutionVersion}")] HttpRequest request, string? solutionVersion, CancellationToken cancellationToken)
    {
        if (RouteIdentifier.TrySplitSuffix(solutionVersion, "metrics", IsVersionIdentifier, out var identifier))
        {
            var version = await service.GetMetricsAsync(identifier, cancellationToken);
            return TypedResults.Ok(new GetSolutionMetricsResponse(version.Arn, version.Metrics!, version.Evaluation, version.PhaseSeconds));
        }

        return TypedResults.Ok(new DescribeSolutionVersionResponse(SolutionVersionView.From((await service.DescribeVersionAsync(identifier, cancellationToken)).Value, runner, time.GetUtcNow())));
    }

    private static bool IsVersionIdentifier(string value)
        => value.StartsWith("arn:", StringComparison.Ordinal) || value.Count(c => c == '/') == 1;
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

/// <summary>A solution version with Personalize's field names, and <c>stale</c> when its training's heartbeat stopped.</summary>
internal sealed record SolutionVersionView(
    string SolutionVersionArn, string SolutionArn, string DatasetGroupArn, string RecipeArn, string TrainingMode, string TrainingType,
    string Status, string? FailureReason, string Phase, int PercentComplete, double? TrainingHours,
    [property: JsonPropertyName("tunedHPOParams")] TunedHpoParams? TunedHpoParams, string? ModelLocation,
    DateTimeOffset CreationDateTime, DateTimeOffset LastUpdatedDateTime, bool? Stale)
{
    public static SolutionVersionView From(SolutionVersion v, JobRunner runner, DateTimeOffset now) => new(
        v.Arn, ResourceArn.For(Solution.ResourceType, v.Solution), ResourceArn.For(DatasetGroup.ResourceType, v.DatasetGroup),
        ResourceArn.For(Recipe.ResourceType, v.Recipe), v.TrainingMode.ToString().ToUpperInvariant(), v.TrainingType,
        v.State.Status, v.State.FailureReason, v.Phase, v.PercentComplete, v.TrainingHours,
        v.TunedHpoParams is null ? null : new TunedHpoParams(v.TunedHpoParams), v.ModelLocation,
        v.State.CreationDateTime, v.State.LastUpdatedDateTime, runner.IsStale(v.State, now) ? true : null);
}

internal sealed record TunedHpoParams(IReadOnlyDictionary<string, string> AlgorithmHyperParameters);

/// <summary>getSolutionMetrics: the metrics, the evaluation (split and configurations tried) and the seconds of each training phase.</summary>
internal sealed record GetSolutionMetricsResponse(
    string SolutionVersionArn, IReadOnlyDictionary<string, double> Metrics, EvaluationSummary? Evaluation, IReadOnlyDictionary<string, double>? PhaseSeconds);
