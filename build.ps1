#!/usr/bin/env pwsh
# Compiles the HagiImages library and runs a target of build/build.cake with it, for example:
#   ./build.ps1 --target Publish --base-image bootstrap
# Every argument is passed to Cake, except that '--version X' becomes '--image-version=X', because Cake
# itself owns --version.
$ErrorActionPreference = 'Stop'
Set-Location -LiteralPath $PSScriptRoot

$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_SKIP_FIRST_TIME_EXPERIENCE = '1'

$requiredSdk = (Get-Content -Raw global.json | ConvertFrom-Json).sdk.version
if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    Write-Error "The .NET SDK was not found on PATH. Install .NET SDK $requiredSdk or a later feature band of it (https://dot.net) and run again."
    exit 1
}
dotnet --version *> $null
if ($LASTEXITCODE -ne 0) {
    Write-Error "No installed .NET SDK matches $requiredSdk from global.json. Install .NET SDK $requiredSdk or later in the same major version."
    exit 1
}

dotnet tool restore | Out-Null
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
dotnet build src/HagiImages/HagiImages.csproj --configuration Release --output artifacts/build-host --nologo --verbosity quiet
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }

$cakeArguments = @()
for ($index = 0; $index -lt $args.Count; $index++) {
    $argument = [string]$args[$index]
    if ($argument -eq '--version') {
        if ($index + 1 -ge $args.Count) {
            Write-Error '--version needs a value, such as --version 1.2.0'
            exit 2
        }
        $index++
        $cakeArguments += "--image-version=$($args[$index])"
    }
    elseif ($argument.StartsWith('--version=')) {
        $cakeArguments += "--image-version=$($argument.Substring(10))"
    }
    else {
        $cakeArguments += $argument
    }
}

dotnet cake build/build.cake @cakeArguments
exit $LASTEXITCODE
