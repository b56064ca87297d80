using Recsys.Functions.Invocation;

namespace Recsys.Functions.Jobs;

/// <summary>Scheduled retraining and campaign refresh (timer functions).</summary>
internal static class SchedulingSetup
{
    public static IServiceCollection AddSchedulingServices(this IServiceCollection services)
    {
        services.AddSingleton<IInvocationHandler, RetrainTimerFunction>();
        services.AddSingleton<IInvocationHandler, CampaignRefreshTimerFunction>();
        return services;
    }
}
