namespace Recsys.Testing;

/// <summary>Where the repository and the shared data live, found from the test binaries.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> s_root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Recsys.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Recsys.sln not found above " + AppContext.BaseDirectory);
    });

    /// <summary>The repository root (holds Recsys.sln and host.json).</summary>
    public static string Root => s_root.Value;

    /// <summary>The read-only shared folder beside the repository (<c>../shared</c>).</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));
}
