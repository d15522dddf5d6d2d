#!/usr/bin/env bash
# Installs JourneyKit's build and test dependencies from Debian 12 packages. Safe to repeat:
# apt-get runs only when a package is missing. Run as root (or through sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost1.74-dev libboost-filesystem1.74-dev
  libcurl4-openssl-dev libsimdjson-dev libssl-dev openssl ca-certificates libsqlite3-dev zlib1g-dev
  libcli11-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # The clickhouse connector's tests start a private server (Debian 12 ships 18.16).
  clickhouse-server
)
# The browser test (tests/browser) loads the HTML journey map in headless Chromium. The package
# is big (~250 MB installed), so only on request: JOURNEYKIT_BROWSER_TESTS=1 (.ci/run sets it).
if [ "${JOURNEYKIT_BROWSER_TESTS:-0}" = "1" ]; then
  packages+=(chromium)
fi
if [ -n "${JOURNEYKIT_EXTRA_PACKAGES:-}" ]; then
  read -r -a extra <<<"$JOURNEYKIT_EXTRA_PACKAGES"
  packages+=("${extra[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
