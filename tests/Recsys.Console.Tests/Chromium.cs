using Microsoft.Playwright;

namespace Recsys.Console.Tests;

/// <summary>
/// Debian's Chromium (<c>apt-get install chromium</c>), driven by Playwright for .NET over CDP: Playwright's own
/// browser download is not used. <c>RECSYS_CHROMIUM</c> points at another binary. One browser with a fresh profile per
/// test class; each test opens its own page (and so its own session storage).
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    private static readonly string[] s_arguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;
    private IBrowserContext? _context;
    private string? _profile;

    /// <summary>The browser binary, or null when there is none (the browser tests are then skipped, saying why).</summary>
    public static string? ExecutablePath { get; } =
        new[] { Environment.GetEnvironmentVariable("RECSYS_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    public const string MissingReason = "No Chromium at /usr/bin/chromium (on Debian: apt-get install -y chromium; or set RECSYS_CHROMIUM): the console's browser tests cannot run here.";

    /// <summary>Where the screenshots go: under the test output.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    public IBrowserContext Context => _context ?? throw new InvalidOperationException(MissingReason);

    public async Task InitializeAsync()
    {
        if (ExecutablePath is null)
        {
            return;
        }

        Directory.CreateDirectory(ScreenshotDirectory);
        _profile = Directory.CreateTempSubdirectory("recsys-chromium-").FullName;
        _playwright = await Playwright.CreateAsync();
        _context = await _playwright.Chromium.LaunchPersistentContextAsync(_profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = s_arguments,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Timeout = 60_000,
        });
        _context.SetDefaultTimeout(60_000);
        Assertions.SetDefaultExpectTimeout(60_000);
    }

    public async Task DisposeAsync()
    {
        if (_context is not null)
        {
            await _context.CloseAsync();
        }

        _playwright?.Dispose();
        if (_profile is not null)
        {
            Directory.Delete(_profile, recursive: true);
        }
    }
}

/// <summary>A browser test: skipped, with the reason, where there is no Chromium.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (Chromium.ExecutablePath is null)
        {
            Skip = Chromium.MissingReason;
        }
    }
}
