using System.Globalization;

namespace Recsys.Cli;

/// <summary>
/// A progress bar on stderr. On a terminal it redraws one line; when stderr is a file or a pipe (scripts, CI) it
/// writes a line only when the stage changes or every 10 %, so logs stay short.
/// </summary>
internal sealed class ProgressLine(string label)
{
    private const int Width = 30;
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private string _lastStage = string.Empty;
    private int _lastDecile = -1;
    private int _drawnLength;

    /// <summary>Shows <paramref name="fraction"/> (0–1, null when unknown) with a short <paramref name="stage"/> text.</summary>
    public void Report(double? fraction, string stage)
    {
        var percent = fraction is { } f ? Math.Clamp((int)Math.Round(f * 100), 0, 100) : (int?)null;
        if (_interactive)
        {
            var filled = (percent ?? 0) * Width / 100;
            var bar = percent is null ? new string('·', Width) : new string('#', filled) + new string('.', Width - filled);
            var text = $"{label} [{bar}] {(percent is null ? "  ?" : percent.Value.ToString(CultureInfo.InvariantCulture).PadLeft(3))}% {stage}";
            Console.Error.Write("\r" + text.PadRight(_drawnLength));
            _drawnLength = text.Length;
            return;
        }

        var decile = (percent ?? 0) / 10;
        if (stage != _lastStage || decile != _lastDecile)
        {
            Console.Error.WriteLine($"{label}: {(percent is null ? string.Empty : percent.Value.ToString(CultureInfo.InvariantCulture) + "% ")}{stage}");
            _lastStage = stage;
            _lastDecile = decile;
        }
    }

    /// <summary>Ends the bar's line (on a terminal) so that what follows starts on its own line.</summary>
    public void Done()
    {
        if (_interactive && _drawnLength > 0)
        {
            Console.Error.WriteLine();
            _drawnLength = 0;
        }
    }
}
