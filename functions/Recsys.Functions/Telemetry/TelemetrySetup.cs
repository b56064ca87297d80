using System.Diagnostics.Metrics;
using Azure.Identity;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Azure.Monitor.OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Recsys.Core.Telemetry;

namespace Recsys.Functions.Telemetry;

/// <summary>OpenTelemetry logs, traces and metrics: Azure Monitor when configured, the console locally.</summary>
/// <remarks>
/// <para>
/// Sources: the Functions worker (one span per invocation, correlated with the host's, and its resource attributes),
/// HttpClient (storage and other outgoing calls), and Recsys's own meter and activity source (<see cref="RecsysMetrics"/>).
/// </para>
/// <para>
/// Exporters: Azure Monitor when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set (with
/// <c>APPLICATIONINSIGHTS_AUTHENTICATION_STRING=Authorization=AAD[;ClientId=…]</c> it authenticates with the managed
/// identity instead of the key); the console when <c>Recsys:Telemetry:Console</c> is true. With neither, OpenTelemetry
/// is not started at all, so the default console output stays the plain log. Export runs in the background:
/// an unreachable endpoint loses telemetry, never a request.
/// </para>
/// </remarks>
internal static class TelemetrySetup
{
    /// <summary>The connection string setting, as Azure Functions and Application Insights name it.</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    /// <summary>Entra ID authentication for the ingestion endpoint, as Azure Functions names it.</summary>
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>Setting that turns on the console exporter (traces and metrics) for local runs.</summary>
    public const string ConsoleSetting = "Recsys:Telemetry:Console";

    /// <summary>The service name that telemetry carries (Application Insights' cloud role name).</summary>
    public const string ServiceName = "recsys";

    public static IHostApplicationBuilder AddRecsysTelemetry(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddMetrics();
        services.AddSingleton(sp => new RecsysMetrics(sp.GetService<IMeterFactory>()));

        var connectionString = builder.Configuration[ConnectionStringSetting];
        var azureMonitor = !string.IsNullOrWhiteSpace(connectionString);
        var console = builder.Configuration.GetValue(ConsoleSetting, false);
        if (!azureMonitor && !console)
        {
            return builder;
        }

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName, serviceInstanceId: Environment.MachineName))
            .WithTracing(tracing => tracing
                .AddSource(RecsysMetrics.ActivitySourceName)
                .AddHttpClientInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(RecsysMetrics.MeterName)
                .AddHttpClientInstrumentation())
            .WithLogging();
        telemetry.UseFunctionsWorkerDefaults();

        if (azureMonitor)
        {
            var authentication = builder.Configuration[AuthenticationStringSetting];
            telemetry.UseAzureMonitorExporter(options =>
            {
                options.ConnectionString = connectionString;
                options.EnableLiveMetrics = false;
                if (ManagedIdentityClientId(authentication) is { } clientId)
                {
                    options.Credential = new ManagedIdentityCredential(
                        clientId.Length == 0 ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(clientId));
                }
            });
        }

        if (console)
        {
            // Logs already go to the console through the default logger; only traces and metrics are added.
            telemetry.WithTracing(tracing => tracing.AddConsoleExporter());
            telemetry.WithMetrics(metrics => metrics.AddConsoleExporter());
        }

        return builder;
    }

    /// <summary>
    /// The managed identity to authenticate with, from <c>Authorization=AAD;ClientId=…</c>: the client ID, an empty
    /// string for the system-assigned identity, or null when the string does not ask for Entra ID.
    /// </summary>
    internal static string? ManagedIdentityClientId(string? authenticationString)
    {
        if (string.IsNullOrWhiteSpace(authenticationString))
        {
            return null;
        }

        var parts = authenticationString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2, StringSplitOptions.TrimEntries))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.OrdinalIgnoreCase);
        return parts.TryGetValue("Authorization", out var kind) && string.Equals(kind, "AAD", StringComparison.OrdinalIgnoreCase)
            ? parts.GetValueOrDefault("ClientId") ?? string.Empty
            : null;
    }
}
