namespace Recsys.Functions.Api;

/// <summary>Recipes, solutions, solution versions and their metrics (manage API), and the training job.</summary>
internal static class TrainingEndpoints
{
    public static IServiceCollection AddTrainingServices(this IServiceCollection services) => services;

    public static RouteGroupBuilder MapTrainingEndpoints(this RouteGroupBuilder manage) => manage;
}
