#!/usr/bin/env bash
# Usage: scripts/test.sh
#
# Sets up the machine (scripts/setup.sh) and runs every test stage:
#   1. release  Release build in build/, all tests (ctest).
#   2. tsan     engine tests (target stm_tests, label stm) under
#               ThreadSanitizer, in build-tsan/.
#   3. asan     engine tests under AddressSanitizer + UBSan, in build-asan/.
#   4. fuzz     libFuzzer targets (request parser, command execution) built
#               with clang under ASan + UBSan in build-fuzz/, each run for
#               STMKV_FUZZ_SECONDS (default 30) from tests/fuzz/corpus.
# Every stage runs even when an earlier one fails; the script prints a summary
# and exits non-zero if any stage failed.
# Environment:
#   STMKV_SKIP_SANITIZERS=1  run only the release stage
#   STMKV_SKIP_FUZZ=1        skip the fuzz stage
#   STMKV_TEST_TIMEOUT       per-test timeout in seconds (default 600)
#   STMKV_TEST_JOBS          parallel tests in the release stage (default 2)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "${root}"

timeout_s=${STMKV_TEST_TIMEOUT:-600}
jobs=${STMKV_TEST_JOBS:-2}

log() { printf '\n=== test: %s ===\n' "$*"; }

# Stages return non-zero on the first failing step. They are called in an
# 'if', where bash ignores set -e, so every step checks its own status.

stage_release() {
  bash scripts/build.sh build || return 1
  ctest --test-dir build --output-on-failure --no-tests=error \
    -j "${jobs}" --timeout "${timeout_s}" || return 1
}

# Runs the engine tests of one sanitizer build. $1 = build dir, $2 = the
# sanitizers, the rest = a command prefix for ctest (may be empty).
sanitizer_stage() {
  local dir=$1 sanitize=$2
  shift 2
  STMKV_TARGETS=stm_tests bash scripts/build.sh "${dir}" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTMKV_SANITIZE="${sanitize}" || return 1
  (
    export STMKV_STRESS_SCALE=0.25
    export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
    export ASAN_OPTIONS="detect_leaks=1"
    export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
    "$@" ctest --test-dir "${dir}" -L stm --output-on-failure --no-tests=error \
      --timeout "${timeout_s}"
  ) || return 1
}

stage_tsan() {
  # TSan's shadow layout breaks under high mmap ASLR entropy on newer kernels
  # ("unexpected memory mapping"); run without ASLR when the system allows it.
  local prefix=()
  if setarch "$(uname -m)" -R true >/dev/null 2>&1; then
    prefix=(setarch "$(uname -m)" -R)
  fi
  sanitizer_stage build-tsan thread "${prefix[@]}"
}

stage_asan() {
  sanitizer_stage build-asan address,undefined
}

stage_fuzz() {
  bash scripts/fuzz.sh "${STMKV_FUZZ_SECONDS:-30}" build-fuzz
}

summary=()
failed=0
run_stage() {
  local name=$1 start=${SECONDS}
  log "${name}"
  if "stage_${name}"; then
    summary+=("${name}: ok ($((SECONDS - start))s)")
  else
    summary+=("${name}: FAILED ($((SECONDS - start))s)")
    failed=1
  fi
}

if ! bash scripts/setup.sh; then
  echo "test: scripts/setup.sh failed" >&2
  exit 1
fi

run_stage release
if [[ "${STMKV_SKIP_SANITIZERS:-0}" == 1 ]]; then
  summary+=("tsan: skipped" "asan: skipped" "fuzz: skipped")
else
  run_stage tsan
  run_stage asan
  if [[ "${STMKV_SKIP_FUZZ:-0}" == 1 ]]; then
    summary+=("fuzz: skipped")
  else
    run_stage fuzz
  fi
fi

log "summary"
printf '  %s\n' "${summary[@]}"
if [[ ${failed} -ne 0 ]]; then
  echo "test: FAILED"
  exit 1
fi
echo "test: all stages passed"
