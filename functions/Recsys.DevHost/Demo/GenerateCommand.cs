namespace Recsys.DevHost.Demo;

internal static class GenerateCommand
{
    public static Task<int> RunAsync(string[] args) => Task.FromResult(args.Length);
}
