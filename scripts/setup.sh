#!/usr/bin/env bash
# Installs the Debian 12 packages stmkv needs to build, test and benchmark.
#
# Idempotent: when every package is already installed it only checks and exits
# (no apt-get update, no network). Installing uses sudo when not run as root.
# Installing redis-server (the reference server for tests and benchmarks)
# starts Debian's system service on 127.0.0.1:6379, the port stmkv uses by
# default, so after an install that service is stopped and disabled again.
set -euo pipefail

readonly PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libuv1-dev libhiredis-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-tools redis-server
  python3 python3-redis python3-pytest
  liblua5.1-0-dev lua-cjson-dev lua-bitop-dev libssl-dev
  clang libclang-rt-14-dev python3-matplotlib
)

log() { printf 'setup: %s\n' "$*" >&2; }

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
  if [[ ${EUID} -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    log "need root to run '$*' and sudo is not installed; run this script as root"
    return 1
  fi
}

is_installed() {
  local status
  status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
  [[ ${status} == "install ok installed" ]]
}

# Stops Debian's redis-server service (started by the package's postinst) and
# keeps it from starting at boot. Tolerates containers without systemd or init.
stop_system_redis() {
  if [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null 2>&1; then
    as_root systemctl stop redis-server >/dev/null 2>&1 || true
    as_root systemctl disable redis-server >/dev/null 2>&1 || true
  fi
  if [[ -x /etc/init.d/redis-server ]] && command -v service >/dev/null 2>&1; then
    as_root service redis-server stop >/dev/null 2>&1 || true
  fi
  if command -v update-rc.d >/dev/null 2>&1 && [[ -x /etc/init.d/redis-server ]]; then
    as_root update-rc.d redis-server disable >/dev/null 2>&1 || true
  fi
  # Last resort: a package-started server that is still up. Only processes
  # named exactly redis-server, run by the 'redis' system user from Debian's
  # binary (/usr/bin/redis-server links to /usr/bin/redis-check-rdb) and
  # serving port 6379 are ended, one pid at a time;
  # redis servers started by users (tests, benchmarks) are left alone.
  local pid exe cmdline
  for pid in $(pgrep -x -u redis redis-server 2>/dev/null || true); do
    exe=$(readlink "/proc/${pid}/exe" 2>/dev/null || true)
    cmdline=$(tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null || true)
    if [[ ${exe} == /usr/bin/redis-* && ${cmdline} == *:6379* ]]; then
      log "stopping system redis-server (pid ${pid}) on port 6379"
      as_root kill "${pid}" || true
    fi
  done
}

main() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    log "dpkg-query not found: this script supports Debian 12 only"
    return 1
  fi

  local missing=() pkg
  for pkg in "${PACKAGES[@]}"; do
    is_installed "${pkg}" || missing+=("${pkg}")
  done
  if [[ ${#missing[@]} -eq 0 ]]; then
    return 0
  fi

  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${missing[@]}"

  local installed_redis=0
  for pkg in "${missing[@]}"; do
    [[ ${pkg} == redis-server ]] && installed_redis=1
  done
  if [[ ${installed_redis} -eq 1 ]]; then
    stop_system_redis
  fi
  log "done"
}

main "$@"
