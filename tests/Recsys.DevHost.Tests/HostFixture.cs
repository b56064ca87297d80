using Recsys.Testing;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Recsys.DevHost.Tests;

/// <summary>One Azurite and one dev host (with the fixture worker) for a test class.</summary>
public class HostFixture : IAsyncLifetime
{
    private Azurite? _azurite;
    private DevHostProcess? _host;

    public string Storage => _azurite!.ConnectionString;

    internal DevHostProcess Host => _host!;

    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    public async Task InitializeAsync()
    {
        _azurite = await Azurite.StartAsync();
        _host = await DevHostProcess.StartAsync(_azurite.ConnectionString, "host-" + Guid.NewGuid().ToString("N")[..8], Settings);
    }

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        if (_azurite is not null)
        {
            await _azurite.DisposeAsync();
        }
    }
}

/// <summary>A dev host whose timer fires every two seconds.</summary>
public sealed class FastTimerFixture : HostFixture
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string> { ["TickSchedule"] = "*/2 * * * * *" };
}
