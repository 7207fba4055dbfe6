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

dotnet tool restore >/dev/null
dotnet build src/HagiImages/HagiImages.csproj --configuration Release --output artifacts/build-host --nologo --verbosity quiet

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

exec dotnet cake build/build.cake "${cake_arguments[@]}"
