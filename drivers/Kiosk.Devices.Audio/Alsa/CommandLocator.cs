namespace Kiosk.Devices.Audio;

/// <summary>Finds a command the way a shell would: a path as given, a bare name on PATH.</summary>
internal static class CommandLocator
{
    public static bool Exists(string command)
    {
        if (string.IsNullOrWhiteSpace(command))
        {
            return false;
        }

        if (command.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) || command.Contains(Path.AltDirectorySeparatorChar, StringComparison.Ordinal))
        {
            return File.Exists(command);
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        string[] extensions = OperatingSystem.IsWindows() ? ["", ".exe", ".cmd", ".bat"] : [""];
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => extensions.Any(ext => File.Exists(Path.Combine(dir, command + ext))));
    }

    /// <summary>
    /// What opening an ALSA-program driver (aplay, arecord) checks: the program is there. Sets the device's status
    /// through <paramref name="setStatus"/> (Online, or NoDevice with the package to install).
    /// </summary>
    public static DeviceResult<Done> OpenProgram(string command, Action<DeviceStatus, string> setStatus)
    {
        if (!Exists(command))
        {
            var description = $"{command} is not installed (apt-get install alsa-utils) or not on PATH";
            setStatus(DeviceStatus.NoDevice, description);
            return DeviceResult<Done>.Failure(CompletionCode.DeviceNotReady, description, "notInstalled");
        }

        setStatus(DeviceStatus.Online, "opened");
        return DeviceResult<Done>.Success(default);
    }
}
