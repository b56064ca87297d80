namespace Recsys.DevHost.Demo;

internal sealed class DemoLoader : BackgroundService
{
    public const string HttpClientName = "demo";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;
}
