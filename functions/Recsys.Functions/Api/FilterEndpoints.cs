namespace Recsys.Functions.Api;

/// <summary>Filters (manage API): Personalize's filter expression language.</summary>
internal static class FilterEndpoints
{
    public static IServiceCollection AddFilterServices(this IServiceCollection services) => services;

    public static RouteGroupBuilder MapFilterEndpoints(this RouteGroupBuilder manage) => manage;
}
