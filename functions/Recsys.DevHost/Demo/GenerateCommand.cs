using System.Globalization;
using Recsys.Data.Synthetic;

namespace Recsys.DevHost.Demo;

/// <summary>
/// <c>Recsys.DevHost generate --out DIR [--interactions N] [--users N] [--items N] [--seed N] [--days N]</c>:
/// writes a synthetic dataset (CSVs and their schemas) for demos and scale tests.
/// </summary>
internal static class GenerateCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? output = null;
        var defaults = new SyntheticDataOptions();
        long interactions = defaults.Interactions;
        long users = defaults.Users, items = defaults.Items, seed = defaults.Seed, days = defaults.Days;
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--out": output = value; i++; break;
                case "--interactions": interactions = Parse(value, args[i]); i++; break;
                case "--users": users = Parse(value, args[i]); i++; break;
                case "--items": items = Parse(value, args[i]); i++; break;
                case "--seed": seed = Parse(value, args[i]); i++; break;
                case "--days": days = Parse(value, args[i]); i++; break;
                default:
                    await Console.Error.WriteLineAsync($"Unknown option {args[i]}. Usage: generate --out DIR [--interactions N] [--users N] [--items N] [--seed N] [--days N]");
                    return 2;
            }
        }

        if (output is null)
        {
            await Console.Error.WriteLineAsync("generate needs --out DIR.");
            return 2;
        }

        var options = new SyntheticDataOptions
        {
            Interactions = interactions,
            Users = checked((int)users),
            Items = checked((int)items),
            Seed = checked((int)seed),
            Days = checked((int)days),
        };
        var dataset = await SyntheticDataGenerator.GenerateAsync(options, output);
        Console.WriteLine($"Wrote {dataset.Interactions} interactions of {dataset.Users} users on {dataset.Items} items to {Path.GetFullPath(output)}");
        foreach (var (eventType, count) in dataset.EventCounts)
        {
            Console.WriteLine($"  {eventType}: {count}");
        }

        return 0;
    }

    private static long Parse(string? value, string option)
        => long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= 0
            ? number
            : throw new ArgumentException($"{option} needs a non-negative whole number, not '{value}'.");
}
