// bench/stm_bench.cc — the engine on a key-value-server-like workload (see kv_workload.h).
//
// Reports (a) the single-thread time ratio STM / barriers-compiled-out baseline (median of
// alternating rounds), (b) throughput at 1..--threads threads on uniform and zipfian keys,
// (c) abort rates and causes. The last line of output is JSON:
//   {"overhead_1t": R, "scaling": {"1": ops, ...}, "abort_rate": {...},
//    "zipf_scaling": {...}, "zipf_abort_rate": {...}, ...}
// Usage: stm_bench [--threads N] [--seconds S] [--keys K] [--rounds R] [--quick] (see usage()).
// The overhead ratio uses ops per CPU-second of the worker thread (CLOCK_THREAD_CPUTIME_ID), so
// other load on the machine does not skew it; the wall-clock ratio is printed beside it. The
// baseline allows one worker, so it only runs the 1-thread rounds. Exit status 1 if a lookup
// missed or returned another key's value (an engine bug), 2 on bad arguments.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench/kv_workload.h"

namespace {

struct Options {
  int threads = 0;
  double seconds = 2.0;
  uint64_t keys = 1000000;
  int rounds = 3;
  bool quick = false;
  int marker_bits = 0;
  double read_fraction = 0.8;
  std::string only;   // "stm" or "baseline": only the 1-thread uniform rounds of one engine
  std::vector<int> thread_list;   // thread counts to measure (default 1..threads)
};

[[noreturn]] void usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--threads N] [--seconds S] [--keys K] [--rounds R] [--quick]\n"
               "  --threads N  run 1..N threads (default: hardware concurrency)\n"
               "  --thread-list A,B,..  run these thread counts instead (e.g. 1,2,4,8,16)\n"
               "  --seconds S  duration of each measurement (default 2)\n"
               "  --keys K     keys preloaded into the index (default 1000000)\n"
               "  --rounds R   alternating baseline/STM rounds for the overhead (default 3)\n"
               "  --quick      smoke run: 20000 keys, 0.2 s\n"
               "  --read-fraction F  share of GETs (default 0.8)\n"
               "  --marker-bits B    stm::Config::marker_bits (default: the engine's)\n"
               "  --only E     profiling aid: only the 1-thread uniform rounds of engine E\n"
               "               (stm, on a heap sized for --threads workers, or baseline)\n",
               argv0);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  bool keys_set = false, seconds_set = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) usage(argv[0]);
      return argv[++i];
    };
    if (a == "--threads") {
      o.threads = std::atoi(value());
    } else if (a == "--thread-list") {
      std::string list = value();
      for (size_t pos = 0; pos < list.size();) {
        size_t comma = list.find(',', pos);
        if (comma == std::string::npos) comma = list.size();
        int t = std::atoi(list.substr(pos, comma - pos).c_str());
        if (t < 1 || t > 63) usage(argv[0]);
        o.thread_list.push_back(t);
        pos = comma + 1;
      }
    } else if (a == "--seconds") {
      o.seconds = std::atof(value());
      seconds_set = true;
    } else if (a == "--keys") {
      o.keys = std::strtoull(value(), nullptr, 10);
      keys_set = true;
    } else if (a == "--rounds") {
      o.rounds = std::atoi(value());
    } else if (a == "--read-fraction") {
      o.read_fraction = std::atof(value());
      if (o.read_fraction < 0 || o.read_fraction > 1) usage(argv[0]);
    } else if (a == "--marker-bits") {
      o.marker_bits = std::atoi(value());
    } else if (a == "--only") {
      o.only = value();
      if (o.only != "stm" && o.only != "baseline") usage(argv[0]);
    } else if (a == "--quick") {
      o.quick = true;
    } else {
      usage(argv[0]);
    }
  }
  if (o.quick) {
    if (!keys_set) o.keys = 20000;
    if (!seconds_set) o.seconds = 0.2;
  }
  if (!o.thread_list.empty()) {
    std::sort(o.thread_list.begin(), o.thread_list.end());
    o.threads = o.thread_list.back();
  }
  if (o.threads <= 0) o.threads = std::max(1u, std::thread::hardware_concurrency());
  o.threads = std::min(o.threads, 63);
  if (o.thread_list.empty()) {
    for (int t = 1; t <= o.threads; ++t) o.thread_list.push_back(t);
  }
  if (o.rounds < 1) o.rounds = 1;
  if (o.keys < 2 || o.seconds <= 0) usage(argv[0]);
  return o;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string causes(const kvbench::PhaseResult& r) {
  std::string s;
  for (const auto& [name, n] : r.abort_causes) {
    if (!s.empty()) s += ",";
    s += name + "=" + std::to_string(n);
  }
  return s.empty() ? "-" : s;
}

