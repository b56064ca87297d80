namespace Recsys.Storage;

/// <summary>
/// Where Recsys keeps its data. Locally a connection string (<c>UseDevelopmentStorage=true</c> for Azurite);
/// in Azure the account's service URIs with a managed identity, read from the same settings the Functions host
/// uses for <c>AzureWebJobsStorage</c>.
/// </summary>
public sealed class StorageOptions
{
    /// <summary>A storage connection string; when set, it wins over the URIs.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Blob service endpoint for identity-based access.</summary>
    public Uri? BlobServiceUri { get; set; }

    /// <summary>Queue service endpoint for identity-based access.</summary>
    public Uri? QueueServiceUri { get; set; }

    /// <summary>Table service endpoint for identity-based access.</summary>
    public Uri? TableServiceUri { get; set; }

    /// <summary>Client id of a user-assigned managed identity; null for the system-assigned one or developer credentials.</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>
    /// How long one table or queue request may wait for the network before it counts as a transient fault (and is
    /// retried): short, so that an outage is noticed in seconds, not after the SDK's default 100 s.
    /// </summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The same for blob requests, which move segments and models of many megabytes.</summary>
    public TimeSpan BlobNetworkTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of a transient fault (5xx, 408, 429, timeout, refused connection); a 4xx is never retried.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>First delay between retries; it doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Longest delay between retries.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>Whether the options name an account at all.</summary>
    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(ConnectionString)
        || (BlobServiceUri is not null && QueueServiceUri is not null && TableServiceUri is not null);

    /// <summary>
    /// Reads the options from Functions-style settings: <c>{prefix}</c> as a connection string, or
    /// <c>{prefix}__blobServiceUri</c>, <c>__queueServiceUri</c>, <c>__tableServiceUri</c> (or <c>__accountName</c>)
    /// and <c>__clientId</c> for identity-based connections.
    /// </summary>
    public static StorageOptions FromSettings(Func<string, string?> setting, string prefix = "AzureWebJobsStorage")
    {
        ArgumentNullException.ThrowIfNull(setting);
        var options = new StorageOptions
        {
            ConnectionString = setting(prefix),
            ManagedIdentityClientId = setting(prefix + "__clientId"),
        };

        var account = setting(prefix + "__accountName");
        options.BlobServiceUri = UriOrNull(setting(prefix + "__blobServiceUri"))
            ?? (account is null ? null : new Uri($"https://{account}.blob.core.windows.net"));
        options.QueueServiceUri = UriOrNull(setting(prefix + "__queueServiceUri"))
            ?? (account is null ? null : new Uri($"https://{account}.queue.core.windows.net"));
        options.TableServiceUri = UriOrNull(setting(prefix + "__tableServiceUri"))
            ?? (account is null ? null : new Uri($"https://{account}.table.core.windows.net"));
        return options;
    }

    private static Uri? UriOrNull(string? value) => string.IsNullOrWhiteSpace(value) ? null : new Uri(value);
}
