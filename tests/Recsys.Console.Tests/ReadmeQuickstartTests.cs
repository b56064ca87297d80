using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recsys.Testing;

namespace Recsys.Console.Tests;

/// <summary>
/// The README's quick start, followed as written: its blocks are read from README.md and run with the same commands
/// on the same files (MovieLens ml-latest-small's ratings.csv and movies.csv). Two things stand in for what a test
/// must not do on a shared machine: the fixture's dev host (its own Azurite and port, the same worker build) stands in
/// for step 1's `dotnet run --project functions/Recsys.DevHost`, and the CLI's build output for `dotnet run --project
/// functions/Recsys.Cli --`; the address and the sample keys in the curl calls become the fixture's.
/// </summary>
[Collection(ConsoleHostGroup.Name)]
public sealed partial class ReadmeQuickstartTests(ConsoleHostFixture fixture) : IDisposable
{
    private const string RunDevHost = "dotnet run --project functions/Recsys.DevHost";
    private const string RunCli = "dotnet run --project functions/Recsys.Cli -- ";
    private readonly string _directory = Directory.CreateTempSubdirectory("recsys-readme-").FullName;

    [Fact]
    public async Task The_quick_start_ends_with_recommendations_for_a_user_of_your_file()
    {
        var commands = Readme.Block("quickstart").Where(l => !l.StartsWith('#')).ToList();
        Assert.Equal(3, commands.Count);
        Assert.Equal(RunDevHost, commands[0]);
        Assert.StartsWith(RunCli, commands[1], StringComparison.Ordinal);
        Assert.StartsWith("curl ", commands[2], StringComparison.Ordinal);

        var movieLens = Path.Combine(RepositoryPaths.Shared, "data", "ml-latest-small");
        File.Copy(Path.Combine(movieLens, "ratings.csv"), Path.Combine(_directory, "ratings.csv"));
        File.Copy(Path.Combine(movieLens, "movies.csv"), Path.Combine(_directory, "movies.csv"));

        var quickstart = await fixture.RunCliAsync(commands[1][RunCli.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries), _directory);

        Assert.True(quickstart.ExitCode == 0, quickstart.ToString());
        Assert.Contains("userId → USER_ID, movieId → ITEM_ID, timestamp → TIMESTAMP, rating → EVENT_VALUE", quickstart.Stderr, StringComparison.Ordinal);
        Assert.Contains("Recommendations for user 1, the file's first:", quickstart.Stdout, StringComparison.Ordinal);
        Assert.Equal(10, quickstart.Stdout.Split('\n').Count(l => RankLine().IsMatch(l)));

        // The call the README shows is the one the quickstart printed, and it answers.
        var printed = quickstart.Stdout.Split('\n').Single(l => l.TrimStart().StartsWith("curl ", StringComparison.Ordinal));
        Assert.Equal(Payload(commands[2]), Payload(printed));
        var answer = await CurlAsync(commands[2]);
        Assert.Equal(10, answer["itemList"]!.AsArray().Count);
    }

    [Fact]
    public async Task The_demo_campaign_answers_the_readmes_curl()
    {
        var command = Assert.Single(Readme.Block("demo"));

        var answer = await CurlAsync(command);

        Assert.Equal(5, answer["itemList"]!.AsArray().Count);
        Assert.All(answer["itemList"]!.AsArray(), item => Assert.StartsWith("i", (string?)item!["itemId"], StringComparison.Ordinal));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private async Task<JsonNode> CurlAsync(string command)
    {
        var result = await ProcessResult.RunAsync("bash", ["-c", Readme.ForFixture(command, fixture)], TimeSpan.FromMinutes(1), _directory, ConsoleHostFixture.WithoutCliSettings);
        Assert.True(result.ExitCode == 0, result.ToString());
        return JsonNode.Parse(result.Stdout) ?? throw new InvalidDataException(result.ToString());
    }

    private static string Payload(string curl) => Regex.Match(curl, "-d '([^']*)'").Groups[1].Value;

    [GeneratedRegex(@"^\s*\d+\t\S+\t-?\d+\.\d{4}")]
    private static partial Regex RankLine();
}

/// <summary>The README's marked blocks, and its local address and sample keys as a fixture has them.</summary>
internal static class Readme
{
    /// <summary>The non-empty lines of the fenced block after the README's <c>&lt;!-- {marker}:</c> comment.</summary>
    public static List<string> Block(string marker)
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryPaths.Root, "README.md"));
        var start = Array.FindIndex(lines, l => l.StartsWith($"<!-- {marker}:", StringComparison.Ordinal));
        Assert.True(start >= 0, $"README.md has no <!-- {marker}: --> block");
        Assert.StartsWith("```", lines[start + 1], StringComparison.Ordinal);
        return lines.Skip(start + 2).TakeWhile(l => !l.StartsWith("```", StringComparison.Ordinal)).Where(l => l.Length > 0).ToList();
    }

    public static string ForFixture(string text, ConsoleHostFixture fixture) => text
        .Replace("http://localhost:7071/", fixture.Address.ToString(), StringComparison.Ordinal)
        .Replace("localhost:7071/", fixture.Address.ToString(), StringComparison.Ordinal)
        .Replace("local-master-key", DevHostProcess.MasterKey, StringComparison.Ordinal)
        .Replace("local-function-key", DevHostProcess.HostKey, StringComparison.Ordinal);
}
