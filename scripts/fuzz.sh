#!/usr/bin/env bash
# Usage: scripts/fuzz.sh [seconds-per-target] [build-dir]
#
# Builds the libFuzzer targets (tests/fuzz) with clang under AddressSanitizer + UBSan in
# build-fuzz/ (-DSTMKV_FUZZ=ON) and runs each one for the given time (default 30 s) from its
# seed corpus (tests/fuzz/corpus/<target>, copied: the run's new inputs stay in the build dir).
# Exits non-zero when a target crashes, leaks or trips a sanitizer; the reproducer is left in
# <build-dir>/fuzz-artifacts/.
# Environment: STMKV_JOBS (build parallelism).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "${root}"
seconds=${1:-30}
dir=${2:-build-fuzz}

CC=${CC:-clang} CXX=${CXX:-clang++} STMKV_TARGETS="fuzz_request_parser fuzz_commands" \
  bash scripts/build.sh "${dir}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTMKV_FUZZ=ON \
  -DSTMKV_SANITIZE=address,undefined

export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
mkdir -p "${dir}/fuzz-artifacts"
status=0
for target in fuzz_request_parser fuzz_commands; do
  corpus="${dir}/fuzz-corpus/${target}"
  mkdir -p "${corpus}"
  seeds="tests/fuzz/corpus/${target#fuzz_}"
  echo "=== fuzz: ${target} for ${seconds}s (seeds ${seeds}) ==="
  if ! "${dir}/tests/fuzz/${target}" -max_total_time="${seconds}" -max_len=4096 \
      -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="${dir}/fuzz-artifacts/${target}-" "${corpus}" "${seeds}"; then
    echo "fuzz: ${target} FAILED (reproducer in ${dir}/fuzz-artifacts/)" >&2
    status=1
  fi
done
exit ${status}
