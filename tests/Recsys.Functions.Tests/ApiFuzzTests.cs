using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Recsys.Data.Synthetic;
using Recsys.Testing;
using Xunit.Abstractions;

namespace Recsys.Functions.Tests;

/// <summary>
/// A seeded fuzz of the public API through the dev host and the real worker, with storage healthy: random and mutated
/// bodies, paths, query strings and headers against every route, on a deployed campaign with a filter and an event
/// tracker so that the runtime paths reach real models. Every answer must be a 2xx, or a 4xx whose body is
/// <c>application/problem+json</c> — never a 5xx — and none may hang.
/// </summary>
public sealed class ApiFuzzTests(ApiFuzzTests.Shop shop, ITestOutputHelper output) : IClassFixture<ApiFuzzTests.Shop>
{
    private const int Cases = 3000;
    private static readonly TimeSpan s_hang = TimeSpan.FromSeconds(10);

    /// <summary>A small shop, trained and deployed, shared by the fuzz cases.</summary>
    public sealed class Shop : IAsyncLifetime
    {
        private Azurite? _azurite;
        private string? _directory;

        internal FunctionsHost Host { get; private set; } = null!;

        public string TrackingId { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _azurite = await Azurite.StartAsync();
            Host = await FunctionsHost.StartAsync(_azurite.ConnectionString);
            _directory = Directory.CreateTempSubdirectory("recsys-fuzz-").FullName;
            await ShopSetup.ImportAsync(Host, _directory, new SyntheticDataOptions { Seed = 11, Interactions = 8_000, Users = 300, Items = 150 }, withUsers: true);
            var version = await ShopSetup.TrainAsync(Host, await ShopSetup.CreateSolutionAsync(Host));
            await Host.SendJsonAsync(HttpMethod.Post, "/api/manage/campaigns", new JsonObject { ["name"] = "fuzz", ["solutionVersionArn"] = version }, HttpStatusCode.Created);
            await Host.SendJsonAsync(HttpMethod.Post, "/api/manage/filters", new JsonObject
            {
                ["name"] = "by-category", ["datasetGroupArn"] = ShopSetup.DatasetGroup, ["filterExpression"] = "EXCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($CATEGORY)",
            }, HttpStatusCode.Created);
            TrackingId = (string)(await Host.SendJsonAsync(HttpMethod.Post, "/api/manage/event-trackers", new JsonObject
            {
                ["name"] = "fuzz-tracker", ["datasetGroupArn"] = ShopSetup.DatasetGroup,
            }, HttpStatusCode.Created))!["trackingId"]!;
        }

        public async Task DisposeAsync()
        {
            await Host.DisposeAsync();
            await _azurite!.DisposeAsync();
            Directory.Delete(_directory!, recursive: true);
        }
    }

    [Fact]
    public async Task No_request_of_any_shape_gets_a_5xx_or_hangs()
    {
        var random = new Random(20261204);
        var failures = new List<string>();
        var slowest = new List<(double Ms, string Case)>();
        var statuses = new SortedDictionary<int, int>();
        var rejectedByServer = 0;
        for (var i = 0; i < Cases; i++)
        {
            using var request = NewCase(random);
            var shape = $"#{i} {request.Method} {Shorten(request.RequestUri!.OriginalString)} {Shorten(request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync())}";
            var clock = Stopwatch.StartNew();
            HttpResponseMessage response;
            try
            {
                using var timeout = new CancellationTokenSource(s_hang);
                response = await shop.Host.Client.SendAsync(request, timeout.Token);
            }
            catch (Exception e) when (e is TaskCanceledException or HttpRequestException)
            {
                failures.Add($"{shape}: no answer ({e.GetType().Name}: {e.Message})");
                continue;
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                slowest.Add((clock.Elapsed.TotalMilliseconds, shape));
                var body = await response.Content.ReadAsStringAsync();
                if (status >= 500)
                {
                    failures.Add($"{shape}: {status} {Shorten(body)}");
                }
                else if (status == 400 && body.Length == 0 && response.Headers.ConnectionClose == true)
                {
                    // Kestrel itself refuses a request line it cannot accept (an encoded NUL in the path) and closes the
                    // connection before any code runs, as the Functions host's front end does: the one bare answer.
                    rejectedByServer++;
                }
                else if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{shape}: {status} as {response.Content.Headers.ContentType?.MediaType ?? "no content type"}, not application/problem+json: {Shorten(body)}");
                }
            }
        }

