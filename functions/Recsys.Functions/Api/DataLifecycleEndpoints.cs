namespace Recsys.Functions.Api;

/// <summary>Dataset export jobs and data deletion jobs (manage API) and the data job function.</summary>
internal static class DataLifecycleEndpoints
{
    public static IServiceCollection AddDataLifecycleServices(this IServiceCollection services) => services;

    public static RouteGroupBuilder MapDataLifecycleEndpoints(this RouteGroupBuilder manage) => manage;
}
