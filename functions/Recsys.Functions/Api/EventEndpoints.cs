namespace Recsys.Functions.Api;

/// <summary>Event trackers (manage API) and the events API: PutEvents, PutItems, PutUsers.</summary>
internal static class EventEndpoints
{
    public static IServiceCollection AddEventServices(this IServiceCollection services) => services;

    public static RouteGroupBuilder MapEventTrackerEndpoints(this RouteGroupBuilder manage) => manage;

    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder api) => api;
}
