namespace Recsys.Functions.Api;

/// <summary>Batch inference and batch segment jobs (manage API) and the batch job function.</summary>
internal static class BatchEndpoints
{
    public static IServiceCollection AddBatchServices(this IServiceCollection services) => services;

    public static RouteGroupBuilder MapBatchEndpoints(this RouteGroupBuilder manage) => manage;
}
