#!/usr/bin/env pwsh
#Requires -Version 7.2

<#
.SYNOPSIS
Installs, upgrades, rolls back or removes the kiosk agent: a systemd service on Linux, a Windows service on Windows.

.DESCRIPTION
Exactly one action:
  -Install     copy the package to a release folder, point "current" at it, create the kiosk user, the
               config, data and log folders, the service and the kioskctl command, and start the service.
               Running it again changes nothing and says "already installed" for what is there.
  -Upgrade     install a package with another version; the old release becomes "previous"; restart.
  -Rollback    swap "current" and "previous" (back to the release before the last upgrade); restart.
  -Uninstall   stop and remove the service, the program folder and kioskctl; keep the configuration, the data
               and the logs unless -PurgeData is given (which also removes the kiosk user).
  -UpdateDevices  (Linux) rewrite the unit's device allow-list from the configuration after a device was changed
               with "kioskctl config set", and restart the service.

-Package is a folder made by "./kiosk.sh publish": agent/ (kiosk-agent.dll), kioskctl/ (kioskctl.dll), install.ps1,
package.json {"version":"1.2.3","features":[...]} and SHA256SUMS, which must list every other file with its SHA-256:
a package with a file missing, added or changed is refused before anything is installed. -Root stages the whole layout under a folder instead of "/" (the paths written
into the unit, the kioskctl wrapper and the configuration carry the same prefix); users, OS packages and the
service manager are then left alone and each such step is printed as "skipped under -Root: <command>".
-WhatIf prints what would happen and changes nothing. Exit code 0 on success, 1 on any error, 2 without an action.

Linux layout (each path under -Root when given): /opt/kiosk/releases/<version>, /opt/kiosk/current and
/opt/kiosk/previous (relative symlinks), /etc/kiosk/agent.json (0640, never overwritten), /etc/kiosk/pki (0700),
/var/lib/kiosk and /var/log/kiosk (0750), /etc/systemd/system/kiosk-agent.service with the drop-in
kiosk-agent.service.d/devices.conf (the configured device nodes), /usr/local/bin/kioskctl, and the outbox key in the
systemd credential /etc/kiosk/credentials/outbox.key.cred (systemd-creds: TPM2 or the host key) when systemd-creds works.
Windows layout: %ProgramFiles%\Kiosk\releases\<version> with junctions current and previous,
%ProgramData%\Kiosk\{config,data,logs}, service KioskAgent running as NT SERVICE\KioskAgent.
See deploy/README.md.

.EXAMPLE
sudo pwsh ./install.ps1 -Install
.EXAMPLE
sudo pwsh ./install.ps1 -Upgrade -Package /media/usb/kiosk-1.3.0
.EXAMPLE
sudo pwsh /opt/kiosk/current/install.ps1 -UpdateDevices
.EXAMPLE
pwsh ./install.ps1 -Install -Root /tmp/kiosk-staging
#>
[CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'Help')]
param(
    # Install the package and start the service.
    [Parameter(Mandatory, ParameterSetName = 'Install')]
    [switch] $Install,

    # Install a package with a different version, keeping the current release as "previous".
    [Parameter(Mandatory, ParameterSetName = 'Upgrade')]
    [switch] $Upgrade,

    # Go back to the previous release (swaps current and previous).
    [Parameter(Mandatory, ParameterSetName = 'Rollback')]
    [switch] $Rollback,

    # Remove the service, the program and kioskctl; configuration, data and logs stay unless -PurgeData.
    [Parameter(Mandatory, ParameterSetName = 'Uninstall')]
    [switch] $Uninstall,

    # Rewrite the unit's device allow-list from the configuration (after kioskctl config set of a device) and restart.
    [Parameter(Mandatory, ParameterSetName = 'UpdateDevices')]
    [switch] $UpdateDevices,

    # With -Uninstall: also remove the configuration, data and log folders and the kiosk user.
    [Parameter(ParameterSetName = 'Uninstall')]
    [switch] $PurgeData,

    # The package folder (default: artifacts/package next to this script).
    [Parameter(ParameterSetName = 'Install')]
    [Parameter(ParameterSetName = 'Upgrade')]
    [string] $Package,

    # With -Install: leave out the kiosk screen (installed by default: Linux: cage + chromium as user kiosk-screen; Windows:
    # Edge kiosk task), for a terminal whose vendor runs its own screen application on the local API, or a headless rig.
    [Parameter(ParameterSetName = 'Install')]
    [switch] $NoScreen,

    # Stage the whole layout under this folder instead of the system root.
    [string] $Root
)

Set-StrictMode -Version 3.0
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$PSStyle.OutputRendering = 'PlainText'

# An error this script reports on purpose: what is wrong and how to fix it. Anything else is a bug and also
# prints where it happened.
class KioskInstallException : System.Exception {
    KioskInstallException([string] $message) : base($message) {}
}

$script:Cmdlet = $PSCmdlet
$script:Changes = 0
$script:ServiceName = if ($IsWindows) { 'KioskAgent' } else { 'kiosk-agent' }
$script:User = 'kiosk'
# OS packages the real drivers use: GTK for OpenCV's highgui, the Haar cascades, scanimage, arecord/aplay, libgpiod
# (without it System.Device.Gpio falls back to sysfs, which ProtectKernelTunables makes read-only).
$script:OsPackages = @('libgtk-3-0', 'opencv-data', 'sane-utils', 'alsa-utils', 'libgpiod2')
# Groups that own the kiosk's devices: serial (ID card and fingerprint readers), cameras, sound, the signature pad's
# evdev node, GPIO chips, I2C (enclosure climate sensor) and USB scanners. Only those that exist go into the unit.
$script:DeviceGroups = @('dialout', 'video', 'audio', 'input', 'gpio', 'i2c', 'scanner')
# package.json "features": what the release's agent does that this script relies on. outbox-key-credential: it reads the
# outbox key from the systemd credential (agent/Kiosk.Agent/Outbox/Encryption/OutboxKeyCredential.cs).
$script:CredentialFeature = 'outbox-key-credential'
# What the key file holds once the key is in the credential (OutboxKeyCredential.KeyFileStandIn reads it): no key, and
# not 32 bytes, so an agent started outside the unit stops instead of making a new key.
$script:KeyFileStandIn = "KIOSK-CREDENTIAL outbox.key`n"

function Stop-Install([string] $Message) {
    throw [KioskInstallException]::new($Message)
}

function Write-Step([string] $Message) {
    Write-Host $Message
}

function Format-Command([string[]] $Command) {
    ($Command | ForEach-Object { if ($_ -match '[\s"''$`]' -or $_ -eq '') { "'" + ($_ -replace "'", "'\''") + "'" } else { $_ } }) -join ' '
}

# Runs a step that changes the machine outside the kiosk's own files: users, OS packages, ownership, the service
# manager, ACLs. Under -Root it is only printed ("skipped under -Root: <command>"); with -WhatIf it is described.
# -Command is a native command line; -Action (with -Display) a script block for PowerShell-only steps.
function Invoke-SystemStep {
    param(
        [string[]] $Command,
        [scriptblock] $Action,
        [string] $Display,
        [switch] $Quiet
    )
    if (-not $Display) { $Display = Format-Command $Command }
    if ($script:Staged) {
        Write-Step "skipped under -Root: $Display"
        return
    }
    if (-not $script:Cmdlet.ShouldProcess($Display, 'Run')) {
        return
    }
    Write-Step "running: $Display"
    $script:Changes++
    if ($Action) {
        & $Action
        return
    }
    $output = & $Command[0] @($Command | Select-Object -Skip 1) 2>&1 | ForEach-Object { "$_" }
    $code = $LASTEXITCODE
    if ($code -ne 0) {
        Stop-Install ("'$Display' failed with exit code ${code}:`n  " + ($output -join "`n  "))
    }
    if (-not $Quiet -and $output) {
        $output | ForEach-Object { Write-Step "  $_" }
    }
}

function Get-Mode([string] $Path) {
    [int][IO.File]::GetUnixFileMode($Path)
}

# '0750' -> 488: modes are written in octal, as chmod takes them.
function ConvertFrom-Octal([string] $Mode) {
    if (-not $Mode) { return 0 }
    [Convert]::ToInt32($Mode, 8)
}

function Format-Mode([int] $Mode) {
    [Convert]::ToString($Mode, 8).PadLeft(4, '0')
}

function Set-Mode([string] $Path, [object] $Mode) {
    if ($Mode -is [string]) { $Mode = ConvertFrom-Octal $Mode }
    [IO.File]::SetUnixFileMode($Path, [IO.UnixFileMode][int]$Mode)
}

# Owner and group of a path as "user:group" (Linux), from stat.
function Get-Owner([string] $Path) {
    (& stat -c '%U:%G' -- $Path).Trim()
}

function Set-Owner([string] $Path, [string] $Owner) {
    if (-not $IsLinux -or -not $Owner) { return }
    if (-not $script:Staged -and (Test-Path -LiteralPath $Path) -and (Get-Owner $Path) -eq $Owner) { return }
    Invoke-SystemStep -Command @('chown', $Owner, $Path)
}

# A folder with the given mode and owner: created when missing, its mode and owner corrected when they differ.
function Set-Directory {
    param([string] $Path, [string] $ModeText, [string] $Owner)
    $Mode = ConvertFrom-Octal $ModeText
    if (Test-Path -LiteralPath $Path -PathType Container) {
        if ($IsLinux -and $Mode -and (Get-Mode $Path) -ne $Mode) {
            if ($script:Cmdlet.ShouldProcess($Path, "Change mode $(Format-Mode (Get-Mode $Path)) to $(Format-Mode $Mode)")) {
                Set-Mode $Path $Mode
                $script:Changes++
                Write-Step "fixed mode: $Path ($(Format-Mode $Mode))"
            }
        }
        else {
            Write-Step ("already installed: $Path" + $(if ($IsLinux -and $Mode) { " ($(Format-Mode $Mode))" } else { '' }))
        }
    }
    elseif ($script:Cmdlet.ShouldProcess($Path, 'Create folder' + $(if ($IsLinux -and $Mode) { " (mode $(Format-Mode $Mode))" } else { '' }))) {
        [void][IO.Directory]::CreateDirectory($Path)
        if ($IsLinux -and $Mode) { Set-Mode $Path $Mode }
        $script:Changes++
        Write-Step ("created: $Path" + $(if ($IsLinux -and $Mode) { " ($(Format-Mode $Mode))" } else { '' }))
    }
    else {
        return
    }
    Set-Owner $Path $Owner
}

