#!/usr/bin/env bash
# Compiles the HagiImages library and runs a target of build/build.cake with it, for example:
#   ./build.sh --target Publish --base-image bootstrap
# Every argument is passed to Cake, except that '--version X' becomes '--image-version=X', because Cake
# itself owns --version.
set -Eeuo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$root"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

required_sdk=$(sed -n 's/.*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' global.json | head -n 1)
if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET SDK was not found on PATH. Install .NET SDK ${required_sdk} or a later feature band of it (https://dot.net) and run again." >&2
  exit 1
fi
if ! dotnet --version >/dev/null 2>&1; then
  echo "error: no installed .NET SDK matches ${required_sdk} from global.json. Installed: $(dotnet --list-sdks 2>/dev/null | cut -d' ' -f1 | tr '\n' ' '). Install .NET SDK ${required_sdk} or later in the same major version." >&2
  exit 1
fi

# Cake 7 from .config/dotnet-tools.json; restoring is skipped when the package is already in the NuGet cache.
cake_version=$(sed -n '/"cake.tool"/,/}/s/.*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' .config/dotnet-tools.json)
nuget_packages=${NUGET_PACKAGES:-$HOME/.nuget/packages}
if [[ ! -d "$nuget_packages/cake.tool/$cake_version" ]]; then
  dotnet tool restore >/dev/null
fi

# The build host is compiled again only when a source or build setting is newer than it. Cake keeps the compiled
# build.cake in artifacts/cake-cache. That cache is dropped with every new build host, because the script
# references the host's assembly.
host=artifacts/build-host/HagiImages.dll
export CAKE_SETTINGS_ENABLESCRIPTCACHE=true CAKE_PATHS_CACHE="$root/artifacts/cake-cache"
if [[ ! -f $host ]] \
  || [[ -n $(find src/HagiImages \( -name bin -o -name obj \) -prune -o -type f -newer "$host" -print -quit) ]] \
  || [[ -n $(find Directory.Build.props Directory.Packages.props global.json .config/dotnet-tools.json -newer "$host" -print -quit) ]]; then
  dotnet build src/HagiImages/HagiImages.csproj --configuration Release --output artifacts/build-host --nologo --verbosity quiet
  touch "$host"
  rm -rf artifacts/cake-cache
fi

cake_arguments=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --version)
      if [[ $# -lt 2 ]]; then
        echo "error: --version needs a value, such as --version 1.2.0" >&2
        exit 2
      fi
      cake_arguments+=("--image-version=$2")
      shift 2
      ;;
    --version=*)
      cake_arguments+=("--image-version=${1#--version=}")
      shift
      ;;
    *)
      cake_arguments+=("$1")
      shift
      ;;
  esac
done

# Running Cake's assembly directly skips the resolution of the local tool, about 0.2 s of every run.
cake_assembly=$nuget_packages/cake.tool/$cake_version/tools/net10.0/any/Cake.dll
if [[ -f $cake_assembly ]]; then
  exec dotnet "$cake_assembly" build/build.cake "${cake_arguments[@]}"
fi
exec dotnet cake build/build.cake "${cake_arguments[@]}"
