using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Recsys.Core.Telemetry;
using Recsys.Functions.Telemetry;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>Telemetry is wired only when asked for, and an unreachable exporter never breaks a request.</summary>
public sealed class TelemetryTests(AzuriteFixture azurite) : IClassFixture<AzuriteFixture>
{
    [Fact]
    public async Task With_an_Application_Insights_connection_string_the_app_exports_and_still_serves()
    {
        await using var host = await FunctionsHost.StartAsync(azurite.ConnectionString, new Dictionary<string, string?>
        {
            // Syntactically valid, pointing at a port where nothing listens: every export fails.
            [TelemetrySetup.ConnectionStringSetting] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/",
        });

        Assert.NotNull(host.Services.GetService<TracerProvider>());
        Assert.NotNull(host.Services.GetService<MeterProvider>());
        for (var i = 0; i < 3; i++)
        {
            using var response = await host.Client.GetAsync(new Uri("/api/health", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        // A flush to the unreachable endpoint fails quietly (its result is false), and requests go on being served.
        host.Services.GetRequiredService<MeterProvider>().ForceFlush(5_000);
        host.Services.GetRequiredService<TracerProvider>().ForceFlush(5_000);
        using var after = await host.Client.GetAsync(new Uri("/api/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Without_settings_OpenTelemetry_stays_off_and_the_metrics_are_still_injected()
    {
        await using var host = await FunctionsHost.StartAsync(azurite.ConnectionString);

        Assert.Null(host.Services.GetService<TracerProvider>());
        Assert.Null(host.Services.GetService<MeterProvider>());
        Assert.Equal(RecsysMetrics.MeterName, host.Services.GetRequiredService<RecsysMetrics>().Meter.Name);
        using var response = await host.Client.GetAsync(new Uri("/api/health", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("Authorization=AAD", "")]
    [InlineData("Authorization=AAD;ClientId=1234", "1234")]
    [InlineData("authorization = aad ; clientid = abc", "abc")]
    [InlineData("Authorization=Key", null)]
    public void The_authentication_string_selects_the_managed_identity(string? value, string? clientId)
        => Assert.Equal(clientId, TelemetrySetup.ManagedIdentityClientId(value));
}