# A file with the given content (LF line ends, UTF-8 without BOM) and mode. -Keep: an existing file is never
# rewritten (the configuration). The file is written next to its place and renamed over it.
function Set-File {
    param([string] $Path, [string] $Content, [string] $ModeText, [string] $Owner, [switch] $Keep)
    $Mode = ConvertFrom-Octal $ModeText
    $exists = Test-Path -LiteralPath $Path -PathType Leaf
    $modeText = if ($IsLinux -and $Mode) { " ($(Format-Mode $Mode))" } else { '' }
    if ($exists -and ($Keep -or [IO.File]::ReadAllText($Path) -ceq $Content)) {
        if ($IsLinux -and $Mode -and (Get-Mode $Path) -ne $Mode) {
            if ($script:Cmdlet.ShouldProcess($Path, "Change mode to $(Format-Mode $Mode)")) {
                Set-Mode $Path $Mode
                $script:Changes++
                Write-Step "fixed mode: $Path$modeText"
            }
        }
        else {
            Write-Step ("already installed: $Path$modeText" + $(if ($Keep) { ' (kept as is: install and upgrade never overwrite it)' } else { '' }))
        }
    }
    elseif ($script:Cmdlet.ShouldProcess($Path, $(if ($exists) { 'Replace file' } else { 'Write file' }) + $modeText)) {
        [void][IO.Directory]::CreateDirectory([IO.Path]::GetDirectoryName($Path))
        $temporary = "$Path.new"
        [IO.File]::WriteAllText($temporary, $Content, [Text.UTF8Encoding]::new($false))
        if ($IsLinux -and $Mode) { Set-Mode $temporary $Mode }
        [IO.File]::Move($temporary, $Path, $true)
        $script:Changes++
        Write-Step ($(if ($exists) { 'updated: ' } else { 'created: ' }) + "$Path$modeText")
    }
    else {
        return
    }
    Set-Owner $Path $Owner
}

function Remove-Path([string] $Path, [string] $What) {
    $item = Get-Item -LiteralPath $Path -Force -ErrorAction SilentlyContinue
    if (-not $item) {
        Write-Step "not present: $Path"
        return
    }
    if (-not $script:Cmdlet.ShouldProcess($Path, "Remove $What")) { return }
    if ($item.LinkTarget) {
        if ($item.PSIsContainer -and $IsWindows) { [IO.Directory]::Delete($Path, $false) } else { [IO.File]::Delete($Path) }
    }
    elseif ($item.PSIsContainer) {
        [IO.Directory]::Delete($Path, $true)
    }
    else {
        [IO.File]::Delete($Path)
    }
    $script:Changes++
    Write-Step "removed: $Path"
}

# ---------------------------------------------------------------------------------------------------------------
# Where things go.

function Resolve-Layout {
    $script:Staged = $false
    $prefix = ''
    if ($Root) {
        $full = [IO.Path]::GetFullPath($Root, (Get-Location).ProviderPath).TrimEnd('/', '\')
        if ($full -match '[\s"''%$`\\]' -and -not $IsWindows) {
            Stop-Install "-Root '$Root' contains a space, quote, '%', '`$', '``' or '\': the paths are written into the systemd unit and a shell script. Choose a plain folder such as /tmp/kiosk-root."
        }
        if ($full -and $full -ne '/') {
            $script:Staged = $true
            $prefix = $full
        }
    }
    $script:RootFolder = $prefix
    if ($IsWindows) {
        $programFiles = if ($script:Staged) { Join-Path $prefix 'Program Files' } else { $env:ProgramFiles }
        $programData = if ($script:Staged) { Join-Path $prefix 'ProgramData' } else { $env:ProgramData }
        $script:ProgramDir = Join-Path $programFiles 'Kiosk'
        $script:ConfigDir = Join-Path $programData 'Kiosk\config'
        $script:DataDir = Join-Path $programData 'Kiosk\data'
        $script:LogDir = Join-Path $programData 'Kiosk\logs'
        $script:PkiDir = Join-Path $script:ConfigDir 'pki'
        $script:ConfigFile = Join-Path $script:ConfigDir 'agent.json'
        $script:Wrapper = Join-Path $script:ProgramDir 'kioskctl.cmd'
        $script:UnitFile = $null
        $script:ScreenLauncher = Join-Path $script:ProgramDir 'kiosk-screen.ps1'
        $script:ScreenTask = 'KioskScreen'
    }
    else {
        $script:ProgramDir = "$prefix/opt/kiosk"
        $script:ConfigDir = "$prefix/etc/kiosk"
        $script:DataDir = "$prefix/var/lib/kiosk"
        $script:LogDir = "$prefix/var/log/kiosk"
        $script:PkiDir = "$prefix/etc/kiosk/pki"
        $script:ConfigFile = "$prefix/etc/kiosk/agent.json"
        $script:Wrapper = "$prefix/usr/local/bin/kioskctl"
        $script:UnitFile = "$prefix/etc/systemd/system/$($script:ServiceName).service"
        $script:DropInDir = "$($script:UnitFile).d"
        $script:DevicesDropIn = "$($script:DropInDir)/devices.conf"
        $script:CredentialDir = "$prefix/etc/kiosk/credentials"
        $script:OutboxCredential = "$($script:CredentialDir)/outbox.key.cred"
        # Under -Root systemd-creds uses a staged host key (SYSTEMD_CREDENTIAL_SECRET), never the machine's key or TPM.
        $script:CredentialSecret = "$prefix/var/lib/systemd/credential.secret"
        $script:ScreenUser = 'kiosk-screen'
        $script:ScreenUnitFile = "$prefix/etc/systemd/system/kiosk-screen.service"
        $script:ScreenLauncher = "$prefix/usr/local/lib/kiosk/kiosk-screen"
        $script:ScreenPam = "$prefix/etc/pam.d/kiosk-screen"
    }
    $script:Releases = Join-Path $script:ProgramDir 'releases'
}

function Get-LinkVersion([string] $Name) {
    $item = Get-Item -LiteralPath (Join-Path $script:ProgramDir $Name) -Force -ErrorAction SilentlyContinue
    if (-not $item -or -not $item.LinkTarget) { return $null }
    Split-Path -Leaf $item.LinkTarget.TrimEnd('/', '\')
}

# ---------------------------------------------------------------------------------------------------------------
# The package.

function Read-Package {
    $path = if ($Package) { [IO.Path]::GetFullPath($Package, (Get-Location).ProviderPath) } else { Join-Path $PSScriptRoot 'artifacts/package' }
    $fix = "Build one with ./kiosk.sh publish (from the repository root; it writes artifacts/package, or ./kiosk.sh publish OUT) and pass it with -Package <folder>."
    if (-not (Test-Path -LiteralPath $path -PathType Container)) {
        Stop-Install "package folder '$path' does not exist. A package is a folder with agent/, kioskctl/ and package.json. $fix"
    }
    $missing = @('package.json', 'agent/kiosk-agent.dll', 'agent/kiosk-agent.runtimeconfig.json', 'agent/kiosk-agent.deps.json', 'kioskctl/kioskctl.dll', 'kioskctl/kioskctl.runtimeconfig.json') |
        Where-Object { -not (Test-Path -LiteralPath (Join-Path $path $_) -PathType Leaf) }
    if ($missing) {
        Stop-Install "package '$path' is not a kiosk package: $($missing -join ', ') missing. $fix"
    }
    # System.Text.Json rather than ConvertFrom-Json: the same check at a fraction of the start-up cost.
    $manifest = Join-Path $path 'package.json'
    $version = ''
    try {
        $document = [System.Text.Json.JsonDocument]::Parse([IO.File]::ReadAllText($manifest))
    }
    catch {
        $reason = if ($_.Exception.InnerException) { $_.Exception.InnerException.Message } else { $_.Exception.Message }
        Stop-Install "'$manifest' is not valid JSON ($reason); it must be {`"version`":`"1.2.3`"}. $fix"
    }
    try {
        $element = $document.RootElement.GetProperty('version')
        if ($element.ValueKind -eq [System.Text.Json.JsonValueKind]::String) { $version = $element.GetString() }
    }
    catch {
        $version = ''
    }
    if ($version -notmatch '^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$') {
        Stop-Install "'$manifest' has no valid version ('$version'); it must be {`"version`":`"1.2.3`"} (semantic version). $fix"
    }
    # Every file against SHA256SUMS, before anything is installed: a file changed or added after publishing (a DLL
    # planted beside the agent would run as the kiosk user, with its devices and the outbox key) refuses the package.
    $sums = Read-PackageSums $path $fix
    $problems = Get-PackageProblems $path $sums
    if ($problems.Count) {
        Stop-Install ("package '$path' failed its SHA256SUMS check; nothing was installed:`n  " + ($problems -join "`n  ") + "`nInstall the package exactly as ./kiosk.sh publish wrote it: copy it again from where it was built, and find out what changed it.")
    }
    # Every shared framework the agent needs, as the SDK writes them ("framework" or "frameworks": name and version):
    # Microsoft.NETCore.App, and Microsoft.AspNetCore.App for the loopback local API.
    $runtimeConfig = [IO.File]::ReadAllText((Join-Path $path 'agent/kiosk-agent.runtimeconfig.json'))
    $frameworks = @([regex]::Matches($runtimeConfig, '"name"\s*:\s*"(?<name>[^"]+)"\s*,\s*"version"\s*:\s*"(?<version>[^"]+)"') |
        ForEach-Object { [pscustomobject]@{ Name = $_.Groups['name'].Value; Version = $_.Groups['version'].Value } })
    [pscustomobject]@{
        Path       = $path
        Version    = $version
        Frameworks = $frameworks
        Features   = @(Get-PackageFeatures $document.RootElement)
        Sums       = $sums
    }
}

# package.json's "features" (strings); none in packages from before it was written.
function Get-PackageFeatures([System.Text.Json.JsonElement] $Manifest) {
    if ($Manifest.ValueKind -ne [System.Text.Json.JsonValueKind]::Object) { return }
    foreach ($property in $Manifest.EnumerateObject()) {
        if ($property.Name -ceq 'features' -and $property.Value.ValueKind -eq [System.Text.Json.JsonValueKind]::Array) {
            $property.Value.EnumerateArray() | Where-Object { $_.ValueKind -eq [System.Text.Json.JsonValueKind]::String } | ForEach-Object { $_.GetString() }
        }
    }
}

# Whether the installed release <version> names a feature in its package.json.
function Test-ReleaseFeature([string] $Version, [string] $Feature) {
    $manifest = Join-Path (Join-Path $script:Releases $Version) 'package.json'
    try { $features = @(Get-PackageFeatures ([System.Text.Json.JsonDocument]::Parse([IO.File]::ReadAllText($manifest)).RootElement)) }
    catch { return $false }
    $features -ccontains $Feature
}

function Get-FileSha256([string] $Path) {
    $stream = [IO.File]::OpenRead($Path)
    try { [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData($stream)).ToLowerInvariant() }
    finally { $stream.Dispose() }
}

# SHA256SUMS as deploy/write-package-sums.sh writes it for ./kiosk.sh publish ("HASH  PATH" lines, sha256sum's format):
# path -> lower-case hash.
function Read-PackageSums([string] $Path, [string] $Fix) {
    $file = Join-Path $Path 'SHA256SUMS'
    if (-not (Test-Path -LiteralPath $file -PathType Leaf)) {
        Stop-Install "package '$Path' has no SHA256SUMS, so its files cannot be checked; nothing was installed. $Fix"
    }
    $sums = [Collections.Generic.Dictionary[string, string]]::new([StringComparer]::Ordinal)
    $number = 0
    foreach ($line in [IO.File]::ReadAllLines($file)) {
        $number++
        $hash, $name = if ($line -match '^(?<hash>[0-9a-fA-F]{64}) [ *](?<name>[^\\]+)$') { $Matches.hash, $Matches.name } else { $null, $null }
        if (-not $name -or $name.StartsWith('/') -or $name -match '(^|/)\.{1,2}(/|$)' -or $sums.ContainsKey($name)) {
            Stop-Install "${file}:$number is not a 'SHA-256  path' line naming a file of the package once; nothing was installed. $Fix"
        }
        $sums[$name] = $hash.ToLowerInvariant()
    }
    $sums
}

