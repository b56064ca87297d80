using System.Net;
using System.Net.Sockets;
using Recsys.Cli;

namespace Recsys.Console.Tests;

/// <summary>The CLI as a script uses it: its exit codes and what it prints, against the dev host and the real worker.</summary>
[Collection(ConsoleHostGroup.Name)]
public sealed class CliTests(ConsoleHostFixture fixture) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("recsys-cli-").FullName;

    [Fact]
    public async Task A_malformed_csv_ends_non_zero_with_the_reports_first_lines()
    {
        var file = Path.Combine(_directory, "malformed.csv");
        await File.WriteAllTextAsync(file, "USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE\n"
            + "u1,i1,1700000000,view,\n"
            + "u2,i2,yesterday,view,\n"
            + "u3,i3\n"
            + "u4,i4,1700000300,view,2\n");

        var result = await fixture.RunCliAsync(["import", "demo", "interactions", file, "--incremental"]);

        Assert.True(result.ExitCode == ExitCodes.RowsRejected, result.ToString());
        Assert.Contains("2 rows rejected; the error report's first lines:", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("TIMESTAMP", result.Stderr, StringComparison.Ordinal);
        Assert.Matches(@"\t2 imported\t2 rejected", result.Stdout);
    }

    [Fact]
    public async Task A_file_the_schema_cannot_take_fails_the_job_with_its_reason()
    {
        var file = Path.Combine(_directory, "no-item.csv");
        await File.WriteAllTextAsync(file, "USER_ID,TIMESTAMP\nu1,1700000000\n");

        var result = await fixture.RunCliAsync(["import", "demo", "Interactions", file, "--incremental"]);

        Assert.True(result.ExitCode == ExitCodes.JobFailed, result.ToString());
        Assert.Contains("CREATE FAILED", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("ITEM_ID", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recommend_prints_one_item_per_line_and_an_unknown_campaign_is_refused()
    {
        var ok = await fixture.RunCliAsync(["recommend", "demo-campaign", "u42", "--n", "5"]);
        var unknown = await fixture.RunCliAsync(["recommend", "no-such-campaign", "u42"]);

        Assert.True(ok.ExitCode == ExitCodes.Success, ok.ToString());
        Assert.Equal(5, ok.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.True(unknown.ExitCode == ExitCodes.Refused, unknown.ToString());
        Assert.Contains("no-such-campaign", unknown.Stderr, StringComparison.Ordinal);
        Assert.Empty(unknown.Stdout);
    }

    [Fact]
    public async Task Status_lists_the_demo_and_a_wrong_key_is_refused_with_a_hint()
    {
        var status = await fixture.RunCliAsync(["status", "demo"]);
        var wrongKey = await fixture.RunCliAsync(["status"], environment: new Dictionary<string, string?> { ["RECSYS_KEY"] = "wrong" });

        Assert.True(status.ExitCode == ExitCodes.Success, status.ToString());
        Assert.Contains("campaign demo-campaign\tACTIVE", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("dataset Items\tACTIVE\t2,000 rows", status.Stdout, StringComparison.Ordinal);
        Assert.True(wrongKey.ExitCode == ExitCodes.Refused, wrongKey.ToString());
        Assert.Contains("--key", wrongKey.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_errors_and_an_unreachable_service_have_their_own_exit_codes()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var usage = await fixture.RunCliAsync(["import", "demo"]);
        var badType = await fixture.RunCliAsync(["import", "demo", "Clicks", Path.Combine(_directory, "x.csv")]);
        var unreachable = await fixture.RunCliAsync(["status"], environment: new Dictionary<string, string?> { ["RECSYS_ENDPOINT"] = $"http://127.0.0.1:{closedPort}" });

        Assert.True(usage.ExitCode == ExitCodes.Usage, usage.ToString());
        Assert.True(badType.ExitCode == ExitCodes.Usage, badType.ToString());
        Assert.Contains("Interactions, Items or Users", badType.Stderr, StringComparison.Ordinal);
        Assert.True(unreachable.ExitCode == ExitCodes.Unreachable, unreachable.ToString());
        Assert.Contains("does not answer", unreachable.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