bool bad(const kvbench::PhaseResult& r) { return r.misses != 0 || r.errors != 0; }

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  bool failed = false;
  std::printf("stm_bench: %llu keys, %.0f%% GET / %.0f%% SET, %.2f s per measurement, 1..%d "
              "threads (hardware: %u)\n",
              (unsigned long long)o.keys, 100 * o.read_fraction, 100 * (1 - o.read_fraction),
              o.seconds, o.threads,
              std::thread::hardware_concurrency());

  kvbench::Params base_params;
  base_params.keys = o.keys;
  base_params.max_threads = 1;
  base_params.marker_bits = o.marker_bits;
  base_params.read_fraction = o.read_fraction;
  kvbench::Params stm_params = base_params;
  stm_params.max_threads = o.threads;

  if (!o.only.empty()) {   // profiling aid: one engine, 1 thread, --rounds rounds
    kvbench::Phase one{1, kvbench::Dist::kUniform, o.seconds};
    double pre = 0;
    bool stm = o.only == "stm";
    kvbench::v1::Workload* s = stm ? kvbench::v1::create(stm_params, &pre) : nullptr;
    kvbench::baseline::Workload* b = stm ? nullptr : kvbench::baseline::create(base_params, &pre);
    std::printf("preload %.2f s\n", pre);
    for (int r = 0; r < o.rounds; ++r) {
      kvbench::PhaseResult res = stm ? kvbench::v1::run_phase(s, one)
                                     : kvbench::baseline::run_phase(b, one);
      failed |= bad(res);
      std::printf("%s round %d: %.0f ops/cpu-s, %.0f ops/s\n", o.only.c_str(), r + 1,
                  res.ops_per_cpu_s, res.ops_per_s);
      std::fflush(stdout);
    }
    if (stm) kvbench::v1::destroy(s);
    else kvbench::baseline::destroy(b);
    return failed ? 1 : 0;
  }

  // (a) Single-thread overhead: baseline and STM alternate; medians compared.
  double base_preload = 0, stm_preload = 0;
  kvbench::baseline::Workload* bw = kvbench::baseline::create(base_params, &base_preload);
  kvbench::v1::Workload* sw = kvbench::v1::create(stm_params, &stm_preload);
  std::printf("preload: baseline %.2f s, stm %.2f s (heap: baseline %.1f MiB, stm %.1f MiB)\n",
              base_preload, stm_preload,
              kvbench::baseline::heap_bytes_used(bw) / 1048576.0,
              kvbench::v1::heap_bytes_used(sw) / 1048576.0);
  std::fflush(stdout);
  kvbench::Phase one{1, kvbench::Dist::kUniform, o.seconds};
  std::vector<double> base_cpu, stm_cpu, base_wall, stm_wall;
  for (int r = 0; r < o.rounds; ++r) {
    kvbench::PhaseResult b = kvbench::baseline::run_phase(bw, one);
    kvbench::PhaseResult s = kvbench::v1::run_phase(sw, one);
    failed |= bad(b) || bad(s);
    base_cpu.push_back(b.ops_per_cpu_s);
    stm_cpu.push_back(s.ops_per_cpu_s);
    base_wall.push_back(b.ops_per_s);
    stm_wall.push_back(s.ops_per_s);
    std::printf("overhead round %d: baseline %.0f ops/cpu-s (%.0f ops/s), stm %.0f ops/cpu-s "
                "(%.0f ops/s): ratio %.3f (wall %.3f)\n",
                r + 1, b.ops_per_cpu_s, b.ops_per_s, s.ops_per_cpu_s, s.ops_per_s,
                b.ops_per_cpu_s / s.ops_per_cpu_s, b.ops_per_s / s.ops_per_s);
    std::fflush(stdout);
  }
  // Time per op on the thread's CPU clock: other load on the machine does not skew it. The
  // wall-clock ratio is reported beside it.
  double base_med = median(base_cpu), stm_med = median(stm_cpu);
  double overhead = base_med / stm_med;
  double overhead_wall = median(base_wall) / median(stm_wall);
  std::printf("overhead_1t = %.3f (median baseline %.0f / median stm %.0f ops per CPU-second; "
              "wall-clock ratio %.3f; target <= 1.15)\n",
              overhead, base_med, stm_med, overhead_wall);
  kvbench::VerifyResult bv = kvbench::baseline::verify(bw);
  kvbench::baseline::destroy(bw);

  // (b), (c) Scaling and aborts, uniform then zipfian, on the same preloaded heap.
  std::vector<kvbench::PhaseResult> uni, zipf;
  bool low_util = false;   // worker threads got less than 90% of a CPU
  std::printf("\n%-8s %7s %12s %7s %5s %9s %11s %11s %9s %8s  %s\n", "keys", "threads",
              "ops/s", "vs 1t", "cpu", "abort%", "commits", "ro_commits", "aborts", "switches",
              "abort causes");
  for (kvbench::Dist d : {kvbench::Dist::kUniform, kvbench::Dist::kZipf}) {
    auto& out = d == kvbench::Dist::kUniform ? uni : zipf;
    for (int t : o.thread_list) {
      kvbench::PhaseResult r = kvbench::v1::run_phase(sw, kvbench::Phase{t, d, o.seconds});
      failed |= bad(r);
      out.push_back(r);
      double util = r.cpu_seconds / (r.seconds * t);
      low_util |= util < 0.9;
      std::printf("%-8s %7d %12.0f %6.2fx %4.0f%% %8.3f%% %11llu %11llu %9llu %8llu  %s\n",
                  d == kvbench::Dist::kUniform ? "uniform" : "zipf", t, r.ops_per_s,
                  r.ops_per_s / out[0].ops_per_s, 100.0 * util, 100.0 * r.abort_rate,
                  (unsigned long long)r.commits, (unsigned long long)r.readonly_commits,
                  (unsigned long long)r.aborts, (unsigned long long)r.page_switches,
                  causes(r).c_str());
      if (!r.top_conflicts.empty() && t == o.threads) {
        std::printf("%-8s %7s top conflicts:", "", "");
        for (const auto& [where, n] : r.top_conflicts) {
          std::printf(" %s x%llu", where.c_str(), (unsigned long long)n);
        }
        std::printf("\n");
      }
      std::fflush(stdout);
    }
  }
  kvbench::VerifyResult sv = kvbench::v1::verify(sw);
  kvbench::v1::destroy(sw);

  std::printf("\nverify: baseline %llu keys (%llu missing, %llu wrong), stm %llu keys (%llu "
              "missing, %llu wrong)\n",
              (unsigned long long)bv.checked, (unsigned long long)bv.misses,
              (unsigned long long)bv.errors, (unsigned long long)sv.checked,
              (unsigned long long)sv.misses, (unsigned long long)sv.errors);
  failed |= bv.misses || bv.errors || sv.misses || sv.errors;
  if (o.thread_list.size() >= 2 && o.thread_list[0] == 1 && o.thread_list[1] == 2) {
    std::printf("uniform 2t/1t = %.2fx (target >= 1.7x), zipf 2t/1t = %.2fx (target > 1x)\n",
                uni[1].ops_per_s / uni[0].ops_per_s, zipf[1].ops_per_s / zipf[0].ops_per_s);
  }
  if (low_util) {
    std::printf("note: worker threads got < 90%% of a CPU in some runs (column cpu): either other "
                "load on the machine (then those numbers are not meaningful) or waits that sleep "
                "in the engine (backoff yields, commit lock)\n");
  }
  if (failed) std::printf("ERROR: lookups missed or returned another key's value\n");

  // what: 0 = ops/s, 1 = abort rate, 2 = CPU utilisation of the worker threads.
  auto obj = [](const std::vector<kvbench::PhaseResult>& v, int what) {
    std::string s = "{";
    char buf[64];
    for (const auto& r : v) {
      if (s.size() > 1) s += ", ";
      if (what == 1) {
        std::snprintf(buf, sizeof buf, "\"%d\": %.6g", r.threads, r.abort_rate);
      } else if (what == 2) {
        std::snprintf(buf, sizeof buf, "\"%d\": %.3f", r.threads,
                      r.cpu_seconds / (r.seconds * r.threads));
      } else {
        std::snprintf(buf, sizeof buf, "\"%d\": %.0f", r.threads, r.ops_per_s);
      }
      s += buf;
    }
    return s + "}";
  };
  std::printf("{\"overhead_1t\": %.4f, \"scaling\": %s, \"abort_rate\": %s, \"zipf_scaling\": %s, "
              "\"zipf_abort_rate\": %s, \"baseline_ops_per_cpu_s_1t\": %.0f, "
              "\"stm_ops_per_cpu_s_1t\": %.0f, "
              "\"overhead_1t_wall\": %.4f, \"cpu_util\": %s, \"zipf_cpu_util\": %s, "
              "\"keys\": %llu, \"seconds\": %g, \"ok\": %s}\n",
              overhead, obj(uni, 0).c_str(), obj(uni, 1).c_str(), obj(zipf, 0).c_str(),
              obj(zipf, 1).c_str(), base_med, stm_med, overhead_wall,
              obj(uni, 2).c_str(), obj(zipf, 2).c_str(), (unsigned long long)o.keys, o.seconds,
              failed ? "false" : "true");
  return failed ? 1 : 0;
}
