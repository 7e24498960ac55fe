#!/usr/bin/env bash
# Usage: scripts/build.sh [build-dir] [extra cmake args...]
#
# Configures (Ninja, Release unless the extra args set CMAKE_BUILD_TYPE) and
# builds stmkv. build-dir defaults to 'build'; a relative build-dir is taken
# relative to the repository root. Extra args go to the configure step, e.g.
#   scripts/build.sh build-asan -DSTMKV_SANITIZE=address,undefined
# Environment:
#   STMKV_TARGETS  space-separated targets to build (default: all)
#   STMKV_JOBS     parallel build jobs (default: Ninja's choice)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "${root}"

build_dir=${1:-build}
if [[ $# -gt 0 ]]; then shift; fi

configure_args=(-S "${root}" -B "${build_dir}" -DCMAKE_BUILD_TYPE=Release)
# An existing build dir keeps the generator it was configured with; switching
# generators in place is an error in CMake.
if [[ ! -f "${build_dir}/CMakeCache.txt" ]]; then
  configure_args+=(-G Ninja)
fi
cmake "${configure_args[@]}" "$@"

build_args=(--build "${build_dir}")
if [[ -n "${STMKV_JOBS:-}" ]]; then
  build_args+=(--parallel "${STMKV_JOBS}")
fi
if [[ -n "${STMKV_TARGETS:-}" ]]; then
  # shellcheck disable=SC2206  # word splitting is intended
  build_args+=(--target ${STMKV_TARGETS})
fi
cmake "${build_args[@]}"
