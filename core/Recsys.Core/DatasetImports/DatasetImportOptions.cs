namespace Recsys.Core.DatasetImports;

/// <summary>Safeguards of import jobs that a deployment may tune.</summary>
public sealed class DatasetImportOptions
{
    /// <summary>The safe default of <see cref="MaxRejectedPercent"/>.</summary>
    public const double DefaultMaxRejectedPercent = 10;

    /// <summary>
    /// A FULL import that would replace existing data fails, and the dataset keeps its data, when more than this share
    /// of its rows (0–100) is rejected. A job may raise or lower it with its own <c>maxRejectedPercent</c>.
    /// </summary>
    public double MaxRejectedPercent { get; set; } = DefaultMaxRejectedPercent;

    /// <summary>Names of the safeguards, as jobs report them.</summary>
    public static class Safeguards
    {
        /// <summary>Too many rows were rejected.</summary>
        public const string MaxRejectedPercent = "maxRejectedPercent";

        /// <summary>The dataset would shrink by more than half.</summary>
        public const string AllowShrink = "allowShrink";
    }
}
