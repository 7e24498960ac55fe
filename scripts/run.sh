#!/usr/bin/env bash
# Usage: scripts/run.sh [--option value ...]
#
# Sets up the machine (scripts/setup.sh), builds Release in build/, and runs
# the server in the foreground with conf/stmkv.conf (127.0.0.1:6379 by
# default). Extra arguments override the config file as in redis-server,
# e.g. scripts/run.sh --port 7000 --workers 4
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "${root}"

bash scripts/setup.sh
bash scripts/build.sh build
exec build/src/stmkv-server conf/stmkv.conf "$@"