# What in a folder differs from its SHA256SUMS: files missing, added, changed, and symbolic links (a package holds
# plain files; a link could point anywhere on the machine).
function Get-PackageProblems([string] $Folder, $Sums) {
    $problems = [Collections.Generic.List[string]]::new()
    $seen = [Collections.Generic.HashSet[string]]::new([StringComparer]::Ordinal)
    foreach ($entry in [IO.DirectoryInfo]::new($Folder).EnumerateFileSystemInfos('*', [IO.SearchOption]::AllDirectories)) {
        $name = [IO.Path]::GetRelativePath($Folder, $entry.FullName).Replace('\', '/')
        if ($entry.LinkTarget) { $problems.Add("$name is a symbolic link (a package holds plain files and folders only)") }
        elseif ($entry -is [IO.DirectoryInfo] -or $name -ceq 'SHA256SUMS') { }
        elseif (-not $Sums.ContainsKey($name)) { $problems.Add("$name is not in SHA256SUMS (added after ./kiosk.sh publish)") }
        else {
            [void]$seen.Add($name)
            if ((Get-FileSha256 $entry.FullName) -cne $Sums[$name]) { $problems.Add("$name does not match its SHA-256 in SHA256SUMS (changed after ./kiosk.sh publish)") }
        }
    }
    foreach ($name in $Sums.Keys) {
        if (-not $seen.Contains($name)) { $problems.Add("$name is listed in SHA256SUMS but missing") }
    }
    , $problems
}

# dotnet as the service will run it, and a check that it has the runtime the package was built for.
function Find-Dotnet($Pkg) {
    $command = Get-Command dotnet -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $command) {
        $how = if ($IsWindows) { 'winget install Microsoft.DotNet.Runtime.10' } else { 'apt-get install dotnet-runtime-10.0 (see https://learn.microsoft.com/dotnet/core/install/linux-debian)' }
        Stop-Install "dotnet was not found on PATH: the agent is a framework-dependent .NET build. Install the .NET runtime ($how) and run install.ps1 again."
    }
    $dotnet = $command.Source
    if ($Pkg -and $Pkg.Frameworks) {
        $runtimes = & $dotnet --list-runtimes 2>$null
        foreach ($framework in $Pkg.Frameworks) {
            $major = ($framework.Version -split '\.')[0..1] -join '.'
            if (-not ($runtimes | Where-Object { $_ -like "$($framework.Name) $major.*" })) {
                $debian = if ($framework.Name -eq 'Microsoft.AspNetCore.App') { "aspnetcore-runtime-$major" } else { "dotnet-runtime-$major" }
                Stop-Install "$dotnet has no $($framework.Name) $major runtime, which the package needs (it has: $(@($runtimes) -join '; ')). Install $debian and run install.ps1 again."
            }
        }
    }
    if ($IsLinux -and $dotnet -match '^(/root|/home|/run/user)(/|$)') {
        Write-Warning "dotnet is ${dotnet}: the unit sets ProtectHome=yes, so systemd cannot start it from there. Install the runtime system-wide (apt-get install dotnet-runtime-10.0)."
    }
    $dotnet
}

function Assert-Administrator {
    if ($script:Staged -or $WhatIfPreference) { return }
    if ($IsWindows) {
        $principal = [Security.Principal.WindowsPrincipal][Security.Principal.WindowsIdentity]::GetCurrent()
        if (-not $principal.IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)) {
            Stop-Install 'install.ps1 changes services and Program Files: run it from an elevated PowerShell (Run as administrator), or stage the layout with -Root <folder>.'
        }
    }
    elseif ((& id -u) -ne '0') {
        Stop-Install 'install.ps1 creates a system user and a systemd service: run it as root (sudo pwsh ./install.ps1 ...), or stage the layout with -Root <folder>.'
    }
}

# ---------------------------------------------------------------------------------------------------------------
# Files the script writes.

# The configuration in the agent's format (the shipped appsettings.json with the data folder made absolute); kioskctl
# init fills in SiteId and KioskId. A here-string rather than ConvertTo-Json, which costs a module load.
function New-ConfigJson {
    $dataFolder = [System.Text.Json.JsonEncodedText]::Encode($script:DataDir).ToString()
    @"
{
  "Logging": {
    "LogLevel": {
      "Default": "Information",
      "Microsoft.Hosting.Lifetime": "Warning"
    }
  },
  "Kiosk": {
    "SiteId": "",
    "KioskId": "",
    "Profile": "production",
    "DataFolder": "$dataFolder",
    "HeartbeatInterval": "00:00:30",
    "Outbox": {
      "DatabaseFile": "outbox.db"
    },
    "Sync": {
      "BrokerHost": "127.0.0.1",
      "BrokerPort": 8883
    }
  }
}

"@ -replace "`r`n", "`n"
}

function Get-ExistingGroups {
    $script:DeviceGroups | Where-Object {
        & getent group $_ *> $null
        $LASTEXITCODE -eq 0
    }
}

function New-UnitText([string] $Dotnet) {
    $groups = @(Get-ExistingGroups)
    $supplementary = if ($groups) { "SupplementaryGroups=$($groups -join ' ')" } else { '# SupplementaryGroups=: none of the device groups exist on this machine' }
    $current = "$($script:ProgramDir)/current"
    $credential = if (Test-Path -LiteralPath $script:OutboxCredential -PathType Leaf) {
        "# The outbox key: systemd decrypts it (TPM2 or the host key) for this service only, into `$CREDENTIALS_DIRECTORY.`nLoadCredentialEncrypted=outbox.key:$($script:OutboxCredential)"
    }
    else {
        '# The outbox key is a 0600 file in the data folder: no systemd credential was made for it (see deploy/README.md).'
    }
    @"
# Written by install.ps1; -Install and -Upgrade rewrite it. Local changes belong in a
# drop-in: systemctl edit $($script:ServiceName)
[Unit]
Description=Kiosk edge agent (self-service report terminal)
After=network-online.target time-sync.target
Wants=network-online.target

[Service]
Type=notify
ExecStart=$Dotnet $current/agent/kiosk-agent.dll
WorkingDirectory=$($script:DataDir)
Environment=KIOSK_CONFIG=$($script:ConfigFile)
User=$($script:User)
Group=$($script:User)
$supplementary
SyslogIdentifier=$($script:ServiceName)
Restart=always
RestartSec=5
# 78 (EX_CONFIG): the agent found its configuration invalid and said what to fix; restarting cannot help.
RestartPreventExitStatus=78
TimeoutStopSec=30
UMask=0027

# Hardening. The agent writes only its data and log folders; devices are reached through group membership
# (GPIO chips and serial ports need no capability), so no capability at all.
ProtectSystem=strict
ReadWritePaths=$($script:DataDir) $($script:LogDir)
NoNewPrivileges=yes
PrivateTmp=yes
ProtectHome=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectKernelLogs=yes
ProtectControlGroups=yes
ProtectHostname=yes
ProtectClock=yes
RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK
RestrictNamespaces=yes
RestrictRealtime=yes
RestrictSUIDSGID=yes
LockPersonality=yes
SystemCallArchitectures=native
CapabilityBoundingSet=
AmbientCapabilities=
# The system calls of an ordinary service (systemd's @system-service set); any other fails with EPERM rather than
# killing the agent, so a runtime probing for an optional call carries on.
SystemCallFilter=@system-service
SystemCallErrorNumber=EPERM
# /proc shows the agent its own processes only, and nothing but process folders (no /proc/sys, /proc/kcore...).
ProtectProc=invisible
ProcSubset=pid
# System V and POSIX IPC objects left by the kiosk user are removed when the service stops.
RemoveIPC=yes
$credential

# Devices: none but the nodes the configured drivers open, which install.ps1 writes from the configuration into the
# drop-in $($script:ServiceName).service.d/devices.conf (install.ps1 -UpdateDevices after a device changed).
DevicePolicy=closed

[Install]
WantedBy=multi-user.target

"@ -replace "`r`n", "`n"
}

# ---------------------------------------------------------------------------------------------------------------
# The devices the configuration names, for the unit's DeviceAllow= (Linux).

# agent.json as the agent reads it: .NET configuration keys ("Kiosk:Devices:Sam:PortName", array items numbered),
# compared case-insensitively as Microsoft.Extensions.Configuration does. Before install wrote the file (-WhatIf),
# the configuration it would write.
function Read-ConfigValues {
    $text = if (Test-Path -LiteralPath $script:ConfigFile -PathType Leaf) { [IO.File]::ReadAllText($script:ConfigFile) } else { New-ConfigJson }
    $options = [System.Text.Json.JsonDocumentOptions]::new()
    $options.CommentHandling = [System.Text.Json.JsonCommentHandling]::Skip
    $options.AllowTrailingCommas = $true
    try {
        $document = [System.Text.Json.JsonDocument]::Parse($text, $options)
    }
    catch {
        $reason = if ($_.Exception.InnerException) { $_.Exception.InnerException.Message } else { $_.Exception.Message }
        Stop-Install "$($script:ConfigFile) is not valid JSON ($reason): fix it (kioskctl config validate names the problem) and run install.ps1 again."
    }
    $values = [Collections.Generic.Dictionary[string, string]]::new([StringComparer]::OrdinalIgnoreCase)
    $pending = [Collections.Generic.Stack[object]]::new()
    $pending.Push(@('', $document.RootElement))
    while ($pending.Count) {
        $prefix, $element = $pending.Pop()
        $join = if ($prefix) { "${prefix}:" } else { '' }
        switch ($element.ValueKind) {
            'Object' { foreach ($property in $element.EnumerateObject()) { $pending.Push(@("$join$($property.Name)", $property.Value)) } }
            'Array' {
                $index = 0
                foreach ($item in $element.EnumerateArray()) { $pending.Push(@("$join$index", $item)); $index++ }
            }
            'String' { $values[$prefix] = $element.GetString() }
            'Null' { }
            default { $values[$prefix] = $element.GetRawText() }
        }
    }
    $values
}

function Get-ConfigValue($Values, [string] $Key, [string] $Default) {
    $value = $null
    if ($Values.TryGetValue($Key, [ref] $value)) { return $value }
    $Default
}

