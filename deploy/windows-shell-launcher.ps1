# Windows 10/11 Enterprise/Education: make Freedom Kiosk the shell for the local
# "kiosk" account with Shell Launcher v2, restarting it whenever it exits.
# Run in an elevated PowerShell after installing the kiosk to C:\FreedomKiosk.
$ErrorActionPreference = "Stop"
Enable-WindowsOptionalFeature -Online -FeatureName Client-EmbeddedShellLauncher -All -NoRestart
$user = "kiosk"
$sid = (New-Object System.Security.Principal.NTAccount($user)).Translate(
    [System.Security.Principal.SecurityIdentifier]).Value
$shell = Get-WmiObject -Namespace root\standardcimv2\embedded -Class WESL_UserSetting
$restart = 0   # 0 = restart the shell when it exits
$shell.SetCustomShell($sid, 'C:\FreedomKiosk\.venv\Scripts\kiosk.exe run', $null, $null, $restart)
$shell.SetEnabled($true)
Write-Host "Shell Launcher set for $user. Sign in as $user to start the kiosk."
