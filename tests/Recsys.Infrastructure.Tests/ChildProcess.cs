using System.Diagnostics;

namespace Recsys.Infrastructure.Tests;

/// <summary>Runs a command to its end with its output captured; past the time limit it is killed with its children.</summary>
internal static class ChildProcess
{
    public sealed record Completed(int ExitCode, string StandardOutput, string StandardError);

    public static async Task<Completed> RunAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan limit)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish in {limit}.");
        }

        return new Completed(process.ExitCode, await stdout, await stderr);
    }
}