# The device nodes the configured real drivers open (one entry per node, with the key it comes from), each driver's
# defaults as its options class has them (drivers/*/*Options.cs): Sam /dev/ttyUSB0, R30x /dev/ttyUSB1, Evdev
# /dev/input/event0 (read only), OpenCV source "0", which is /dev/video0. Driver names compare exactly, as
# agent/Kiosk.Agent/Hosting/KioskOptionsValidation.cs checks them. Sources that are files or URLs need no device.
function Get-ConfiguredDevices($Values) {
    $devices = [Collections.Generic.List[object]]::new()
    $driver = { param($Slot) Get-ConfigValue $Values "Kiosk:Devices:$Slot" 'Simulated' }
    foreach ($camera in @(@('FaceCamera', 'OpenCv'), @('DocumentCamera', 'DocumentOpenCv'))) {
        $slot, $section = $camera
        if ((& $driver $slot) -cne 'OpenCv') { continue }
        $key = "Kiosk:Devices:${section}:Source"
        $source = Get-ConfigValue $Values $key '0'
        $node = if ($source -match '^[0-9]{1,6}$') { "/dev/video$([int]$source)" } elseif ($source.StartsWith('/dev/')) { $source }
        if ($node) { $devices.Add([pscustomobject]@{ Node = $node; Access = 'rw'; Key = $key; Why = "Kiosk:Devices:$slot=OpenCv, $key=$source" }) }
    }
    foreach ($port in @(@('IdCardReader', 'Sam', 'PortName', '/dev/ttyUSB0', 'rw'), @('FingerprintReader', 'R30x', 'PortName', '/dev/ttyUSB1', 'rw'), @('SignaturePad', 'Evdev', 'DevicePath', '/dev/input/event0', 'r'))) {
        $slot, $name, $setting, $default, $access = $port
        if ((& $driver $slot) -cne $name) { continue }
        $key = "Kiosk:Devices:${name}:$setting"
        $node = Get-ConfigValue $Values $key $default
        if ($node.StartsWith('/dev/')) { $devices.Add([pscustomobject]@{ Node = $node; Access = $access; Key = $key; Why = "Kiosk:Devices:$slot=$name, $key" }) }
    }
    if ((& $driver 'DocumentScanner') -ceq 'Sane') {
        $scanner = Get-ConfigValue $Values 'Kiosk:Devices:Sane:DeviceName' ''
        # Network backends need no device; a USB scanner is /dev/bus/usb/BUS/DEVICE, renumbered at every plug.
        if ($scanner -notmatch '^(net|airscan|escl|test)(:|$)') {
            $devices.Add([pscustomobject]@{ Node = 'char-usb_device'; Access = 'rw'; Key = 'Kiosk:Devices:Sane:DeviceName'; Why = "Kiosk:Devices:DocumentScanner=Sane ($scanner): libusb opens /dev/bus/usb/*, renumbered at every plug" })
        }
    }
    if ((& $driver 'AudioRecorder') -ceq 'Arecord' -or (& $driver 'AudioPlayer') -ceq 'Aplay') {
        $devices.Add([pscustomobject]@{ Node = 'char-alsa'; Access = 'rw'; Key = 'Kiosk:Devices:Arecord'; Why = "Kiosk:Devices:AudioRecorder=Arecord or AudioPlayer=Aplay: ALSA names (default, plughw:1,0, dmix) reach /dev/snd/* through ALSA's configuration" })
    }
    $gpio = @('Indicators', 'Sensors') | Where-Object { (& $driver $_) -ceq 'Gpio' }
    if ($gpio) {
        # System.Device.Gpio's default controller (agent/Kiosk.Agent/Devices/DeviceSet.cs) opens chip 0 through libgpiod.
        $devices.Add([pscustomobject]@{ Node = '/dev/gpiochip0'; Access = 'rw'; Key = 'Kiosk:Devices:GpioIndicators'; Why = "Kiosk:Devices:$($gpio -join '/')=Gpio: the default GPIO controller, chip 0" })
    }
    $bus = Get-ConfigValue $Values 'Kiosk:Devices:ClimateSensorI2cBus' ''
    if ((& $driver 'Sensors') -ceq 'Gpio' -and $bus -match '^[0-9]{1,4}$') {
        $devices.Add([pscustomobject]@{ Node = "/dev/i2c-$([int]$bus)"; Access = 'rw'; Key = 'Kiosk:Devices:ClimateSensorI2cBus'; Why = "Kiosk:Devices:ClimateSensorI2cBus=$bus (SHT4x climate sensor)" })
    }
    , $devices
}

# The kernel's name for a character device's major number (/proc/devices), as DeviceAllow=char-NAME takes it: of the
# names for that major (4 is "tty" and "ttyS"), the longest that starts the node's name, else the only one.
function Get-DeviceClass([string] $Node) {
    $stat = & stat -L -c '%F|%t' -- $Node 2>$null
    if ($LASTEXITCODE -ne 0 -or "$stat" -notmatch '^character special file\|(?<major>[0-9a-f]+)$') { return $null }
    $major = [Convert]::ToInt32($Matches.major, 16)
    $names = [Collections.Generic.List[string]]::new()
    $characters = $false
    foreach ($line in [IO.File]::ReadAllLines('/proc/devices')) {
        if ($line -eq 'Character devices:') { $characters = $true }
        elseif ($line -eq 'Block devices:') { break }
        elseif ($characters -and $line -match '^\s*(?<major>[0-9]+)\s+(?<name>[A-Za-z0-9_-]+)$' -and [int]$Matches.major -eq $major) { $names.Add($Matches.name) }
    }
    $leaf = Split-Path -Leaf $Node
    $best = $names | Where-Object { $leaf.StartsWith($_, [StringComparison]::Ordinal) } | Sort-Object Length -Descending | Select-Object -First 1
    if ($best) { return $best }
    if ($names.Count -eq 1) { return $names[0] }
    $null
}

# DeviceAllow= lines for one configured device, each with a comment saying why. A node path is allowed as it is
# (systemd resolves it when the service starts). A link (/dev/serial/by-id/..., /dev/v4l/by-id/...) is allowed by its
# target's class, because the node it points at gets another number when the device is plugged in again while the
# agent runs; one that is not there now (unplugged) by the classes its folder's links point at.
function ConvertTo-DeviceRules($Device) {
    $node = $Device.Node
    if ($node.StartsWith('char-')) { return , @([pscustomobject]@{ Allow = $node; Access = $Device.Access; Why = $Device.Why }) }
    if ($node -notmatch '^/dev/[A-Za-z0-9._:+@,=/-]+$' -or $node -match '(^|/)\.{1,2}(/|$)' -or $node.EndsWith('/')) {
        Stop-Install "$($Device.Key) '$node' cannot be allowed in the unit: it must be a path under /dev made of letters, digits and . _ - : + @ , = only. Set it to the device's node or its /dev/serial/by-id/... link (kioskctl config set $($Device.Key) /dev/...) and run install.ps1 -UpdateDevices."
    }
    $item = Get-Item -LiteralPath $node -Force -ErrorAction SilentlyContinue
    $classes = @()
    $why = $Device.Why
    if ($item -and $item.LinkTarget) {
        $target = try { $item.ResolveLinkTarget($true) } catch { $null }
        $class = if ($target -and $target.Exists) { Get-DeviceClass $target.FullName }
        if ($class) {
            $classes = @($class)
            $why += ": $node -> $($target.FullName), allowed by class (the link follows the device when it is plugged in again)"
        }
    }
    elseif (-not $item) {
        $classes = switch -Regex ($node) {
            '^/dev/serial/' { 'ttyUSB', 'ttyACM' }
            '^/dev/v4l/' { 'video4linux' }
            '^/dev/input/by-' { 'input' }
            '^/dev/snd/by-' { 'alsa' }
        }
        if ($classes) { $why += ": $node is not there now (unplugged?), so the classes its folder's links point at" }
        else { $why += ": $node is not there now; systemd allows it if it is when the service starts" }
    }
    if ($classes) { return , @($classes | ForEach-Object { [pscustomobject]@{ Allow = "char-$_"; Access = $Device.Access; Why = $why } }) }
    , @([pscustomobject]@{ Allow = $node; Access = $Device.Access; Why = $why })
}

# The drop-in: DeviceAllow= emptied, then one line per allowed node or class (two devices on one node: one line with
# both accesses).
function New-DevicesDropInText {
    $rules = [ordered]@{}
    foreach ($device in (Get-ConfiguredDevices (Read-ConfigValues))) {
        foreach ($rule in (ConvertTo-DeviceRules $device)) {
            if ($rules.Contains($rule.Allow)) {
                $rules[$rule.Allow].Access = (-join ('rwm'.ToCharArray() | Where-Object { "$($rules[$rule.Allow].Access)$($rule.Access)".Contains($_) }))
                $rules[$rule.Allow].Why += "; $($rule.Why)"
            }
            else { $rules[$rule.Allow] = $rule }
        }
    }
    $lines = [Collections.Generic.List[string]]::new()
    $lines.Add("# Written by install.ps1 from $($script:ConfigFile): the device nodes the configured drivers open, and nothing")
    $lines.Add("# else (the unit has DevicePolicy=closed). -Install, -Upgrade and -UpdateDevices rewrite it; after changing a device")
    $lines.Add("# with kioskctl config set, run: sudo pwsh $($script:ProgramDir)/current/install.ps1 -UpdateDevices")
    $lines.Add('[Service]')
    $lines.Add('# Empty first: only the lines below count.')
    $lines.Add('DeviceAllow=')
    foreach ($rule in $rules.Values) {
        # Configuration text in a comment: a line break in it would start a directive of its own.
        $lines.Add("# $($rule.Why -replace '[\x00-\x1f\x7f]', '?')")
        $lines.Add("DeviceAllow=$($rule.Allow) $($rule.Access)")
    }
    if (-not $rules.Count) { $lines.Add('# No real device is configured (every device class is Simulated or reads a file or URL).') }
    ($lines -join "`n") + "`n"
}

function Install-DeviceDropIn {
    if ($IsWindows) { return }
    Set-Directory $script:DropInDir -ModeText '0755' -Owner 'root:root'
    Set-File $script:DevicesDropIn (New-DevicesDropInText) -ModeText '0644' -Owner 'root:root'
}

# ---------------------------------------------------------------------------------------------------------------
# The outbox key (Linux): in a systemd credential, not a file beside the outbox. See deploy/README.md, "The outbox key".

# The key file the agent falls back to: Kiosk:Outbox:KeyFile under Kiosk:DataFolder, resolved as the agent does
# (relative to its working directory, the data folder).
function Get-OutboxKeyFile {
    $values = Read-ConfigValues
    $folder = [IO.Path]::GetFullPath((Get-ConfigValue $values 'Kiosk:DataFolder' $script:DataDir), $script:DataDir)
    [IO.Path]::GetFullPath((Get-ConfigValue $values 'Kiosk:Outbox:KeyFile' 'outbox.key'), $folder)
}

# The key file: its 32 bytes, the string 'stand-in' when it names the credential, or nothing when there is none.
function Read-OutboxKeyFile([string] $Path) {
    if (-not (Test-Path -LiteralPath $Path -PathType Leaf)) { return }
    $bytes = [IO.File]::ReadAllBytes($Path)
    if ([Text.Encoding]::ASCII.GetString($bytes) -ceq $script:KeyFileStandIn) { return 'stand-in' }
    if ($bytes.Length -ne 32) {
        Stop-Install "$Path is $($bytes.Length) bytes, not a 32-byte outbox key: restore it from this kiosk's backup (deploy/README.md, 'The outbox key') and run install.ps1 again."
    }
    , $bytes
}

