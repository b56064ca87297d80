using System.Reflection;
using Recsys.Testing;

namespace Recsys.Infrastructure.Tests;

/// <summary>
/// The Bicep CLI from the NuGet package Azure.Bicep.CommandLine.linux-x64 (a PackageDownload of this project):
/// a native binary under tools/ of the package in the NuGet global packages folder.
/// </summary>
internal static class BicepCli
{
    public const string PackageId = "azure.bicep.commandline.linux-x64";
    public const string Version = "0.49.2";

    private static readonly Lazy<string> s_path = new(Locate);

    public static string Path => s_path.Value;

    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public string Output => StandardOutput + StandardError;

        /// <summary>Diagnostic lines ("file(line,col) : Warning|Error CODE: message") the CLI printed.</summary>
        public IReadOnlyList<string> Diagnostics => Output
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.Contains(": Warning ", StringComparison.Ordinal) || l.Contains(": Error ", StringComparison.Ordinal)
                || l.Contains(": Info ", StringComparison.Ordinal))
            .ToList();

        /// <summary>Clean: exit code 0 and not a single diagnostic (a warning counts as a failure).</summary>
        public bool IsClean => ExitCode == 0 && Diagnostics.Count == 0;
    }

    public static async Task<Result> RunAsync(params string[] arguments)
    {
        var completed = await ProcessResult.RunAsync(Path, arguments, TimeSpan.FromMinutes(3));
        return new Result(completed.ExitCode, completed.Stdout, completed.Stderr);
    }

    private static string Locate()
    {
        var roots = new[]
        {
            typeof(BicepCli).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "NuGetPackageRoot")?.Value,
            Environment.GetEnvironmentVariable("NUGET_PACKAGES"),
            System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        };
        foreach (var root in roots.Where(r => !string.IsNullOrWhiteSpace(r)))
        {
            var candidate = System.IO.Path.Combine(root!, PackageId, Version, "tools", "bicep");
            if (File.Exists(candidate))
            {
                EnsureExecutable(candidate);
                return candidate;
            }
        }

        throw new FileNotFoundException(
            $"The Bicep CLI {Version} is not in the NuGet packages folder (looked under: {string.Join(", ", roots.Where(r => !string.IsNullOrWhiteSpace(r)))}); " +
            "restore tests/Recsys.Infrastructure.Tests, whose PackageDownload pulls Azure.Bicep.CommandLine.linux-x64.");
    }

    private static void EnsureExecutable(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        const UnixFileMode execute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & UnixFileMode.UserExecute) == 0)
        {
            File.SetUnixFileMode(path, mode | execute);
        }
    }
}
