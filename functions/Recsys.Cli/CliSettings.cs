namespace Recsys.Cli;

/// <summary>Where the service and its storage are: options first, then environment variables, then the local defaults.</summary>
internal static class CliSettings
{
    /// <summary>The dev host's address (local.settings.sample.json).</summary>
    public const string DefaultEndpoint = "http://127.0.0.1:7071";

    /// <summary>The sample master key of local.settings.sample.json: public, for local runs only.</summary>
    public const string SampleMasterKey = "local-master-key";

    /// <summary>Azurite on its default ports, which the dev host starts.</summary>
    public const string DefaultStorage = "UseDevelopmentStorage=true";

    public const string EndpointVariable = "RECSYS_ENDPOINT";
    public const string KeyVariable = "RECSYS_KEY";
    public const string StorageVariable = "RECSYS_STORAGE";

    public static string Endpoint(string? option) => option ?? Environment.GetEnvironmentVariable(EndpointVariable) ?? DefaultEndpoint;

    public static string Key(string? option) => option ?? Environment.GetEnvironmentVariable(KeyVariable) ?? SampleMasterKey;

    public static string Storage(string? option) => option ?? Environment.GetEnvironmentVariable(StorageVariable) ?? DefaultStorage;
}