# Runs systemd-creds, with -RandomKey 32 bytes from /dev/urandom on its standard input (through sh, so the key never
# passes through this script and a systemd-creds that fails before reading it is no broken pipe here); under -Root
# with the staged host key. Returns its exit code, standard output and error output (its notes, such as "not located
# on encrypted media", are not failures).
function Invoke-SystemdCreds([string[]] $Arguments, [switch] $RandomKey) {
    $creds = (Get-Command systemd-creds -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
    $saved = $env:SYSTEMD_CREDENTIAL_SECRET
    if ($script:Staged) { $env:SYSTEMD_CREDENTIAL_SECRET = $script:CredentialSecret }
    try {
        $output = if ($RandomKey) { & sh -c 'head -c 32 /dev/urandom | "$0" "$@"' $creds @Arguments 2>&1 } else { & $creds @Arguments 2>&1 }
        $code = $LASTEXITCODE
    }
    finally {
        $env:SYSTEMD_CREDENTIAL_SECRET = $saved
    }
    [pscustomobject]@{
        Code   = $code
        Output = (@($output | Where-Object { $_ -isnot [Management.Automation.ErrorRecord] }) -join "`n")
        Errors = (@($output | Where-Object { $_ -is [Management.Automation.ErrorRecord] } | ForEach-Object { "$_".Trim() }) -join '; ')
    }
}

function Read-OutboxCredential([string] $Path = $script:OutboxCredential) {
    $result = Invoke-SystemdCreds @('decrypt', '--name=outbox.key', '--transcode=base64', $Path, '-')
    if ($result.Code -ne 0) {
        Stop-Install "systemd-creds cannot decrypt ${Path}: $($result.Errors). It was encrypted on another machine, or with a TPM2 whose state (PCR 7, Secure Boot) or a host key (/var/lib/systemd/credential.secret) that has changed since. Restore the outbox key from this kiosk's backup (deploy/README.md, 'The outbox key')."
    }
    , [Convert]::FromBase64String($result.Output.Trim())
}

function Test-SameKey([byte[]] $A, [byte[]] $B) {
    [Security.Cryptography.CryptographicOperations]::FixedTimeEquals($A, $B)
}

function Stop-DifferentKeys([string] $KeyFile) {
    Stop-Install "$KeyFile holds another key than $($script:OutboxCredential): attachments sealed with one cannot be opened with the other, so neither is touched. If the key file was restored from this kiosk's backup, it is the key the outbox needs: move the credential away (mv $($script:OutboxCredential) $($script:OutboxCredential).old) and run install.ps1 -Install again, which encrypts the key file into a new credential. Otherwise move the key file away."
}

# Writes a key file the way the agent does (0600, written beside it and renamed over it), owned by the kiosk user.
# Overwrites the old file's bytes first, so the key does not linger in the blocks of the old file (on a file system
# that writes in place; an SSD or a copy-on-write file system may still keep them).
function Write-OutboxKeyFile([string] $Path, [byte[]] $Bytes) {
    if (Test-Path -LiteralPath $Path -PathType Leaf) {
        $old = [IO.File]::Open($Path, [IO.FileMode]::Open, [IO.FileAccess]::Write)
        try { $old.Write([byte[]]::new($old.Length)); $old.Flush($true) } finally { $old.Dispose() }
    }
    $temporary = "$Path.new"
    $options = [IO.FileStreamOptions]@{ Mode = [IO.FileMode]::Create; Access = [IO.FileAccess]::Write; UnixCreateMode = [IO.UnixFileMode]'UserRead, UserWrite' }
    $file = [IO.FileStream]::new($temporary, $options)
    try { $file.Write($Bytes); $file.Flush($true) } finally { $file.Dispose() }
    Set-Mode $temporary '0600'
    [IO.File]::Move($temporary, $Path, $true)
    $script:Changes++
}

# Before the unit is written: the credential is made once, from the key file when there is one (the same key, so what
# is sealed stays readable), else from a new key, with systemd-creds --with-key=tpm2 when the machine has a TPM2, else
# --with-key=host. Without a working systemd-creds, or for a release whose agent reads only the key file, the key file
# stays (the fallback). The key file itself changes only in Complete-OutboxKey, once the release is current.
function Install-OutboxCredential($Pkg) {
    if ($IsWindows) { return } # DPAPI protects the key file (agent/Kiosk.Agent/Outbox/Encryption/OutboxKey.cs).
    $keyFile = Get-OutboxKeyFile
    $plain = Read-OutboxKeyFile $keyFile
    if (Test-Path -LiteralPath $script:OutboxCredential -PathType Leaf) {
        Write-Step "already installed: $($script:OutboxCredential) (the outbox key, encrypted by systemd-creds)"
        if ($plain -is [byte[]] -and -not (Test-SameKey $plain (Read-OutboxCredential))) { Stop-DifferentKeys $keyFile }
        return
    }
    if ($plain -is [string]) {
        Stop-Install "$keyFile says the outbox key is in $($script:OutboxCredential), which is missing: restore the credential, or the key itself into $keyFile, from this kiosk's backup (deploy/README.md, 'The outbox key'), and run install.ps1 again."
    }
    if ($Pkg.Features -cnotcontains $script:CredentialFeature) {
        Write-Step "not protected: kiosk $($Pkg.Version) reads the outbox key only from $keyFile (0600): its package.json does not name the feature $($script:CredentialFeature)"
        return
    }
    if (-not (Get-Command systemd-creds -CommandType Application -ErrorAction SilentlyContinue)) {
        Write-Step "not protected: $keyFile stays a 0600 file in the data folder: systemd-creds (systemd 250 or later) is not installed (deploy/README.md, 'The outbox key')"
        return
    }
    $withKey = if (-not $script:Staged -and (Invoke-SystemdCreds @('has-tpm2', '--quiet')).Code -eq 0) { 'tpm2' } else { 'host' }
    $origin = if ($plain) { "the outbox key from $keyFile" } else { 'a new outbox key' }
    if (-not $script:Cmdlet.ShouldProcess($script:OutboxCredential, "Encrypt $origin with systemd-creds --with-key=$withKey")) { return }
    Set-Directory $script:CredentialDir -ModeText '0700' -Owner 'root:root'
    if ($script:Staged) { [void][IO.Directory]::CreateDirectory([IO.Path]::GetDirectoryName($script:CredentialSecret)) }
    $temporary = "$($script:OutboxCredential).new"
    $source = if ($plain) { $keyFile } else { '-' }
    # Sealed to PCR 7 (the Secure Boot state) as well, written out rather than left to systemd's default.
    $encrypt = @('encrypt', '--name=outbox.key', "--with-key=$withKey") + $(if ($withKey -eq 'tpm2') { @('--tpm2-pcrs=7') } else { @() }) + @($source, $temporary)
    $secret = if ($script:Staged) { "SYSTEMD_CREDENTIAL_SECRET=$($script:CredentialSecret) " } else { '' }
    Write-Step ("running: ${secret}systemd-creds $($encrypt -join ' ')" + $(if ($plain) { '' } else { ' (32 bytes from /dev/urandom on its input)' }))
    try {
        $result = Invoke-SystemdCreds $encrypt -RandomKey:(-not $plain)
        if ($result.Code -ne 0) {
            Write-Step "not protected: $keyFile stays a 0600 file in the data folder: systemd-creds encrypt failed ($($result.Errors)) (deploy/README.md, 'The outbox key')"
            return
        }
        Set-Mode $temporary '0600'
        $key = Read-OutboxCredential $temporary
        if ($key.Length -ne 32 -or ($plain -and -not (Test-SameKey $key $plain))) {
            Stop-Install "systemd-creds decrypted $temporary to another key than it was given; nothing was changed. Report this as a bug in install.ps1."
        }
        [Array]::Clear($key)
        [IO.File]::Move($temporary, $script:OutboxCredential, $true)
    }
    finally {
        if (Test-Path -LiteralPath $temporary) { [IO.File]::Delete($temporary) }
    }
    $script:Changes++
    Write-Step "created: $($script:OutboxCredential) (0600; $origin, encrypted with systemd-creds --with-key=$withKey)"
    Set-Owner $script:OutboxCredential 'root:root'
}

# Once <version> is current: a release that reads the credential gets the stand-in line in its key file (the key in it
# overwritten); a release from before credentials gets the key back in its key file, or it would make a new key and
# every attachment sealed so far would be lost to it.
function Complete-OutboxKey([string] $Version) {
    if ($IsWindows -or -not (Test-Path -LiteralPath $script:OutboxCredential -PathType Leaf)) { return }
    $keyFile = Get-OutboxKeyFile
    $plain = Read-OutboxKeyFile $keyFile
    if (Test-ReleaseFeature $Version $script:CredentialFeature) {
        if ($plain -is [string]) {
            Write-Step "already installed: $keyFile (0600; no key, a line naming $($script:OutboxCredential))"
            return
        }
        if ($plain -and -not (Test-SameKey $plain (Read-OutboxCredential))) { Stop-DifferentKeys $keyFile }
        if (-not $script:Cmdlet.ShouldProcess($keyFile, "Replace with a line naming $($script:OutboxCredential)")) { return }
        Write-OutboxKeyFile $keyFile ([Text.Encoding]::ASCII.GetBytes($script:KeyFileStandIn))
        Write-Step ($(if ($plain) { 'updated: ' } else { 'created: ' }) + "$keyFile (0600; no key, a line naming $($script:OutboxCredential))")
        Set-Owner $keyFile "$($script:User):$($script:User)"
        return
    }
    if ($plain -is [byte[]]) {
        Write-Step "already installed: $keyFile (0600; the outbox key kiosk $Version reads)"
        return
    }
    if (-not $script:Cmdlet.ShouldProcess($keyFile, "Write the outbox key from $($script:OutboxCredential) for kiosk $Version")) { return }
    $key = Read-OutboxCredential
    try { Write-OutboxKeyFile $keyFile $key } finally { [Array]::Clear($key) }
    Write-Step "restored: $keyFile (0600) from $($script:OutboxCredential): kiosk $Version reads the outbox key only from its key file"
    Set-Owner $keyFile "$($script:User):$($script:User)"
}

function New-WrapperText([string] $Dotnet) {
    if ($IsWindows) {
        return @"
@echo off
rem kioskctl: written by install.ps1; runs the current release.
if not defined KIOSK_CONFIG set "KIOSK_CONFIG=$($script:ConfigFile)"
"$Dotnet" "$($script:ProgramDir)\current\kioskctl\kioskctl.dll" %*

"@ -replace "(?<!`r)`n", "`r`n"
    }
    @"
#!/bin/sh
# kioskctl: written by install.ps1; runs the current release with the installed configuration.
: "`${KIOSK_CONFIG:=$($script:ConfigFile)}"
export KIOSK_CONFIG
exec '$Dotnet' '$($script:ProgramDir)/current/kioskctl/kioskctl.dll' "`$@"

"@ -replace "`r`n", "`n"
}

# ---------------------------------------------------------------------------------------------------------------
# Steps.

function Install-OsPrerequisites {
    if ($IsWindows) { return }
    $groupAdd = @('groupadd', '--system', $script:User)
    $userAdd = @('useradd', '--system', '--gid', $script:User, '--no-create-home', '--home-dir', '/var/lib/kiosk', '--shell', '/usr/sbin/nologin', $script:User)
    if (-not $script:Staged -and ((& getent group $script:User) -and $LASTEXITCODE -eq 0)) { Write-Step "already installed: group $($script:User)" }
    else { Invoke-SystemStep -Command $groupAdd }
    if (-not $script:Staged -and ((& getent passwd $script:User) -and $LASTEXITCODE -eq 0)) { Write-Step "already installed: user $($script:User)" }
    else { Invoke-SystemStep -Command $userAdd }

    $aptInstall = @('apt-get', 'install', '-y', '--no-install-recommends') + $script:OsPackages
    if ($script:Staged) {
        Invoke-SystemStep -Command $aptInstall
        return
    }
    if (-not (Get-Command apt-get -CommandType Application -ErrorAction SilentlyContinue)) {
        Write-Warning "apt-get not found: install these packages with this system's package manager for the real drivers: $($script:OsPackages -join ' ')"
        return
    }
    $missing = @($script:OsPackages | Where-Object { -not ((& dpkg-query -W -f '${Status}' $_ 2>$null) -match 'install ok installed') })
    if (-not $missing) {
        Write-Step "already installed: OS packages $($script:OsPackages -join ' ')"
        return
    }
    $env:DEBIAN_FRONTEND = 'noninteractive'
    try {
        Invoke-SystemStep -Command (@('apt-get', 'install', '-y', '--no-install-recommends') + $missing) -Quiet
    }
    catch [KioskInstallException] {
        # A fresh machine may have no package lists yet.
        Invoke-SystemStep -Command @('apt-get', 'update') -Quiet
        Invoke-SystemStep -Command (@('apt-get', 'install', '-y', '--no-install-recommends') + $missing) -Quiet
    }
}

function Install-Folders {
    if ($IsWindows) {
        Set-Directory $script:ProgramDir
        Set-Directory $script:Releases
        Set-Directory $script:ConfigDir
        Set-Directory $script:PkiDir
        Set-Directory $script:DataDir
        Set-Directory $script:LogDir
        return
    }
    $user = $script:User
    Set-Directory $script:ProgramDir -ModeText '0755' -Owner 'root:root'
    Set-Directory $script:Releases -ModeText '0755' -Owner 'root:root'
    Set-Directory $script:ConfigDir -ModeText '0750' -Owner "root:$user"
    Set-Directory $script:PkiDir -ModeText '0700' -Owner "${user}:$user"
    Set-Directory $script:DataDir -ModeText '0750' -Owner "${user}:$user"
    Set-Directory $script:LogDir -ModeText '0750' -Owner "${user}:$user"
}

function Install-Config {
    if ($IsWindows) { Set-File $script:ConfigFile (New-ConfigJson) -Keep }
    else { Set-File $script:ConfigFile (New-ConfigJson) -ModeText '0640' -Owner "root:$($script:User)" -Keep }
}

# Copies the package to releases/<version>: first to a hidden folder, renamed when complete, so an interrupted copy
# never looks like an installed release. -Replace: an existing folder of that version (not current) is copied afresh.
function Install-Release($Pkg, [switch] $Replace) {
    $target = Join-Path $script:Releases $Pkg.Version
    if ((Test-Path -LiteralPath $target -PathType Container) -and -not $Replace) {
        Write-Step "already installed: $target"
        return
    }
    if (-not $script:Cmdlet.ShouldProcess($target, "Copy package $($Pkg.Path)")) { return }
    $partial = Join-Path $script:Releases ".partial-$($Pkg.Version)"
    foreach ($stale in @($partial, $target)) {
        if (Test-Path -LiteralPath $stale) { [IO.Directory]::Delete($stale, $true) }
    }
    if ($IsWindows) {
        Copy-Item -LiteralPath $Pkg.Path -Destination $partial -Recurse -Force -Confirm:$false -WhatIf:$false
    }
    else {
        # cp is about twice as fast as Copy-Item on the ~300 MB a package holds (OpenCV's native libraries).
        $output = & cp -R -- $Pkg.Path $partial 2>&1
        if ($LASTEXITCODE -ne 0) { Stop-Install "could not copy $($Pkg.Path) to ${partial}: $output" }
        # Readable by the kiosk user whatever the umask: folders 0755, files 0644 (0755 when executable).
        $output = & chmod -R 'u=rwX,go=rX' -- $partial 2>&1
        if ($LASTEXITCODE -ne 0) { Stop-Install "could not set the modes in ${partial}: $output" }
    }
    # The copy, not only the package, is what runs: checked again, so a package changed while it was read (removable
    # media) cannot slip in between the check and the copy.
    $problems = Get-PackageProblems $partial $Pkg.Sums
    if ($problems.Count) {
        [IO.Directory]::Delete($partial, $true)
        Stop-Install ("the copy of $($Pkg.Path) differs from its SHA256SUMS, so it was deleted and current was not switched:`n  " + ($problems -join "`n  ") + "`nCopy the package to a local disk and run install.ps1 again.")
    }
    [IO.Directory]::Move($partial, $target)
    $script:Changes++
    Write-Step "created: $target (copy of $($Pkg.Path))"
}

# Points current or previous at releases/<version>: a relative symlink swapped in with rename(2) on Linux, a junction
# on Windows.
function Set-ReleaseLink([string] $Name, [string] $Version) {
    $link = Join-Path $script:ProgramDir $Name
    if ((Get-LinkVersion $Name) -eq $Version) {
        Write-Step "already installed: $link -> releases/$Version"
        return
    }
    if (-not $script:Cmdlet.ShouldProcess($link, "Point at releases/$Version")) { return }
    if ($IsWindows) {
        if (Get-Item -LiteralPath $link -Force -ErrorAction SilentlyContinue) { [IO.Directory]::Delete($link, $false) }
        [void](New-Item -ItemType Junction -Path $link -Target (Join-Path $script:Releases $Version) -Confirm:$false -WhatIf:$false)
    }
    else {
        $temporary = "$link.new"
        if (Get-Item -LiteralPath $temporary -Force -ErrorAction SilentlyContinue) { [IO.File]::Delete($temporary) }
        [void][IO.Directory]::CreateSymbolicLink($temporary, "releases/$Version")
        $output = & mv -T -f -- $temporary $link 2>&1
        if ($LASTEXITCODE -ne 0) { Stop-Install "could not point $link at releases/${Version}: $output" }
    }
    $script:Changes++
    Write-Step "linked: $link -> releases/$Version"
}

# Keeps only the releases current and previous point at.
function Remove-OldReleases {
    $keep = @((Get-LinkVersion 'current'), (Get-LinkVersion 'previous')) | Where-Object { $_ }
    if (-not (Test-Path -LiteralPath $script:Releases)) { return }
    foreach ($folder in Get-ChildItem -LiteralPath $script:Releases -Directory -Force) {
        if ($keep -notcontains $folder.Name) { Remove-Path $folder.FullName 'old release' }
    }
}

function Test-Unit {
    $analyze = Get-Command systemd-analyze -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $analyze) {
        Write-Step "not verified: systemd-analyze is not installed"
        return
    }
    $display = "systemd-analyze verify $($script:UnitFile)"
    if (-not $script:Cmdlet.ShouldProcess($script:UnitFile, 'Verify with systemd-analyze verify')) { return }
    # A plain verify of the file works in a chroot, a container without systemd running and a staged root alike: it
    # parses the unit (unknown keys and bad values are printed as warnings while the exit code stays 0, so any line
    # naming the unit counts as a failure) and checks that ExecStart's program exists.
    $output = @(& $analyze.Source verify $script:UnitFile 2>&1 | ForEach-Object { "$_" })
    $code = $LASTEXITCODE
    $ours = @($output | Where-Object { $_ -like "*$($script:ServiceName).service*" })
    if ($code -ne 0 -or $ours) {
        Stop-Install ("$display failed (exit code $code):`n  " + ($output -join "`n  ") + "`nThe unit is wrong; nothing was started. Fix the lines named above (or report them as a bug in install.ps1).")
    }
    Write-Step "verified: $display (ok)"
}

