using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using Recsys.Testing;

namespace Recsys.Functions.Tests;

/// <summary>The deployable zip that infra/package.sh builds.</summary>
public sealed class PackageTests
{
    [Fact]
    public async Task Package_holds_host_json_the_function_folders_and_an_executable_handler()
    {
        var output = Path.Combine(Path.GetTempPath(), $"recsys-package-{Guid.NewGuid():N}.zip");
        try
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "infra", "package.sh"));
            start.ArgumentList.Add(output);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, await stderr);

            using var zip = ZipFile.OpenRead(output);
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("host.json", names);
            Assert.DoesNotContain(names, n => n.StartsWith("local.settings", StringComparison.Ordinal));
            foreach (var function in Directory.GetDirectories(Path.Combine(RepositoryPaths.Root, "functions")).Where(d => File.Exists(Path.Combine(d, "function.json"))))
            {
                Assert.Contains($"{Path.GetFileName(function)}/function.json", names);
            }

            using var hostJson = zip.GetEntry("host.json")!.Open();
            var host = JsonNode.Parse(hostJson)!;
            var executable = (string)host["customHandler"]!["description"]!["defaultExecutablePath"]!;
            Assert.Equal("app", (string?)host["customHandler"]!["description"]!["workingDirectory"]);
            Assert.True((bool)host["customHandler"]!["enableForwardingHttpRequest"]!);

            var handler = zip.GetEntry(executable);
            Assert.NotNull(handler);
            var mode = (handler!.ExternalAttributes >> 16) & 0x1FF;
            Assert.True((mode & 0x49) == 0x49, $"{executable} must be executable (mode {Convert.ToString(mode, 8)})");
        }
        finally
        {
            File.Delete(output);
        }
    }
}
