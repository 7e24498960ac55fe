// bench/kv_workload.h — a key-value-server-like workload on the transactional heap: a chained
// hash index of N keys ("key:<n>" -> 16..64-byte values), GET/SET mix, uniform or zipfian keys.
//
// kv_workload.cc is compiled twice: against the engine (library kv_workload_stm, namespace
// kvbench::v1) and against the barrier-free single-executor baseline (kv_workload_baseline,
// namespace kvbench::baseline, STM_NO_BARRIERS). This header declares both copies; it holds no
// engine types, so the benchmark driver can call either without including stm/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#ifdef STM_ABI_BEGIN
// Included from kv_workload.cc (after stm/abi.h): the first declaration of this build's
// namespace must carry `inline`, so open it here before the plain declarations below.
namespace kvbench {
STM_ABI_BEGIN
STM_ABI_END
}  // namespace kvbench
#endif

namespace kvbench {

enum class Dist { kUniform, kZipf };

struct Params {
  uint64_t keys = 1000000;                // keys preloaded into the index
  int max_threads = 1;                    // workers the heap is sized for (baseline: 1)
  size_t heap_bytes = size_t{4} << 30;    // sparse
  double read_fraction = 0.8;             // GET share; the rest are SETs
  double zipf_theta = 0.99;
  uint64_t seed = 0x5eed;
  int preload_batch = 1000;               // keys inserted per transaction while preloading
  int marker_bits = 0;                    // stm::Config::marker_bits; 0 = engine default
};

struct Phase {
  int threads = 1;
  Dist dist = Dist::kUniform;
  double seconds = 2.0;
};

struct PhaseResult {
  int threads = 0;
  Dist dist = Dist::kUniform;
  double seconds = 0;          // measured wall time of the phase
  uint64_t ops = 0;            // GETs + SETs completed
  uint64_t gets = 0, sets = 0;
  uint64_t misses = 0;         // key not found (never expected: every key is preloaded)
  uint64_t errors = 0;         // value that does not belong to its key (engine bug)
  double ops_per_s = 0;
  double cpu_seconds = 0;      // CPU time of the worker threads (CLOCK_THREAD_CPUTIME_ID), summed
  double ops_per_cpu_s = 0;    // ops / cpu_seconds: robust to other load on the machine
  // From Heap::stats() over the phase.
  uint64_t commits = 0, readonly_commits = 0, aborts = 0, inevitable = 0;
  uint64_t page_switches = 0;
  double abort_rate = 0;       // aborts / (commits + readonly_commits + aborts)
  std::vector<std::pair<std::string, uint64_t>> abort_causes;   // non-zero causes only
  std::vector<std::pair<std::string, uint64_t>> top_conflicts;  // "offset" -> count
};

struct VerifyResult {
  uint64_t checked = 0, misses = 0, errors = 0;
};

struct Result {
  double preload_s = 0;
  uint64_t heap_bytes_used = 0;
  std::vector<PhaseResult> phases;
  VerifyResult verify;
};

// One copy of the workload's entry points per build. Workload is opaque (and a different type
// in each namespace).
#define KVBENCH_DECLARE_API                                                         \
  struct Workload;                                                                  \
  /* Creates the heap and preloads params.keys keys (single worker). */             \
  Workload* create(const Params& params, double* preload_seconds);                  \
  /* Runs phase.threads workers (each with its own stm::Worker) for phase.seconds. */ \
  PhaseResult run_phase(Workload* w, const Phase& phase);                           \
  /* Looks every key up (one worker) and checks that its value belongs to it. */    \
  VerifyResult verify(Workload* w);                                                 \
  uint64_t heap_bytes_used(Workload* w);                                            \
  void destroy(Workload* w);                                                        \
  /* create + phases in order + verify + destroy. */                                \
  Result run(const Params& params, const std::vector<Phase>& phases);

namespace v1 {
KVBENCH_DECLARE_API
}  // namespace v1
namespace baseline {
KVBENCH_DECLARE_API
}  // namespace baseline

#undef KVBENCH_DECLARE_API

}  // namespace kvbench
