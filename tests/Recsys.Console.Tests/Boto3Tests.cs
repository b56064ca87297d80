using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Recsys.Testing;

namespace Recsys.Console.Tests;

/// <summary>
/// The README's AWS SDK for Python snippet, run as written with python3 and boto3 (Debian's python3-boto3) against the
/// dev host: personalize-runtime's get_recommendations and personalize-events' put_events, unsigned, with the key header.
/// </summary>
[Collection(ConsoleHostGroup.Name)]
public sealed class Boto3Tests(ConsoleHostFixture fixture)
{
    [Boto3Fact]
    public async Task The_readmes_boto3_snippet_gets_recommendations_and_puts_an_event()
    {
        var (created, tracker) = await fixture.SendAsync(HttpMethod.Post, "api/manage/event-trackers", new JsonObject { ["name"] = "demo-boto3", ["datasetGroupArn"] = "demo" });
        if (created == HttpStatusCode.Conflict)
        {
            (_, tracker) = await fixture.SendAsync(HttpMethod.Get, "api/manage/event-trackers/demo-boto3");
            tracker = tracker!["eventTracker"];
        }

        var trackingId = (string?)tracker!["trackingId"];
        Assert.False(string.IsNullOrEmpty(trackingId), tracker.ToJsonString());
        var script = $"TRACKING_ID = \"{trackingId}\"\n" + Readme.ForFixture(string.Join('\n', Readme.Block("boto3")), fixture);

        var result = await ProcessResult.RunAsync(Boto3FactAttribute.Python!, ["-"], TimeSpan.FromMinutes(1), environment: ConsoleHostFixture.WithoutCliSettings, stdin: script);

        Assert.True(result.ExitCode == 0, result.ToString());
        var items = result.Stdout.Trim().Trim('[', ']').Split(", ").Select(i => i.Trim('\'')).ToArray();
        Assert.Equal(5, items.Length);
        Assert.All(items, i => Assert.StartsWith("i", i, StringComparison.Ordinal));
    }
}

/// <summary>A boto3 test: skipped, with the reason, where python3 with boto3 is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class Boto3FactAttribute : FactAttribute
{
    private static readonly Lazy<string?> s_python = new(() =>
        // The first python3 on PATH (a pyenv one, say), else Debian's own, which python3-boto3 installs into.
        new[] { "python3", "/usr/bin/python3" }.FirstOrDefault(python =>
        {
            try
            {
                using var process = Process.Start(new ProcessStartInfo(python, ["-c", "import boto3"]) { RedirectStandardError = true, UseShellExecute = false })!;
                process.WaitForExit(30_000);
                return process.HasExited && process.ExitCode == 0;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                return false;
            }
        }));

    /// <summary>A python3 that imports boto3, or null.</summary>
    public static string? Python => s_python.Value;

    public Boto3FactAttribute()
    {
        if (Python is null)
        {
            Skip = "python3 with boto3 is not installed (on Debian: apt-get install -y python3-boto3): the AWS SDK for Python snippet cannot run here.";
        }
    }
}
