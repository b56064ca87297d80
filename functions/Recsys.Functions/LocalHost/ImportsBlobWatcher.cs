using Microsoft.Extensions.Options;
using Recsys.Functions.Jobs;

namespace Recsys.Functions.LocalHost;

/// <summary>
/// The local stand-in for the Event Grid subscription on the imports container: runs the
/// <see cref="ImportDropScanner"/> every <see cref="LocalHostOptions.ImportsPollInterval"/>.
/// </summary>
internal sealed class ImportsBlobWatcher(
    ImportDropScanner scanner,
    IOptions<LocalHostOptions> options,
    TimeProvider time,
    ILogger<ImportsBlobWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await scanner.ScanOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Azure.RequestFailedException e)
            {
                Log.BlobScanFailed(logger, e);
            }

            await Task.Delay(options.Value.ImportsPollInterval, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