        output.WriteLine("statuses: " + string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}")) + $"; refused by Kestrel before the app: {rejectedByServer}");
        foreach (var (ms, shape) in slowest.OrderByDescending(s => s.Ms).Take(5))
        {
            output.WriteLine($"{ms:0} ms  {shape}");
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {Cases} requests failed:\n" + string.Join("\n", failures.Take(30)));
        Assert.True(statuses.Keys.Any(s => s is >= 200 and < 300) && statuses.Keys.Any(s => s is >= 400 and < 500), "the fuzz reached both successes and client errors");
    }

    private HttpRequestMessage NewCase(Random random)
    {
        var (method, path, body) = Route(random);
        if (random.Next(4) == 0)
        {
            path = MutatePath(random, path);
        }

        if (random.Next(4) == 0)
        {
            path += (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + RandomQuery(random);
        }

        var request = new HttpRequestMessage(random.Next(25) == 0 ? RandomMethod(random) : method, path);
        var keyRoll = random.Next(20);
        if (keyRoll > 1)
        {
            request.Headers.TryAddWithoutValidation("x-functions-key", path.Contains("/manage/", StringComparison.Ordinal) || keyRoll == 2 ? FunctionsHost.MasterKey : FunctionsHost.HostKey);
        }
        else if (keyRoll == 1)
        {
            request.Headers.TryAddWithoutValidation("x-functions-key", RandomAscii(random, random.Next(0, 300)));
        }

        if (body is not null || random.Next(10) == 0)
        {
            var text = body is null ? RandomText(random, random.Next(0, 2000)) : MutateBody(random, body).ToJsonString();
            if (body is not null && random.Next(8) == 0)
            {
                text = Corrupt(random, text);
            }

            var contentType = random.Next(12) switch
            {
                0 => "text/plain",
                1 => "application/json; charset=latin1",
                2 => "multipart/form-data",
                3 => RandomAscii(random, 20),
                _ => "application/json",
            };
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (random.Next(15) == 0)
        {
            request.Headers.TryAddWithoutValidation("If-Match", RandomAscii(random, random.Next(0, 60)));
        }

        return request;
    }

    // The API's routes with a valid request each, to mutate.
    private (HttpMethod Method, string Path, JsonObject? Body) Route(Random random)
    {
        var user = "u" + random.Next(400);
        var item = "i" + random.Next(200);
        return random.Next(24) switch
        {
            0 => (HttpMethod.Post, "/api/recommendations", new JsonObject { ["campaignArn"] = "fuzz", ["userId"] = user, ["numResults"] = random.Next(1, 30) }),
            1 => (HttpMethod.Post, "/api/recommendations", new JsonObject { ["campaignArn"] = "arn:recsys:personalize:::campaign/fuzz", ["itemId"] = item }),
            2 => (HttpMethod.Post, "/api/recommendations", new JsonObject
            {
                ["campaignArn"] = "fuzz", ["userId"] = user, ["filterArn"] = "by-category", ["filterValues"] = new JsonObject { ["CATEGORY"] = "\"c1\"" },
                ["promotions"] = new JsonArray(new JsonObject { ["name"] = "p", ["percentPromotedItems"] = 20, ["filterArn"] = "by-category", ["filterValues"] = new JsonObject { ["CATEGORY"] = "\"c2\"" } }),
                ["metadataColumns"] = new JsonObject { ["ITEMS"] = new JsonArray("CATEGORY_L1") },
            }),
            3 => (HttpMethod.Post, "/api/personalize-ranking", new JsonObject { ["campaignArn"] = "fuzz", ["userId"] = user, ["inputList"] = new JsonArray(item, "i1", "unknown") }),
            4 => (HttpMethod.Post, "/api/events", new JsonObject
            {
                ["trackingId"] = shop.TrackingId, ["sessionId"] = "s-" + user, ["userId"] = user,
                ["eventList"] = new JsonArray(new JsonObject { ["eventType"] = "click", ["itemId"] = item, ["sentAt"] = 1_735_000_000 + random.Next(1000) }),
            }),
            5 => (HttpMethod.Post, "/api/items", new JsonObject { ["datasetArn"] = "shop/ITEMS", ["items"] = new JsonArray(new JsonObject { ["itemId"] = item, ["properties"] = "{\"categoryL1\":\"c1\"}" }) }),
            6 => (HttpMethod.Post, "/api/users", new JsonObject { ["datasetArn"] = "shop/USERS", ["users"] = new JsonArray(new JsonObject { ["userId"] = user, ["properties"] = "{}" }) }),
            7 => (HttpMethod.Get, "/api/manage/dataset-groups?maxResults=" + random.Next(-2, 120), null),
            8 => (HttpMethod.Get, "/api/manage/dataset-groups/" + Pick(random, "shop", "nope", "arn:recsys:personalize:::dataset-group/shop"), null),
            9 => (HttpMethod.Post, "/api/manage/dataset-groups", new JsonObject { ["name"] = "g" + random.Next(1_000_000), ["domain"] = Pick(random, "ECOMMERCE", "VIDEO_ON_DEMAND", null) }),
            10 => (HttpMethod.Post, "/api/manage/schemas", new JsonObject { ["name"] = "s" + random.Next(1_000_000), ["schema"] = "{\"type\":\"record\",\"name\":\"Interactions\",\"fields\":[]}" }),
            11 => (HttpMethod.Get, "/api/manage/datasets/" + Pick(random, "shop/INTERACTIONS", "shop/ITEMS", "arn:recsys:personalize:::dataset/shop/USERS", "shop/NOPE"), null),
            12 => (HttpMethod.Post, "/api/manage/datasets", new JsonObject { ["name"] = "d", ["datasetGroupArn"] = "shop", ["datasetType"] = "Interactions", ["schemaArn"] = "shop-Interactions" }),
            13 => (HttpMethod.Post, "/api/manage/dataset-import-jobs", new JsonObject
            {
                ["jobName"] = "j" + random.Next(1_000_000), ["datasetArn"] = "shop/ITEMS", ["dataSource"] = new JsonObject { ["dataLocation"] = "imports/missing.csv" }, ["importMode"] = "INCREMENTAL",
            }),
            14 => (HttpMethod.Get, "/api/manage/dataset-import-jobs?nextToken=" + Uri.EscapeDataString(RandomText(random, random.Next(0, 200))), null),
            15 => (HttpMethod.Post, "/api/manage/filters", new JsonObject { ["name"] = "f" + random.Next(1_000_000), ["datasetGroupArn"] = "shop", ["filterExpression"] = RandomFilter(random) }),
            16 => (HttpMethod.Get, "/api/manage/filters/" + Pick(random, "by-category", "arn:recsys:personalize:::filter/by-category", "nope"), null),
            17 => (HttpMethod.Post, "/api/manage/solutions", new JsonObject
            {
                ["name"] = "sol" + random.Next(1_000_000), ["datasetGroupArn"] = "shop", ["recipeArn"] = Pick(random, "aws-user-personalization", "aws-sims", "nope"),
                ["solutionConfig"] = new JsonObject { ["algorithmHyperParameters"] = new JsonObject { ["model"] = Pick(random, "als", "ease", "wat") } },
            }),
            18 => (HttpMethod.Get, "/api/manage/solution-versions/" + Pick(random, "shop-up", "shop-up/nope", "shop-up/nope/metrics", "arn:recsys:personalize:::solution-version/shop-up/x/metrics"), null),
            19 => (HttpMethod.Get, "/api/manage/campaigns/" + Pick(random, "fuzz", "arn:recsys:personalize:::campaign/fuzz", "nope"), null),
            20 => (HttpMethod.Put, "/api/manage/campaigns/fuzz", new JsonObject { ["campaignConfig"] = new JsonObject { ["itemExplorationConfig"] = new JsonObject { ["explorationWeight"] = "0.2" } } }),
            21 => (HttpMethod.Post, "/api/manage/batch-inference-jobs", new JsonObject
            {
                ["jobName"] = "b" + random.Next(1_000_000), ["solutionVersionArn"] = "shop-up/nope", ["jobInput"] = new JsonObject { ["s3DataSource"] = new JsonObject { ["path"] = "jobs/in.jsonl" } },
                ["jobOutput"] = new JsonObject { ["s3DataDestination"] = new JsonObject { ["path"] = "jobs/out/" } },
            }),
            22 => (HttpMethod.Get, Pick(random, "/api/manage/recipes", "/api/manage/recipes/aws-sims", "/api/health", "/api/openapi/v1.json", "/api/manage/event-trackers")!, null),
            _ => (HttpMethod.Delete, "/api/manage/" + Pick(random, "filters/", "campaigns/", "solutions/", "schemas/", "dataset-groups/", "event-trackers/") + Pick(random, "nope", "x/y", "..%2F..%2Fetc", "%00"), null),
        };
    }

    private static JsonObject MutateBody(Random random, JsonObject body)
    {
        var mutated = (JsonObject)body.DeepClone();
        for (var n = random.Next(0, 3); n > 0 && mutated.Count > 0; n--)
        {
            var key = mutated.ElementAt(random.Next(mutated.Count)).Key;
            switch (random.Next(6))
            {
                case 0:
                    mutated.Remove(key);
                    break;
                case 1:
                    mutated[key] = RandomValue(random, depth: 0);
                    break;
                case 2:
                    mutated[key] = RandomText(random, random.Next(200, 12_000));
                    break;
                case 3:
                    mutated[key] = mutated[key] is JsonValue v ? v.ToJsonString() : null; // numbers and booleans as strings
                    break;
                case 4:
                    mutated[RandomText(random, random.Next(1, 20))] = RandomValue(random, depth: 0);
                    break;
                default:
                    mutated[key] = Nested(random.Next(1, 200));
                    break;
            }
        }

        return mutated;
    }

    private static JsonNode? RandomValue(Random random, int depth) => random.Next(depth > 2 ? 5 : 7) switch
    {
        0 => null,
        1 => random.Next(3) switch { 0 => int.MinValue, 1 => long.MaxValue, _ => random.Next(-5, 1000) },
        2 => random.NextDouble() * 1e9 - 5e8,
        3 => random.Next(2) == 0,
        4 => RandomText(random, random.Next(0, 40)),
        5 => new JsonArray(Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomValue(random, depth + 1)).ToArray()),
        _ => new JsonObject(Enumerable.Range(0, random.Next(0, 4)).Select(i => KeyValuePair.Create("k" + i, RandomValue(random, depth + 1)))),
    };

    private static JsonNode Nested(int depth)
    {
        JsonNode node = new JsonObject();
        for (var i = 0; i < depth; i++)
        {
            node = new JsonArray(node);
        }

        return node;
    }

    private static string MutatePath(Random random, string path) => random.Next(8) switch
    {
        0 => path + "/" + RandomText(random, random.Next(1, 40)).Replace("?", string.Empty, StringComparison.Ordinal),
        1 => path + "/%2F..%2F" + RandomText(random, 5),
        2 => path + "/" + new string('a', random.Next(300, 9000)),
        3 => path.Replace("/api/", "/api//", StringComparison.Ordinal),
        4 => path + "/" + Uri.EscapeDataString("arn:recsys:personalize:::campaign/" + RandomText(random, 10)),
        5 => path + "%",
        6 => path.ToUpperInvariant(),
        _ => path + "/.",
    };

    private static string RandomQuery(Random random) => random.Next(5) switch
    {
        0 => "maxResults=" + RandomText(random, random.Next(0, 12)),
        1 => "nextToken=" + Uri.EscapeDataString(RandomText(random, random.Next(0, 9000))),
        2 => "maxResults=1&maxResults=2",
        3 => "code=" + Uri.EscapeDataString(RandomText(random, 10)),
        _ => Uri.EscapeDataString(RandomText(random, 8)) + "=" + Uri.EscapeDataString(RandomText(random, 8)),
    };

    private static string RandomFilter(Random random) => random.Next(6) switch
    {
        0 => "INCLUDE ItemID WHERE Items.CATEGORY_L1 IN ($C)",
        1 => "EXCLUDE ItemID WHERE Interactions.EVENT_TYPE IN (\"click\") | INCLUDE ItemID WHERE Items.PRICE > 10",
        2 => new string('(', random.Next(1, 5000)),
        3 => RandomText(random, random.Next(0, 500)),
        4 => "INCLUDE ItemID WHERE Items.NOPE IN (\"x\")",
        _ => "EXCLUDE ItemID WHERE Items.CATEGORY_L1 IN (" + string.Join(",", Enumerable.Range(0, random.Next(1, 200)).Select(i => $"\"c{i}\"")) + ")",
    };

    private static HttpMethod RandomMethod(Random random) => random.Next(5) switch
    {
        0 => HttpMethod.Patch,
        1 => HttpMethod.Head,
        2 => HttpMethod.Options,
        3 => HttpMethod.Put,
        _ => new HttpMethod("FUZZ"),
    };

    private static string RandomText(Random random, int length)
    {
        const string alphabet = "abcXYZ019 _-./:%\"'\\{}[]<>|&;=?#~é中\u0000\u0001\n\r\t\u200b😀";
        var text = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            text.Append(alphabet[random.Next(alphabet.Length)]);
        }

        return text.ToString();
    }

    // Header values: HTTP clients send printable ASCII only.
    private static string RandomAscii(Random random, int length)
    {
        var text = new char[length];
        for (var i = 0; i < length; i++)
        {
            text[i] = (char)random.Next(0x20, 0x7f);
        }

        return new string(text);
    }

    private static string Corrupt(Random random, string json) => random.Next(4) switch
    {
        0 => json[..random.Next(json.Length)],
        1 => json.Replace("\"", string.Empty, StringComparison.Ordinal),
        2 => json + "}",
        _ => "\uFEFF" + json.Insert(random.Next(json.Length), "\u0000"),
    };

    private static string? Pick(Random random, params string?[] values) => values[random.Next(values.Length)];

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + $"… ({text.Length} chars)";
}