function Install-ServiceFiles([string] $Dotnet) {
    Set-File $script:Wrapper (New-WrapperText $Dotnet) -ModeText '0755' -Owner $(if ($IsWindows) { $null } else { 'root:root' })
    if ($IsWindows) {
        Install-WindowsService $Dotnet
        return
    }
    Set-File $script:UnitFile (New-UnitText $Dotnet) -ModeText '0644' -Owner 'root:root'
    Install-DeviceDropIn
    Test-Unit
}

function Test-SystemdRunning {
    (Get-Command systemctl -CommandType Application -ErrorAction SilentlyContinue) -and (Test-Path -LiteralPath '/run/systemd/system')
}

# Runs systemctl; on a machine where systemd is not running (a container, an image being built) says so instead.
function Invoke-Systemctl([string[]] $Arguments) {
    $command = @('systemctl') + $Arguments
    if (-not $script:Staged -and -not (Test-SystemdRunning)) {
        Write-Warning "systemd is not running here: skipped '$(Format-Command $command)'; run it once the machine boots with systemd."
        return
    }
    Invoke-SystemStep -Command $command
}

function Start-KioskService([ValidateSet('start', 'restart', 'stop')] [string] $How) {
    if ($IsWindows) {
        # Script blocks run later by Invoke-SystemStep capture local variables only (GetNewClosure).
        $name = $script:ServiceName
        switch ($How) {
            'start' { Invoke-SystemStep -Display "Start-Service $name" -Action ({ Start-Service -Name $name }.GetNewClosure()) }
            'restart' { Invoke-SystemStep -Display "Restart-Service $name" -Action ({ Restart-Service -Name $name }.GetNewClosure()) }
            'stop' {
                if ($script:Staged -or (Get-Service -Name $name -ErrorAction SilentlyContinue)) {
                    Invoke-SystemStep -Display "Stop-Service $name" -Action ({ Stop-Service -Name $name -Force }.GetNewClosure())
                }
            }
        }
        return
    }
    switch ($How) {
        'start' {
            Invoke-Systemctl @('daemon-reload')
            Invoke-Systemctl @('enable', '--now', $script:ServiceName)
        }
        'restart' {
            Invoke-Systemctl @('daemon-reload')
            Invoke-Systemctl @('restart', $script:ServiceName)
        }
        'stop' { Invoke-Systemctl @('disable', '--now', $script:ServiceName) }
    }
}

# ---------------------------------------------------------------------------------------------------------------
# Windows: service with recovery actions, virtual account, ACLs. Not reachable on Linux.

function Install-WindowsService([string] $Dotnet) {
    if (-not $IsWindows) { return }
    $name = $script:ServiceName
    $account = "NT SERVICE\$name"
    $binary = "`"$Dotnet`" `"$($script:ProgramDir)\current\agent\kiosk-agent.dll`""
    $exists = -not $script:Staged -and (Get-Service -Name $name -ErrorAction SilentlyContinue)
    if ($exists) {
        Write-Step "already installed: service $name"
        Invoke-SystemStep -Command @('sc.exe', 'config', $name, 'binPath=', $binary, 'start=', 'auto')
    }
    else {
        Invoke-SystemStep -Display "New-Service -Name $name -BinaryPathName $binary -StartupType Automatic" -Action ({
            [void](New-Service -Name $name -BinaryPathName $binary -DisplayName 'Kiosk agent' -Description 'Kiosk edge agent (self-service report terminal)' -StartupType Automatic)
        }.GetNewClosure())
    }
    Invoke-SystemStep -Command @('sc.exe', 'config', $name, 'obj=', $account)
    Invoke-SystemStep -Command @('sc.exe', 'failure', $name, 'reset=', '86400', 'actions=', 'restart/5000/restart/10000/restart/60000')
    # The agent reads its configuration from KIOSK_CONFIG; a service's environment is the Environment value of its key.
    $serviceKey = "HKLM:\SYSTEM\CurrentControlSet\Services\$name"
    $environment = "KIOSK_CONFIG=$($script:ConfigFile)"
    Invoke-SystemStep -Display "set $serviceKey\Environment to $environment" -Action ({
        [void](New-ItemProperty -Path $serviceKey -Name Environment -PropertyType MultiString -Value @($environment) -Force)
    }.GetNewClosure())
    # SYSTEM (S-1-5-18) and Administrators (S-1-5-32-544) by SID so localized Windows works too.
    foreach ($folder in @($script:DataDir, $script:LogDir)) {
        Invoke-SystemStep -Command @('icacls', $folder, '/inheritance:r', '/grant:r', '*S-1-5-18:(OI)(CI)F', '*S-1-5-32-544:(OI)(CI)F', "${account}:(OI)(CI)M") -Quiet
    }
    foreach ($folder in @($script:ConfigDir, $script:PkiDir)) {
        Invoke-SystemStep -Command @('icacls', $folder, '/inheritance:r', '/grant:r', '*S-1-5-18:(OI)(CI)F', '*S-1-5-32-544:(OI)(CI)F', "${account}:(OI)(CI)RX") -Quiet
    }
}

