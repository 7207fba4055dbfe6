#!/usr/bin/env bash
# Installs what the pipeline needs on Debian 12 and starts the Docker engine when none responds.
#   sudo scripts/setup-debian.sh          # Docker Engine and debootstrap: enough for ./build.sh
#   sudo scripts/setup-debian.sh --test   # also docker-registry, shellcheck and htpasswd for the tests
# Needs root. Safe to run again: installed packages are skipped and a running engine is left alone.
set -Eeuo pipefail

packages=(docker.io debootstrap ca-certificates git)
case "${1:-}" in
  "") ;;
  --test) packages+=(docker-registry shellcheck apache2-utils) ;;
  *)
    echo "error: unknown option '$1'. Use no option, or --test to install the test tools too." >&2
    exit 2
    ;;
esac

if [[ $(id -u) != 0 ]]; then
  echo "error: run as root (sudo $0 $*), because it installs packages and may start dockerd." >&2
  exit 1
fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "Installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then
  echo "Docker engine is running: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
  exit 0
fi

if [[ -d /run/systemd/system ]]; then
  systemctl start docker
else
  # No systemd (containers, CI sandboxes): run the engine in the background.
  log=/var/log/hagi-dockerd.log
  echo "Starting dockerd in the background (log: $log)"
  nohup dockerd >"$log" 2>&1 &
fi

for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    echo "Docker engine is running: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
    exit 0
  fi
  sleep 1
done
echo "error: the Docker engine did not respond within 60 s. See /var/log/hagi-dockerd.log or 'journalctl -u docker'." >&2
exit 1
