using System.Security.Cryptography;
using System.Text;
using Recsys.Core.Datasets;
using Recsys.Data.Schemas;

namespace Recsys.Core.DatasetImports;

/// <summary>
/// The imports container's conventions: a dropped file at <c>{datasetGroup}/{Interactions|Items|Users}/…</c> is for
/// that dataset, FULL unless the next folder is <c>incremental</c>. The safeguards of a FULL import are relaxed by
/// folders between the dataset type and the file: <c>allow-shrink</c> lets it shrink the dataset by more than half,
/// <c>max-rejected-{N}</c> lets it reject up to N % of its rows (e.g. <c>movies/Items/allow-shrink/max-rejected-50/items.csv</c>).
/// </summary>
public static class ImportPaths
{
    /// <summary>Container name as it may prefix a data location.</summary>
    public const string Container = "imports";

    /// <summary>Folder that lets a FULL import shrink its dataset by more than half.</summary>
    public const string AllowShrinkFolder = "allow-shrink";

    /// <summary>Prefix of the folder that sets a FULL import's rejection threshold (<c>max-rejected-25</c>).</summary>
    public const string MaxRejectedFolderPrefix = "max-rejected-";

    /// <summary>What a dropped file's path says.</summary>
    /// <param name="DatasetGroup">The dataset group (first folder).</param>
    /// <param name="DatasetType">The dataset (second folder).</param>
    /// <param name="Mode">INCREMENTAL under an <c>incremental</c> folder, else FULL.</param>
    /// <param name="AllowShrink">Whether an <c>allow-shrink</c> folder is on the path.</param>
    /// <param name="MaxRejectedPercent">The N of a <c>max-rejected-{N}</c> folder on the path.</param>
    public sealed record DropTarget(string DatasetGroup, DatasetType DatasetType, ImportMode Mode, bool AllowShrink = false, double? MaxRejectedPercent = null);

    /// <summary>Parses a dropped file's path, or returns the reason it names no dataset.</summary>
    public static DropTarget? Parse(string blobName, out string? problem)
    {
        problem = null;
        var parts = blobName.Split('/');
        if (parts.Length < 3 || parts[0].Length == 0)
        {
            problem = $"'{blobName}' is not under {{datasetGroup}}/{{Interactions|Items|Users}}/ in the imports container.";
            return null;
        }

        if (Resources.ResourceName.Problem(parts[0]) is { } invalid)
        {
            problem = $"The first folder of '{blobName}' is not a dataset group name: {invalid}";
            return null;
        }

        var type = Dataset.ParseType(parts[1]);
        if (type is null)
        {
            problem = $"'{parts[1]}' in '{blobName}' is not a dataset type: use Interactions, Items or Users.";
            return null;
        }

        var mode = parts.Length > 3 && parts[2].Equals("incremental", StringComparison.OrdinalIgnoreCase) ? ImportMode.Incremental : ImportMode.Full;
        var folders = parts[2..^1];
        var allowShrink = folders.Any(f => f.Equals(AllowShrinkFolder, StringComparison.OrdinalIgnoreCase));
        double? maxRejected = null;
        foreach (var folder in folders.Where(f => f.StartsWith(MaxRejectedFolderPrefix, StringComparison.OrdinalIgnoreCase)))
        {
            if (!double.TryParse(folder.AsSpan(MaxRejectedFolderPrefix.Length), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var percent)
                || !(percent >= 0 && percent <= 100))
            {
                problem = $"'{folder}' in '{blobName}' is not a rejection threshold: use {MaxRejectedFolderPrefix}N with N from 0 to 100.";
                return null;
            }

            maxRejected = percent;
        }

        return new DropTarget(parts[0], type.Value, mode, allowShrink, maxRejected);
    }

    /// <summary>The job name of a dropped file version: stable, so a repeated event maps to the same job.</summary>
    public static string DropJobName(string blobName, string? etag)
        => "drop-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(blobName + "\n" + etag)))[..24];

    /// <summary>A blob name from a data location (<c>imports/x.csv</c>, <c>x.csv</c> or a URL), or null.</summary>
    public static string? NormalizeLocation(string? location)
    {
        if (string.IsNullOrWhiteSpace(location))
        {
            return null;
        }

        var path = location;
        if (Uri.TryCreate(location, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            path = Uri.UnescapeDataString(uri.AbsolutePath).TrimStart('/');
            var marker = path.IndexOf(Container + "/", StringComparison.Ordinal);
            path = marker >= 0 ? path[(marker + Container.Length + 1)..] : path;
        }
        else if (path.StartsWith(Container + "/", StringComparison.Ordinal))
        {
            path = path[(Container.Length + 1)..];
        }

        return path.Length == 0 || path.EndsWith('/') ? null : path;
    }
}