function Uninstall-WindowsService {
    if (-not $IsWindows) { return }
    $name = $script:ServiceName
    if ($script:Staged -or (Get-Service -Name $name -ErrorAction SilentlyContinue)) {
        Invoke-SystemStep -Display "Remove-Service -Name $name" -Action ({ Remove-Service -Name $name }.GetNewClosure())
    }
    else {
        Write-Step "not present: service $name"
    }
}

# ---------------------------------------------------------------------------------------------------------------
# The kiosk screen (installed unless -NoScreen): a browser in kiosk mode on the agent's loopback screen page, as its own unprivileged user.
# Contract with the agent (deploy/README.md, "The kiosk screen"): at every start the agent writes
# {DataFolder}/screen/screen.url, one line "http://127.0.0.1:<local API port>/screen/?code=<one-time code>", mode 0640;
# the screen folder is kiosk:kiosk-screen 2750 (setgid: what the agent writes there is group kiosk-screen), the screen
# user may traverse the data folder (ACL u:x) and read that folder only. The launcher waits for a screen.url written
# since the agent's current start.

function New-ScreenLauncherText {
    $url = "$($script:DataDir)/screen/screen.url"
    @"
#!/bin/sh
# kiosk-screen: written by install.ps1. Waits for the agent's screen URL (written at each agent start, with a
# one-time code) and runs chromium in kiosk mode on cage, a Wayland compositor that shows one application full screen.
set -eu
url_file='$url'
agent='$($script:ServiceName).service'
fresh() {
  [ -s "`$url_file" ] && [ -r "`$url_file" ] || return 1
  # A file older than the agent's current start holds a code the agent no longer knows.
  since=`$(systemctl show "`$agent" -p ExecMainStartTimestamp --value 2>/dev/null || true)
  [ -n "`$since" ] || return 0
  started=`$(date -d "`$since" +%s 2>/dev/null || echo 0)
  [ "`$(stat -c %Y "`$url_file")" -ge "`$started" ]
}
waited=0
until fresh; do
  [ "`$waited" -eq 0 ] && echo "kiosk-screen: waiting for `$url_file (written by `$agent at its start)" >&2
  waited=1
  sleep 1
done
url=`$(head -n 1 "`$url_file")
case "`$url" in
  http://127.0.0.1:*/screen/*) ;;
  *) echo "kiosk-screen: `$url_file does not hold a loopback screen URL (http://127.0.0.1:PORT/screen/...)" >&2; exit 1 ;;
esac
# No -s: the person at the kiosk cannot switch to a text console. The page keeps the screen on (cage blanks nothing).
exec cage -- chromium --kiosk --ozone-platform=wayland --no-first-run --noerrdialogs --disable-infobars \
  --disable-translate --disable-session-crashed-bubble --disable-features=Translate --password-store=basic \
  --incognito --lang=zh-CN "`$url"

"@ -replace "`r`n", "`n"
}

function New-ScreenPamText {
    @"
# Written by install.ps1 for kiosk-screen.service (PAMName=kiosk-screen): a logind session on the seat, so cage may
# open the display and input devices. No authentication: systemd starts the session for the screen user.
auth     required pam_permit.so
account  required pam_unix.so
session  required pam_unix.so
session  required pam_systemd.so

"@ -replace "`r`n", "`n"
}

function New-ScreenUnitText {
    @"
# Written by install.ps1 (left out with -NoScreen): the kiosk screen, chromium in kiosk mode on cage, on tty1, as $($script:ScreenUser).
# BindsTo + After: it stops when the agent stops or fails; WantedBy the agent: it starts again with every agent
# start (a restart, a crash's automatic restart), so it always shows the code of the running agent.
[Unit]
Description=Kiosk screen (cage + chromium on the agent's loopback screen page)
BindsTo=$($script:ServiceName).service
After=$($script:ServiceName).service systemd-user-sessions.service
Conflicts=getty@tty1.service
After=getty@tty1.service
ConditionPathExists=/dev/tty1

[Service]
Type=simple
ExecStart=$($script:ScreenLauncher)
User=$($script:ScreenUser)
Group=$($script:ScreenUser)
PAMName=$($script:ScreenUser)
TTYPath=/dev/tty1
TTYReset=yes
TTYVHangup=yes
TTYVTDisallocate=yes
StandardInput=tty-fail
StandardOutput=journal
StandardError=journal
UtmpIdentifier=tty1
UtmpMode=user
SyslogIdentifier=kiosk-screen
Restart=always
RestartSec=2
NoNewPrivileges=yes
ProtectSystem=full
PrivateTmp=yes

[Install]
WantedBy=$($script:ServiceName).service

"@ -replace "`r`n", "`n"
}

# systemd-analyze verify of the screen unit, with the agent's unit it binds to (so the dependency resolves): any line
# naming the screen unit, or a non-zero exit, fails the install.
function Test-ScreenUnit {
    $analyze = Get-Command systemd-analyze -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if (-not $analyze) {
        Write-Step "not verified: systemd-analyze is not installed"
        return
    }
    $display = "systemd-analyze verify $($script:ScreenUnitFile)"
    if (-not $script:Cmdlet.ShouldProcess($script:ScreenUnitFile, 'Verify with systemd-analyze verify')) { return }
    $output = @(& $analyze.Source verify $script:UnitFile $script:ScreenUnitFile 2>&1 | ForEach-Object { "$_" })
    $code = $LASTEXITCODE
    $ours = @($output | Where-Object { $_ -like "*$($script:ScreenUser).service*" })
    if ($code -ne 0 -or $ours) {
        Stop-Install ("$display failed (exit code $code):`n  " + ($output -join "`n  ") + "`nThe screen unit is wrong. Fix the lines named above (or report them as a bug in install.ps1).")
    }
    Write-Step "verified: $display (ok)"
}

function Install-Screen {
    if ($IsWindows) {
        Install-WindowsScreen
        return
    }
    $user = $script:ScreenUser
    if (-not $script:Staged -and ((& getent group $user) -and $LASTEXITCODE -eq 0)) { Write-Step "already installed: group $user" }
    else { Invoke-SystemStep -Command @('groupadd', '--system', $user) }
    $groups = @('video', 'render', 'input', 'audio') | Where-Object { & getent group $_ *> $null; $LASTEXITCODE -eq 0 }
    if (-not $script:Staged -and ((& getent passwd $user) -and $LASTEXITCODE -eq 0)) { Write-Step "already installed: user $user" }
    else {
        $add = @('useradd', '--system', '--gid', $user, '--create-home', '--home-dir', "/var/lib/$user", '--shell', '/usr/sbin/nologin')
        if ($groups) { $add += @('--groups', ($groups -join ',')) }
        Invoke-SystemStep -Command ($add + $user)
    }
    # The screen user may pass through the data folder to its screen folder, not list it.
    if (-not $script:Staged -and (@((& id -nG $script:User 2>$null) -split ' ') -contains $user)) { Write-Step "already installed: $($script:User) in group $user" }
    else { Invoke-SystemStep -Command @('usermod', '--append', '--groups', $user, $script:User) }
    if (-not $script:Staged -and (@(& getfacl --omit-header $script:DataDir 2>$null) -match "^user:${user}:--x")) { Write-Step "already installed: ACL u:${user}:x on $($script:DataDir)" }
    else { Invoke-SystemStep -Command @('setfacl', '--modify', "u:${user}:x", $script:DataDir) }
    # The agent writes screen.url only when this folder exists; setgid makes the file group kiosk-screen.
    Set-Directory -Path "$($script:DataDir)/screen" -ModeText '2750' -Owner "$($script:User):$user"
    $packages = @('cage', 'chromium', 'fonts-noto-cjk', 'acl')
    if ($script:Staged -or -not (Get-Command apt-get -CommandType Application -ErrorAction SilentlyContinue)) {
        Invoke-SystemStep -Command (@('apt-get', 'install', '-y', '--no-install-recommends') + $packages)
    }
    else {
        $missing = @($packages | Where-Object { -not ((& dpkg-query -W -f '${Status}' $_ 2>$null) -match 'install ok installed') })
        if ($missing) {
            $env:DEBIAN_FRONTEND = 'noninteractive'
            Invoke-SystemStep -Command (@('apt-get', 'install', '-y', '--no-install-recommends') + $missing) -Quiet
        }
        else { Write-Step "already installed: OS packages $($packages -join ' ')" }
    }
    Set-File $script:ScreenLauncher (New-ScreenLauncherText) -ModeText '0755' -Owner 'root:root'
    Set-File $script:ScreenPam (New-ScreenPamText) -ModeText '0644' -Owner 'root:root'
    Set-File $script:ScreenUnitFile (New-ScreenUnitText) -ModeText '0644' -Owner 'root:root'
    Test-ScreenUnit
}

function Start-Screen {
    if ($IsWindows) { return }
    Invoke-Systemctl @('daemon-reload')
    Invoke-Systemctl @('enable', '--now', "$($script:ScreenUser).service")
}

function Uninstall-Screen {
    if ($IsWindows) {
        $task = $script:ScreenTask
        if ($script:Staged -or (Get-ScheduledTask -TaskName $task -ErrorAction SilentlyContinue)) {
            Invoke-SystemStep -Display "Unregister-ScheduledTask -TaskName $task" -Action ({ Unregister-ScheduledTask -TaskName $task -Confirm:$false }.GetNewClosure())
        }
        Remove-Path $script:ScreenLauncher 'screen launcher'
        return
    }
    if (-not (Test-Path -LiteralPath $script:ScreenUnitFile)) { return }
    Invoke-Systemctl @('disable', '--now', "$($script:ScreenUser).service")
    Remove-Path $script:ScreenUnitFile 'screen unit'
    Remove-Path $script:ScreenLauncher 'screen launcher'
    Remove-Path $script:ScreenPam 'screen PAM service'
}

