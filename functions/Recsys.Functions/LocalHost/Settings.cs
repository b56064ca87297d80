using System.Text.RegularExpressions;

namespace Recsys.Functions.LocalHost;

/// <summary>App-setting expansion as the Functions host does it: <c>%Name%</c> becomes the setting's value.</summary>
internal static partial class Settings
{
    [GeneratedRegex("%([^%]+)%", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    /// <summary>Expands every <c>%Name%</c>; throws naming a setting that is not set.</summary>
    public static string Expand(string value, IConfiguration configuration, string usedBy)
        => Placeholder().Replace(value, m =>
            configuration[m.Groups[1].Value]
            ?? throw new InvalidOperationException($"{usedBy} uses the app setting '{m.Groups[1].Value}', which is not set."));

    /// <summary>Whether the function is disabled by <c>AzureWebJobs.{name}.Disabled</c>.</summary>
    public static bool IsDisabled(IConfiguration configuration, string functionName)
        => bool.TryParse(configuration[$"AzureWebJobs.{functionName}.Disabled"] ?? configuration[$"AzureWebJobs:{functionName}:Disabled"], out var disabled) && disabled;
}
