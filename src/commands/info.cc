// commands/info.cc — INFO's sections (Redis 7.0's genRedisInfoString), CLIENT LIST lines,
// glob matching and CONFIG RESETSTAT.
#include "commands/info.h"

#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cinttypes>
#include <cstdio>
#include <fstream>

#include "commands/util.h"
#include "ds/keyspace.h"
#include "persist/persistence.h"
#include "server/acl.h"
#include "server/eviction.h"

namespace stmkv {

namespace {

char lower_char(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool glob_match_impl(std::string_view p, std::string_view s) {
  size_t pi = 0, si = 0;
  while (pi < p.size()) {
    switch (p[pi]) {
      case '*': {
        while (pi + 1 < p.size() && p[pi + 1] == '*') pi++;
        if (pi + 1 == p.size()) return true;
        for (size_t k = si; k <= s.size(); ++k) {
          if (glob_match_impl(p.substr(pi + 1), s.substr(k))) return true;
        }
        return false;
      }
      case '?':
        if (si >= s.size()) return false;
        si++;
        break;
      case '[': {
        if (si >= s.size()) return false;
        pi++;
        bool negate = pi < p.size() && p[pi] == '^';
        if (negate) pi++;
        bool match = false;
        while (pi < p.size() && p[pi] != ']') {
          if (p[pi] == '\\' && pi + 1 < p.size()) {
            pi++;
            if (lower_char(p[pi]) == lower_char(s[si])) match = true;
          } else if (pi + 2 < p.size() && p[pi + 1] == '-') {
            char a = lower_char(p[pi]), b = lower_char(p[pi + 2]);
            if (a > b) std::swap(a, b);
            char c = lower_char(s[si]);
            if (c >= a && c <= b) match = true;
            pi += 2;
          } else if (lower_char(p[pi]) == lower_char(s[si])) {
            match = true;
          }
          pi++;
        }
        if (negate) match = !match;
        if (!match) return false;
        si++;
        break;  // pi is at ']' (or the end)
      }
      case '\\':
        if (pi + 1 < p.size()) pi++;
        [[fallthrough]];
      default:
        if (si >= s.size() || lower_char(p[pi]) != lower_char(s[si])) return false;
        si++;
        break;
    }
    pi++;
  }
  return si == s.size();
}

// Redis's bytesToHuman.
std::string bytes_to_human(uint64_t n) {
  char buf[64];
  double d = static_cast<double>(n);
  if (n < 1024) {
    snprintf(buf, sizeof(buf), "%" PRIu64 "B", n);
  } else if (n < (uint64_t{1} << 20)) {
    snprintf(buf, sizeof(buf), "%.2fK", d / 1024);
  } else if (n < (uint64_t{1} << 30)) {
    snprintf(buf, sizeof(buf), "%.2fM", d / (1 << 20));
  } else if (n < (uint64_t{1} << 40)) {
    snprintf(buf, sizeof(buf), "%.2fG", d / (uint64_t{1} << 30));
  } else {
    snprintf(buf, sizeof(buf), "%.2fT", d / (uint64_t{1} << 40));
  }
  return buf;
}

// Appends "key:value\r\n".
class Lines {
 public:
  explicit Lines(std::string* out) : out_(*out) {}
  template <class T>
  void add(std::string_view key, T value) {
    out_.append(key);
    out_ += ':';
    if constexpr (std::is_convertible_v<T, std::string_view>) {
      out_.append(std::string_view(value));
    } else if constexpr (std::is_floating_point_v<T>) {
      char buf[64];
      snprintf(buf, sizeof(buf), "%.6f", value);
      out_.append(buf);
    } else {
      out_.append(std::to_string(value));
    }
    out_.append("\r\n");
  }

 private:
  std::string& out_;
};

uint64_t rss_bytes() {
  std::ifstream f("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  f >> size >> resident;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

std::string executable_path() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

double tv_seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

template <class F>
uint64_t sum_workers(Server& server, F field) {
  uint64_t total = 0;
  for (int i = 0; i < server.nworkers(); ++i) {
    total += field(server.worker(i)).load(std::memory_order_relaxed);
  }
  return total;
}

std::atomic<uint64_t> g_peak_memory{0};

void section_server(CommandContext& ctx, Lines& l) {
  Server& s = ctx.server;
  utsname u{};
  uname(&u);
  int64_t uptime = (now_ms() - s.start_time_ms()) / 1000;
  l.add("redis_version", "7.0.15");
  l.add("stmkv_version", STMKV_VERSION);
  l.add("redis_git_sha1", "00000000");
  l.add("redis_git_dirty", 0);
  l.add("redis_build_id", "0");
  l.add("redis_mode", "standalone");
  l.add("os", std::string(u.sysname) + " " + u.release + " " + u.machine);
  l.add("arch_bits", sizeof(void*) * 8);
  l.add("monotonic_clock", "POSIX clock_gettime");
  l.add("multiplexing_api", "epoll");
  l.add("atomicvar_api", "c11-builtin");
#if defined(__clang__)
  l.add("gcc_version", "0.0.0");
#else
  l.add("gcc_version", std::to_string(__GNUC__) + "." + std::to_string(__GNUC_MINOR__) + "." +
                           std::to_string(__GNUC_PATCHLEVEL__));
#endif
  l.add("process_id", static_cast<long long>(getpid()));
  l.add("process_supervised", "no");
  l.add("run_id", s.run_id());
  l.add("tcp_port", s.tcp_port());
  l.add("server_time_usec", now_us());
  l.add("uptime_in_seconds", uptime);
  l.add("uptime_in_days", uptime / 86400);
  l.add("hz", 10);
  int64_t configured_hz;
  {
    std::lock_guard<std::mutex> g(s.config_lock());
    configured_hz = s.config().hz;
  }
  l.add("configured_hz", configured_hz);
  l.add("lru_clock", (now_ms() / 1000) & ((1 << 24) - 1));
  l.add("executable", executable_path());
  l.add("config_file", "");
  l.add("io_threads_active", 0);
  l.add("workers", s.nworkers());
}

void section_clients(CommandContext& ctx, Lines& l) {
  int64_t maxclients;
  {
    std::lock_guard<std::mutex> g(ctx.server.config_lock());
    maxclients = ctx.server.config().maxclients;
  }
  l.add("connected_clients", ctx.server.clients().size());
  l.add("cluster_connections", 0);
  l.add("maxclients", maxclients);
  l.add("client_recent_max_input_buffer", 0);
  l.add("client_recent_max_output_buffer", 0);
  l.add("blocked_clients", ctx.server.blocking.blocked_clients());
  l.add("tracking_clients", 0);
  l.add("clients_in_timeout_table", 0);
}

void section_memory(CommandContext& ctx, Lines& l) {
  // Live objects of the shared heap once plus the private page copies (server/eviction.h: the
  // same figure the maxmemory check uses).
  MemoryUse mem = memory_use(ctx.server);
  uint64_t used = mem.used;
  uint64_t peak = std::max(g_peak_memory.load(std::memory_order_relaxed), used);
  g_peak_memory.store(peak, std::memory_order_relaxed);
  uint64_t rss = rss_bytes();
  uint64_t total =
      static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  char buf[32];
  l.add("used_memory", used);
  l.add("used_memory_human", bytes_to_human(used));
  l.add("used_memory_rss", rss);
  l.add("used_memory_rss_human", bytes_to_human(rss));
  l.add("used_memory_peak", peak);
  l.add("used_memory_peak_human", bytes_to_human(peak));
  snprintf(buf, sizeof(buf), "%.2f%%", peak ? 100.0 * double(used) / double(peak) : 100.0);
  l.add("used_memory_peak_perc", buf);
  l.add("used_memory_overhead", 0);
  l.add("used_memory_startup", 0);
  l.add("used_memory_dataset", used);
  l.add("used_memory_dataset_perc", "100.00%");
  l.add("total_system_memory", total);
  l.add("total_system_memory_human", bytes_to_human(total));
  l.add("used_memory_lua", 0);
  l.add("used_memory_scripts", 0);
  l.add("number_of_cached_scripts", 0);
  uint64_t maxmemory;
  std::string policy;
  {
    std::lock_guard<std::mutex> g(ctx.server.config_lock());
    maxmemory = ctx.server.config().maxmemory;
    policy = ctx.server.config().maxmemory_policy;
  }
  l.add("maxmemory", maxmemory);
  l.add("maxmemory_human", bytes_to_human(maxmemory));
  l.add("maxmemory_policy", policy);
  snprintf(buf, sizeof(buf), "%.2f", used ? double(rss) / double(used) : 0.0);
  l.add("mem_fragmentation_ratio", buf);
  l.add("mem_fragmentation_bytes", static_cast<int64_t>(rss) - static_cast<int64_t>(used));
  l.add("mem_not_counted_for_evict", mem.not_counted);   // private page copies
  l.add("mem_allocator", "libc");
  l.add("active_defrag_running", 0);
  l.add("lazyfree_pending_objects", 0);
  l.add("lazyfreed_objects", 0);
}

void section_persistence(CommandContext& ctx, Lines& l) {
  // RDB and AOF figures from persist/persistence.h and persist/aof.h (rdb_last_cow_size,
  // aof_last_cow_size: the snapshot's memory overhead).
  for (const auto& [name, value] : ctx.server.persistence().info()) l.add(name, value);
}

void section_stats(CommandContext& ctx, Lines& l) {
  Server& s = ctx.server;
  l.add("total_connections_received", s.total_connections_received.load());
  l.add("total_commands_processed",
        sum_workers(
            s, [](WorkerContext & w) -> auto& { return w.commands_processed; }));
  l.add("instantaneous_ops_per_sec", 0);
  l.add("total_net_input_bytes",
        sum_workers(
            s, [](WorkerContext & w) -> auto& { return w.net_input_bytes; }));
  l.add("total_net_output_bytes",
        sum_workers(
            s, [](WorkerContext & w) -> auto& { return w.net_output_bytes; }));
  l.add("total_net_repl_input_bytes", 0);
  l.add("total_net_repl_output_bytes", 0);
  l.add("instantaneous_input_kbps", "0.00");
  l.add("instantaneous_output_kbps", "0.00");
  l.add("rejected_connections", s.rejected_connections.load());
  l.add("sync_full", 0);
  l.add("sync_partial_ok", 0);
  l.add("sync_partial_err", 0);
  l.add("expired_keys", sum_workers(
                            s, [](WorkerContext & w) -> auto& { return w.expired_keys; }));
  l.add("expired_stale_perc", "0.00");
  l.add("expired_time_cap_reached_count", 0);
  EvictionStats ev = eviction_stats(ctx.now_ms);
  l.add("evicted_keys", ev.evicted_keys);
  l.add("evicted_clients", 0);
  l.add("total_eviction_exceeded_time", ev.total_exceeded_ms);
  l.add("current_eviction_exceeded_time", ev.current_exceeded_ms);
  l.add("keyspace_hits", sum_workers(
                             s, [](WorkerContext & w) -> auto& { return w.keyspace_hits; }));
  l.add("keyspace_misses", sum_workers(
                               s, [](WorkerContext & w) -> auto& { return w.keyspace_misses; }));
  l.add("pubsub_channels", 0);
  l.add("pubsub_patterns", 0);
  l.add("latest_fork_usec", 0);
  l.add("total_forks", 0);
  l.add("migrate_cached_sockets", 0);
  l.add("total_error_replies", 0);
  l.add("total_reads_processed", 0);
  l.add("total_writes_processed", 0);
  l.add("io_threaded_reads_processed", 0);
  l.add("io_threaded_writes_processed", 0);
}

void section_replication(CommandContext& ctx, Lines& l) {
  l.add("role", "master");
  l.add("connected_slaves", 0);
  l.add("master_failover_state", "no-failover");
  l.add("master_replid", ctx.server.run_id());
  l.add("master_replid2", "0000000000000000000000000000000000000000");
  l.add("master_repl_offset", 0);
  l.add("second_repl_offset", -1);
  l.add("repl_backlog_active", 0);
  l.add("repl_backlog_size", 1048576);
  l.add("repl_backlog_first_byte_offset", 0);
  l.add("repl_backlog_histlen", 0);
}

void section_cpu(CommandContext&, Lines& l) {
  rusage self{}, children{}, thread{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  getrusage(RUSAGE_THREAD, &thread);
  l.add("used_cpu_sys", tv_seconds(self.ru_stime));
  l.add("used_cpu_user", tv_seconds(self.ru_utime));
  l.add("used_cpu_sys_children", tv_seconds(children.ru_stime));
  l.add("used_cpu_user_children", tv_seconds(children.ru_utime));
  l.add("used_cpu_sys_main_thread", tv_seconds(thread.ru_stime));
  l.add("used_cpu_user_main_thread", tv_seconds(thread.ru_utime));
}

void section_commandstats(CommandContext& ctx, Lines& l) {
  Server& s = ctx.server;
  const CommandTable& table = s.commands();
  for (int id = 0; id < table.size(); ++id) {
    uint64_t calls = 0, usec = 0, rejected = 0, failed = 0;
    for (int w = 0; w < s.nworkers(); ++w) {
      const CommandCounters& c = s.worker(w).command_counters[id];
      calls += c.calls.load(std::memory_order_relaxed);
      usec += c.usec.load(std::memory_order_relaxed);
      rejected += c.rejected_calls.load(std::memory_order_relaxed);
      failed += c.failed_calls.load(std::memory_order_relaxed);
    }
    if (calls == 0 && rejected == 0 && failed == 0) continue;
    char buf[200];
    snprintf(buf, sizeof(buf),
             "calls=%" PRIu64 ",usec=%" PRIu64 ",usec_per_call=%.2f,rejected_calls=%" PRIu64
             ",failed_calls=%" PRIu64,
             calls, usec, calls ? double(usec) / double(calls) : 0.0, rejected, failed);
    l.add("cmdstat_" + table.by_id(id).full_name, buf);
  }
}

void section_keyspace(CommandContext& ctx, Lines& l) {
  int ndbs = static_cast<int>(ctx.server.config().databases);
  std::vector<std::pair<int64_t, int64_t>> counts(static_cast<size_t>(ndbs));
  ctx.worker.stm->atomically([&](stm::Tx& tx) {
    for (int i = 0; i < ndbs; ++i) {
      Db db(tx, i, ctx.now_ms);
      counts[static_cast<size_t>(i)] = {db.size(), db.expires_count()};
    }
  });
  for (int i = 0; i < ndbs; ++i) {
    auto [keys, expires] = counts[static_cast<size_t>(i)];
    if (keys == 0 && expires == 0) continue;
    l.add("db" + std::to_string(i),
          "keys=" + std::to_string(keys) + ",expires=" + std::to_string(expires) + ",avg_ttl=0");
  }
}

std::string sanitize_label(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == ',' || c == ':' || c == '\r' || c == '\n' || c == ' ') c = '_';
  }
  return out;
}

void section_stm(CommandContext& ctx, Lines& l) {
  Server& s = ctx.server;
  stm::Stats st = s.heap().stats(10);
  const stm::WorkerStats& t = st.total;
  l.add("stm_commits", t.commits);
  l.add("stm_readonly_commits", t.readonly_commits);
  static constexpr std::array<std::string_view, 5> kCauses = {"conflict", "page_switch", "killed",
                                                              "injected", "explicit"};
  for (size_t i = 0; i < kCauses.size() && i < t.aborts.size(); ++i) {
    l.add("stm_aborts_" + std::string(kCauses[i]), t.aborts[i]);
  }
  static constexpr std::array<std::string_view, stm::kRetryBuckets> kBuckets = {
      "1", "2", "3_4", "5_8", "9_16", "17_32", "33_64", "65_plus"};
  for (int i = 0; i < stm::kRetryBuckets; ++i) {
    l.add("stm_retries_" + std::string(kBuckets[static_cast<size_t>(i)]),
          t.retries[static_cast<size_t>(i)]);
  }
  l.add("stm_inevitable", t.inevitable);
  l.add("stm_page_switches", st.page_switches);
  l.add("stm_page_repopulates", st.page_repopulates);
  l.add("stm_private_bytes", st.private_bytes);
  l.add("stm_heap_bytes_used", st.heap_bytes_used);
  l.add("stm_live_bytes", ctx.server.heap().live_bytes());
  l.add("stm_punched_bytes", st.punched_bytes);
  l.add("stm_log_length", st.log_length);
  l.add("stm_last_revision", st.last_revision);
  for (int i = 0; i < s.nworkers(); ++i) {
    int seg = s.worker(i).stm->segment();
    if (seg < 1 || static_cast<size_t>(seg) > st.workers.size()) continue;
    const stm::WorkerStats& w = st.workers[static_cast<size_t>(seg - 1)];
    uint64_t aborts = 0;
    for (uint64_t a : w.aborts) aborts += a;
    l.add("worker" + std::to_string(i),
          "commits=" + std::to_string(w.commits) +
              ",readonly_commits=" + std::to_string(w.readonly_commits) +
              ",aborts=" + std::to_string(aborts) + ",inevitable=" + std::to_string(w.inevitable) +
              ",reshared_pages=" + std::to_string(w.reshared_pages));
  }
  for (size_t i = 0; i < st.top_conflicts.size(); ++i) {
    const stm::ConflictRecord& c = st.top_conflicts[i];
    l.add("stm_top_conflict_" + std::to_string(i), "offset=" + std::to_string(c.offset) +
                                                       ",count=" + std::to_string(c.count) +
                                                       ",label=" + sanitize_label(c.label));
  }
}

void section_empty(CommandContext&, Lines&) {}
void section_cluster(CommandContext&, Lines& l) { l.add("cluster_enabled", 0); }

struct Section {
  std::string_view name;   // as requested ("server")
  std::string_view title;  // as printed ("Server")
  bool in_default;
  bool in_all;
  void (*fn)(CommandContext&, Lines&);
};

constexpr Section kSections[] = {
    {"server", "Server", true, true, section_server},
    {"clients", "Clients", true, true, section_clients},
    {"memory", "Memory", true, true, section_memory},
    {"persistence", "Persistence", true, true, section_persistence},
    {"stats", "Stats", true, true, section_stats},
    {"replication", "Replication", true, true, section_replication},
    {"cpu", "CPU", true, true, section_cpu},
    {"modules", "Modules", true, true, section_empty},
    {"commandstats", "Commandstats", false, true, section_commandstats},
    {"errorstats", "Errorstats", true, true, section_empty},
    {"latencystats", "Latencystats", false, true, section_empty},
    {"cluster", "Cluster", true, true, section_cluster},
    {"keyspace", "Keyspace", true, true, section_keyspace},
    {"stm", "Stm", true, true, section_stm},
};

}  // namespace

bool glob_match_nocase(std::string_view pattern, std::string_view s) {
  return glob_match_impl(pattern, s);
}

std::string build_info(CommandContext& ctx, std::span<const std::string_view> names) {
  constexpr size_t kCount = std::size(kSections);
  std::array<bool, kCount> want{};
  if (names.empty()) {
    for (size_t i = 0; i < kCount; ++i) want[i] = kSections[i].in_default;
  }
  for (std::string_view n : names) {
    for (size_t i = 0; i < kCount; ++i) {
      const Section& sec = kSections[i];
      if (iequals(n, "all") || iequals(n, "everything")) {
        want[i] = want[i] || sec.in_all;
      } else if (iequals(n, "default")) {
        want[i] = want[i] || sec.in_default;
      } else if (iequals(n, sec.name) || (iequals(n, "module_list") && sec.name == "modules")) {
        want[i] = true;
      }
    }
  }
  std::string out;
  Lines lines(&out);
  bool first = true;
  for (size_t i = 0; i < kCount; ++i) {
    if (!want[i]) continue;
    if (!first) out.append("\r\n");
    first = false;
    out.append("# ");
    out.append(kSections[i].title);
    out.append("\r\n");
    kSections[i].fn(ctx, lines);
  }
  return out;
}

// The flags field: Redis's letters for the states we have, in Redis's order (x for MULTI, b
// for blocked, ... come with those features); "N" when none.
static std::string client_flags(const ClientState& c) {
  std::string f;  // in Redis's order
  if (c.multi_listed.load(std::memory_order_relaxed) >= 0) f += 'x';
  if (c.blocked.load(std::memory_order_relaxed)) f += 'b';
  if (c.kill_requested.load(std::memory_order_relaxed)) f += 'A';  // CLIENT_CLOSE_ASAP
  if (c.no_evict) f += 'e';
  if (f.empty()) f = "N";
  return f;
}

std::string client_info_line(const Server&, const ClientState& c, int64_t now) {
  uint64_t qbuf = c.qbuf.load(std::memory_order_relaxed);
  uint64_t omem = c.omem.load(std::memory_order_relaxed);
  std::string s;
  s.reserve(320);
  auto field = [&](std::string_view k, std::string_view v) {
    if (!s.empty()) s += ' ';
    s.append(k);
    s += '=';
    s.append(v);
  };
  auto num = [&](std::string_view k, long long v) { field(k, std::to_string(v)); };
  num("id", static_cast<long long>(c.id));
  field("addr", c.addr);
  field("laddr", c.laddr);
  num("fd", c.fd);
  field("name", c.name);
  num("age", (now - c.ctime_ms) / 1000 > 0 && c.ctime_ms > 0 ? (now - c.ctime_ms) / 1000 : 0);
  int64_t last = c.last_interaction_ms.load(std::memory_order_relaxed);
  int64_t idle = last > 0 ? (now - last) / 1000 : 0;
  num("idle", idle > 0 ? idle : 0);
  field("flags", client_flags(c));
  num("db", c.db);
  num("sub", 0);
  num("psub", 0);
  num("ssub", 0);
  num("multi", c.multi_listed.load(std::memory_order_relaxed));
  num("qbuf", static_cast<long long>(qbuf));
  num("qbuf-free", 0);
  num("argv-mem", 0);
  num("multi-mem", 0);
  num("rbs", 16384);
  num("rbp", 0);
  num("obl", 0);
  num("oll", 0);
  num("omem", static_cast<long long>(omem));
  num("tot-mem", static_cast<long long>(sizeof(ClientState) + qbuf + omem));
  field("events", "r");
  field("cmd", c.last_command.empty() ? std::string_view("NULL") : c.last_command);
  field("user", c.user != nullptr ? std::string_view(c.user->name) : "default");
  num("redir", -1);
  num("resp", c.resp);
  field("lib-name", c.lib_name);  // Redis 7.2
  field("lib-ver", c.lib_ver);
  num("worker", c.worker);
  return s;
}

void reset_info_stats(Server& server) {
  for (int i = 0; i < server.nworkers(); ++i) {
    WorkerContext& w = server.worker(i);
    for (CommandCounters& c : w.command_counters) {
      c.calls.store(0, std::memory_order_relaxed);
      c.usec.store(0, std::memory_order_relaxed);
      c.rejected_calls.store(0, std::memory_order_relaxed);
      c.failed_calls.store(0, std::memory_order_relaxed);
    }
    w.commands_processed.store(0, std::memory_order_relaxed);
    w.keyspace_hits.store(0, std::memory_order_relaxed);
    w.keyspace_misses.store(0, std::memory_order_relaxed);
    w.expired_keys.store(0, std::memory_order_relaxed);
    w.net_input_bytes.store(0, std::memory_order_relaxed);
    w.net_output_bytes.store(0, std::memory_order_relaxed);
  }
  server.total_connections_received.store(0, std::memory_order_relaxed);
  server.rejected_connections.store(0, std::memory_order_relaxed);
  server.heap().reset_stats();
  reset_eviction_stats();
  g_peak_memory.store(0, std::memory_order_relaxed);
}

}  // namespace stmkv
