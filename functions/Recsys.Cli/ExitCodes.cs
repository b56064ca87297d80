namespace Recsys.Cli;

/// <summary>
/// The exit codes a script can rely on (the README lists them). Results go to stdout, progress and errors to stderr.
/// </summary>
internal static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Success = 0;

    /// <summary>A fault of the CLI itself (a bug): the message says what happened.</summary>
    public const int Unexpected = 1;

    /// <summary>The command line is wrong, or a file cannot be read or understood (e.g. no user column).</summary>
    public const int Usage = 2;

    /// <summary>The service (endpoint) or the storage account cannot be reached, or it did not start the job in time.</summary>
    public const int Unreachable = 3;

    /// <summary>An import or a training job ended failed (its reason, and the error report's first lines, are printed).</summary>
    public const int JobFailed = 4;

    /// <summary>The service refused a request (its problem's detail is printed): a wrong key, an unknown campaign, a name taken.</summary>
    public const int Refused = 5;

    /// <summary>An import finished but rejected rows (the error report's first lines are printed).</summary>
    public const int RowsRejected = 6;
}

/// <summary>A failure that ends the command with <see cref="ExitCode"/> and its message on stderr.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