# Windows (written, not run by the tests): Edge in kiosk mode at the logon of the kiosk's display account, through a
# PowerShell launcher that waits for screen.url as the Linux one does. Auto-logon of that account is the technician's.
function New-WindowsScreenLauncherText {
    @"
# kiosk-screen.ps1: written by install.ps1 (left out with -NoScreen). Waits for the agent's screen URL and opens it in Edge's kiosk mode.
`$urlFile = '$($script:DataDir)\screen\screen.url'
while (-not (Test-Path -LiteralPath `$urlFile) -or -not (Get-Content -LiteralPath `$urlFile -TotalCount 1)) { Start-Sleep -Seconds 1 }
`$url = (Get-Content -LiteralPath `$urlFile -TotalCount 1).Trim()
if (`$url -notlike 'http://127.0.0.1:*/screen/*') { throw "`$urlFile does not hold a loopback screen URL" }
while (`$true) {
    `$edge = Start-Process -FilePath 'msedge.exe' -ArgumentList @('--kiosk', `$url, '--edge-kiosk-type=fullscreen', '--no-first-run') -PassThru
    `$edge.WaitForExit()
    Start-Sleep -Seconds 2
    `$url = (Get-Content -LiteralPath `$urlFile -TotalCount 1).Trim()
}

"@ -replace "(?<!`r)`n", "`r`n"
}

function Install-WindowsScreen {
    Set-File $script:ScreenLauncher (New-WindowsScreenLauncherText)
    $task = $script:ScreenTask
    $launcher = $script:ScreenLauncher
    Invoke-SystemStep -Display "Register-ScheduledTask -TaskName $task (at logon: pwsh -File $launcher)" -Action ({
        $action = New-ScheduledTaskAction -Execute 'pwsh.exe' -Argument "-NoProfile -WindowStyle Hidden -File `"$launcher`""
        $trigger = New-ScheduledTaskTrigger -AtLogOn
        $settings = New-ScheduledTaskSettingsSet -RestartCount 999 -RestartInterval (New-TimeSpan -Minutes 1) -ExecutionTimeLimit ([TimeSpan]::Zero)
        [void](Register-ScheduledTask -TaskName $task -Action $action -Trigger $trigger -Settings $settings -Force)
    }.GetNewClosure())
}

# ---------------------------------------------------------------------------------------------------------------
# Actions.

function Get-StagedNote {
    if ($script:Staged) { "; staged under $($script:RootFolder) (users, OS packages and the service manager left alone)" } else { '' }
}

function Invoke-Install {
    $pkg = Read-Package
    $current = Get-LinkVersion 'current'
    if ($current -and $current -ne $pkg.Version) {
        Stop-Install "kiosk $current is installed in $($script:ProgramDir); -Install does not replace it. Use -Upgrade -Package '$($pkg.Path)' to move to $($pkg.Version) (it keeps $current for -Rollback)."
    }
    Assert-Administrator
    $dotnet = Find-Dotnet $pkg
    Write-Step "installing kiosk $($pkg.Version) from $($pkg.Path)$(Get-StagedNote)"
    if ($script:Staged) { Set-Directory $script:RootFolder }
    Install-OsPrerequisites
    Install-Folders
    Install-Config
    Install-Release $pkg
    Install-OutboxCredential $pkg
    # The unit (and its verification) first: a unit systemd-analyze rejects leaves current as it was.
    Install-ServiceFiles $dotnet
    Set-ReleaseLink 'current' $pkg.Version
    Complete-OutboxKey $pkg.Version
    Start-KioskService 'start'
    if (-not $NoScreen) {
        Install-Screen
        Start-Screen
    }
    if ($WhatIfPreference) { Write-Step "install.ps1: -WhatIf: would install kiosk $($pkg.Version); nothing was changed" }
    elseif ($script:Changes -eq 0) { Write-Step "install.ps1: kiosk $($pkg.Version) already installed in $($script:ProgramDir); nothing changed" }
    else { Write-Step "install.ps1: installed kiosk $($pkg.Version) in $($script:ProgramDir)$(Get-StagedNote)" }
}

function Invoke-Upgrade {
    $current = Get-LinkVersion 'current'
    if (-not $current) {
        Stop-Install "no kiosk is installed in $($script:ProgramDir) (no 'current' link): install it first with -Install."
    }
    $pkg = Read-Package
    if ($pkg.Version -eq $current) {
        Write-Step "install.ps1: kiosk $current is already the current release in $($script:ProgramDir); nothing to upgrade, nothing changed (a new build needs a new <Version> in Directory.Build.props)"
        return
    }
    Assert-Administrator
    $dotnet = Find-Dotnet $pkg
    Write-Step "upgrading kiosk $current -> $($pkg.Version) from $($pkg.Path)$(Get-StagedNote)"
    Install-OsPrerequisites
    Install-Folders
    Install-Config
    Install-Release $pkg -Replace
    Install-OutboxCredential $pkg
    Install-ServiceFiles $dotnet
    Set-ReleaseLink 'previous' $current
    Set-ReleaseLink 'current' $pkg.Version
    Complete-OutboxKey $pkg.Version
    Remove-OldReleases
    Start-KioskService 'restart'
    if ($WhatIfPreference) { Write-Step "install.ps1: -WhatIf: would upgrade kiosk $current -> $($pkg.Version); nothing was changed" }
    else { Write-Step "install.ps1: upgraded kiosk $current -> $($pkg.Version); previous: $current (go back with -Rollback)$(Get-StagedNote)" }
}

function Invoke-Rollback {
    $current = Get-LinkVersion 'current'
    $previous = Get-LinkVersion 'previous'
    if (-not $current) {
        Stop-Install "no kiosk is installed in $($script:ProgramDir) (no 'current' link): there is nothing to roll back."
    }
    if (-not $previous) {
        Stop-Install "there is no previous release to roll back to in $($script:ProgramDir) (current is $current): only -Upgrade keeps one. To go to another version, use -Upgrade -Package <folder>."
    }
    if (-not (Test-Path -LiteralPath (Join-Path $script:Releases $previous) -PathType Container)) {
        Stop-Install "the previous release $previous is missing from $($script:Releases): reinstall it with -Upgrade -Package <folder with $previous>."
    }
    Assert-Administrator
    Write-Step "rolling back kiosk $current -> $previous$(Get-StagedNote)"
    Set-ReleaseLink 'current' $previous
    Set-ReleaseLink 'previous' $current
    Complete-OutboxKey $previous
    Start-KioskService 'restart'
    if ($WhatIfPreference) { Write-Step "install.ps1: -WhatIf: would roll back kiosk $current -> $previous; nothing was changed" }
    else { Write-Step "install.ps1: rolled back kiosk $current -> $previous; previous is now $current (-Rollback again returns to it)$(Get-StagedNote)" }
}

function Invoke-UpdateDevices {
    if ($IsWindows) {
        Stop-Install '-UpdateDevices rewrites the systemd unit''s device allow-list; a Windows service has none.'
    }
    if (-not (Test-Path -LiteralPath $script:UnitFile -PathType Leaf)) {
        Stop-Install "no kiosk is installed here ($($script:UnitFile) is missing): install it first with -Install."
    }
    Assert-Administrator
    Write-Step "updating the devices $($script:ServiceName) may open from $($script:ConfigFile)$(Get-StagedNote)"
    $before = if (Test-Path -LiteralPath $script:DevicesDropIn -PathType Leaf) { [IO.File]::ReadAllText($script:DevicesDropIn) }
    Install-DeviceDropIn
    if ($WhatIfPreference) {
        Write-Step "install.ps1: -WhatIf: would write the device allow-list $($script:DevicesDropIn) from $($script:ConfigFile); nothing was changed"
        return
    }
    if ($script:Changes -eq 0) {
        Write-Step "install.ps1: the device allow-list $($script:DevicesDropIn) already matches $($script:ConfigFile); nothing changed"
        return
    }
    try {
        Test-Unit
    }
    catch {
        # A list systemd-analyze rejects must not be what the next start reads.
        if ($null -ne $before) { [IO.File]::WriteAllText($script:DevicesDropIn, $before) }
        throw
    }
    Start-KioskService 'restart'
    $count = @([IO.File]::ReadAllLines($script:DevicesDropIn) | Where-Object { $_ -match '^DeviceAllow=.' }).Count
    Write-Step "install.ps1: updated the device allow-list $($script:DevicesDropIn) from $($script:ConfigFile): $count DeviceAllow= lines$(if ($script:Staged -or -not (Test-SystemdRunning)) { '' } else { "; restarted $($script:ServiceName)" })$(Get-StagedNote)"
}

function Invoke-Uninstall {
    $current = Get-LinkVersion 'current'
    Assert-Administrator
    $what = if ($current) { "kiosk $current" } else { 'kiosk' }
    Write-Step "uninstalling $what$(Get-StagedNote)"
    if ($IsWindows) {
        Uninstall-Screen
        Start-KioskService 'stop'
        Uninstall-WindowsService
    }
    elseif (Test-Path -LiteralPath $script:UnitFile) {
        Uninstall-Screen
        Start-KioskService 'stop'
        Remove-Path $script:UnitFile 'systemd unit'
        Remove-Path $script:DevicesDropIn 'device allow-list'
        # The folder also holds what "systemctl edit" wrote: it goes only when nothing else is left in it.
        if ((Test-Path -LiteralPath $script:DropInDir) -and -not (Get-ChildItem -LiteralPath $script:DropInDir -Force)) { Remove-Path $script:DropInDir 'drop-in folder' }
        Invoke-Systemctl @('daemon-reload')
    }
    else {
        Write-Step "not present: $($script:UnitFile)"
    }
    Remove-Path $script:Wrapper 'kioskctl wrapper'
    Remove-Path $script:ProgramDir 'program folder'
    $kept = @($script:ConfigDir, $script:DataDir, $script:LogDir)
    if ($PurgeData) {
        foreach ($folder in $kept) { Remove-Path $folder 'folder and everything in it' }
        if ($IsLinux) {
            if ($script:Staged -or ((& getent passwd $script:User) -and $LASTEXITCODE -eq 0)) { Invoke-SystemStep -Command @('userdel', $script:User) }
            if ($script:Staged -or ((& getent group $script:User) -and $LASTEXITCODE -eq 0)) { Invoke-SystemStep -Command @('groupdel', $script:User) }
        }
    }
    if ($WhatIfPreference) { Write-Step "install.ps1: -WhatIf: would uninstall $what; nothing was changed" }
    elseif ($PurgeData) { Write-Step "install.ps1: uninstalled $what and removed its configuration, data and logs$(Get-StagedNote)" }
    else { Write-Step "install.ps1: uninstalled $what; kept $($kept -join ', ') (remove them with -Uninstall -PurgeData)$(Get-StagedNote)" }
}

function Show-Usage {
    Write-Host @'
usage: pwsh ./install.ps1 -Install   [-Package DIR] [-NoScreen] [-Root DIR] [-WhatIf]
       pwsh ./install.ps1 -Upgrade   [-Package DIR] [-Root DIR] [-WhatIf]
       pwsh ./install.ps1 -Rollback  [-Root DIR] [-WhatIf]
       pwsh ./install.ps1 -Uninstall [-PurgeData] [-Root DIR] [-WhatIf]
       pwsh ./install.ps1 -UpdateDevices [-Root DIR] [-WhatIf]
  -Package DIR  a folder made by ./kiosk.sh publish (default: artifacts/package next to this script); every file in
                it must match its SHA256SUMS
  -NoScreen     leave out the kiosk screen (installed by default: cage + chromium --kiosk as user kiosk-screen on
                Linux, an Edge kiosk task on Windows; deploy/README.md, "The kiosk screen")
  -UpdateDevices  after a device changed (kioskctl config set Kiosk:Devices:...): the unit allows its node; restart
  -Root DIR     stage the whole layout under DIR instead of the system root (no users, packages or services)
  Get-Help ./install.ps1 -Full for the layout.
'@
}

try {
    if (-not $IsLinux -and -not $IsWindows) {
        Stop-Install 'install.ps1 installs on Linux (systemd) and Windows only.'
    }
    Resolve-Layout
    switch ($PSCmdlet.ParameterSetName) {
        'Install' { Invoke-Install }
        'Upgrade' { Invoke-Upgrade }
        'Rollback' { Invoke-Rollback }
        'Uninstall' { Invoke-Uninstall }
        'UpdateDevices' { Invoke-UpdateDevices }
        default {
            Show-Usage
            exit 2
        }
    }
}
catch {
    [Console]::Error.WriteLine("install.ps1: error: $($_.Exception.Message)")
    if ($_.Exception -isnot [KioskInstallException]) {
        [Console]::Error.WriteLine($_.ScriptStackTrace)
    }
    exit 1
}
exit 0
