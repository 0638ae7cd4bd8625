namespace Kiosk.Install.Tests;

/// <summary>What a package made by <see cref="InstallScript.BuildPackage"/> holds.</summary>
public enum PackageContent
{
    /// <summary>The whole build output of the agent and kioskctl (~300 MB): runnable, like ./kiosk.sh publish.</summary>
    Full,

    /// <summary>Only the files install.ps1 checks (entry assemblies, runtimeconfig, deps): for tests of install,
    /// upgrade, rollback and uninstall that never run the program. Fast to copy; not runnable.</summary>
    Slim,
}
