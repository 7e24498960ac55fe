// commands/stm_family.cc — STM: the engine's figures for finding conflicts (stmkv's own
// command; see docs/stm.md "Finding conflicts").
//
//   STM CONFLICTS [count]  the keys transactions conflicted on most, each with the attempts
//                          aborted there (each cost one retry), the commands and command
//                          families aborted, and the last transaction label;
//   STM STATS              commits, aborts by cause, retries histogram, inevitable
//                          transactions, EXEC figures, per worker (incl. the interval of the
//                          worker's last EXEC);
//   STM RESET              clears the conflict report and the engine's counters;
//   STM HELP.
#include <algorithm>
#include <array>
#include <initializer_list>
#include <map>

#include "commands/util.h"
#include "server/command_table.h"
#include "server/server.h"

namespace stmkv {

namespace {

constexpr std::array<std::string_view, 5> kCauses = {"conflict", "page_switch", "killed",
                                                     "injected", "explicit"};
constexpr std::array<std::string_view, stm::kRetryBuckets> kRetryBuckets = {
    "1", "2", "3-4", "5-8", "9-16", "17-32", "33-64", "65+"};

void add_counts(protocol::ReplyWriter& out, const std::map<std::string, uint64_t>& m) {
  std::vector<std::pair<std::string, uint64_t>> v(m.begin(), m.end());
  std::stable_sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.second > b.second; });
  out.add_map_len(v.size());
  for (const auto& [name, n] : v) {
    out.add_bulk(name);
    out.add_integer(static_cast<long long>(n));
  }
}

void cmd_stm_conflicts(CommandContext& ctx) {
  int64_t count = 10;
  if (ctx.argc() > 3) {
    ctx.reply_syntax_error();
    return;
  }
  if (ctx.argc() == 3 && (!parse_int64(ctx.arg(2), &count) || count < 0)) {
    ctx.out.add_error("ERR count should be greater than or equal to 0");
    return;
  }
  std::map<std::string, ConflictTracker::KeyStats> merged;
  for (int i = 0; i < ctx.server.nworkers(); ++i) ctx.server.worker(i).conflicts.merge_into(&merged);
  std::vector<const ConflictTracker::KeyStats*> rows;
  rows.reserve(merged.size());
  for (const auto& [id, s] : merged) rows.push_back(&s);
  std::stable_sort(rows.begin(), rows.end(),
                   [](auto* a, auto* b) { return a->aborts > b->aborts; });
  if (rows.size() > size_t(count)) rows.resize(size_t(count));
  ctx.out.add_array_len(rows.size());
  for (const ConflictTracker::KeyStats* s : rows) {
    ctx.out.add_map_len(6);
    ctx.out.add_bulk("key");
    if (s->key.empty()) {
      ctx.out.add_null();
    } else {
      ctx.out.add_bulk(s->key);
    }
    ctx.out.add_bulk("conflicts");
    ctx.out.add_integer(static_cast<long long>(s->aborts));
    ctx.out.add_bulk("retries");
    ctx.out.add_integer(static_cast<long long>(s->aborts));
    ctx.out.add_bulk("commands");
    add_counts(ctx.out, s->commands);
    ctx.out.add_bulk("families");
    add_counts(ctx.out, s->families);
    ctx.out.add_bulk("label");
    ctx.out.add_bulk(s->label);
  }
}

void add_worker_stats(protocol::ReplyWriter& out, const stm::WorkerStats& w) {
  out.add_bulk("commits");
  out.add_integer(static_cast<long long>(w.commits));
  out.add_bulk("readonly_commits");
  out.add_integer(static_cast<long long>(w.readonly_commits));
  out.add_bulk("aborts");
  out.add_map_len(kCauses.size());
  for (size_t i = 0; i < kCauses.size(); ++i) {
    out.add_bulk(kCauses[i]);
    out.add_integer(static_cast<long long>(w.aborts[i]));
  }
  out.add_bulk("retries");   // attempts per committed transaction
  out.add_map_len(kRetryBuckets.size());
  for (size_t i = 0; i < kRetryBuckets.size(); ++i) {
    out.add_bulk(kRetryBuckets[i]);
    out.add_integer(static_cast<long long>(w.retries[i]));
  }
  out.add_bulk("inevitable");
  out.add_integer(static_cast<long long>(w.inevitable));
}

void cmd_stm_stats(CommandContext& ctx) {
  Server& s = ctx.server;
  stm::Stats st = s.heap().stats(0);
  uint64_t execs = 0, exec_retries = 0;
  for (int i = 0; i < s.nworkers(); ++i) {
    execs += s.worker(i).execs.load(std::memory_order_relaxed);
    exec_retries += s.worker(i).exec_retries.load(std::memory_order_relaxed);
  }
  ctx.out.add_map_len(10);
  add_worker_stats(ctx.out, st.total);   // 5 pairs
  ctx.out.add_bulk("execs");
  ctx.out.add_integer(static_cast<long long>(execs));
  ctx.out.add_bulk("exec_retries");
  ctx.out.add_integer(static_cast<long long>(exec_retries));
  ctx.out.add_bulk("page_switches");
  ctx.out.add_integer(static_cast<long long>(st.page_switches));
  ctx.out.add_bulk("log_length");
  ctx.out.add_integer(static_cast<long long>(st.log_length));
  ctx.out.add_bulk("workers");
  ctx.out.add_array_len(size_t(s.nworkers()));
  for (int i = 0; i < s.nworkers(); ++i) {
    WorkerContext& w = s.worker(i);
    int seg = w.stm->segment();
    stm::WorkerStats ws;
    if (seg >= 1 && size_t(seg) <= st.workers.size()) ws = st.workers[size_t(seg - 1)];
    ctx.out.add_map_len(10);
    ctx.out.add_bulk("worker");
    ctx.out.add_integer(i);
    add_worker_stats(ctx.out, ws);
    ctx.out.add_bulk("execs");
    ctx.out.add_integer(static_cast<long long>(w.execs.load(std::memory_order_relaxed)));
    ctx.out.add_bulk("exec_retries");
    ctx.out.add_integer(static_cast<long long>(w.exec_retries.load(std::memory_order_relaxed)));
    ctx.out.add_bulk("last_exec_start_us");
    ctx.out.add_integer(w.last_exec_start_us.load(std::memory_order_relaxed));
    ctx.out.add_bulk("last_exec_end_us");
    ctx.out.add_integer(w.last_exec_end_us.load(std::memory_order_relaxed));
  }
}

void cmd_stm_reset(CommandContext& ctx) {
  Server& s = ctx.server;
  s.heap().reset_stats();
  for (int i = 0; i < s.nworkers(); ++i) {
    WorkerContext& w = s.worker(i);
    w.conflicts.reset();
    w.execs.store(0, std::memory_order_relaxed);
    w.exec_retries.store(0, std::memory_order_relaxed);
  }
  ctx.out.add_ok();
}

void cmd_stm_help(CommandContext& ctx) {
  static const std::initializer_list<std::string_view> kLines = {
      "STM <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CONFLICTS [<count>]",
      "    Return the <count> keys (default: 10) that transactions conflicted on most:",
      "    key (nil for a MULTI block: see its label), conflicts (aborted attempts), retries",
      "    they cost, commands and command families aborted, label of the last one.",
      "STATS",
      "    Return commits, aborts by cause, attempts per transaction, inevitable",
      "    transactions and EXEC figures, in total and per worker.",
      "RESET",
      "    Reset the conflict report and the transaction counters.",
      "HELP",
      "    Prints this help.",
  };
  ctx.out.add_array_len(kLines.size());
  for (std::string_view l : kLines) ctx.out.add_simple_string(l);
}

}  // namespace

void register_stm_family(CommandTable& t) {
  constexpr uint32_t kLS = kCmdLoading | kCmdStale;
  t.add({.name = "stm", .arity = -2, .acl = kAclSlow, .group = "server", .since = "7.0.0",
         .summary = "A container for the transactional engine's figures (stmkv)",
         .complexity = "Depends on subcommand.", .syntax = "",
         .subcommands = {
             {.name = "conflicts", .arity = -2, .flags = kLS, .acl = kAclSlow,
              .handler = cmd_stm_conflicts, .group = "server", .since = "7.0.0",
              .summary = "Return the keys transactions conflicted on most",
              .complexity = "O(N) where N is the number of keys with conflicts",
              .syntax = "[count]"},
             {.name = "stats", .arity = 2, .flags = kLS, .acl = kAclSlow,
              .handler = cmd_stm_stats, .group = "server", .since = "7.0.0",
              .summary = "Return the transaction counters, in total and per worker",
              .complexity = "O(N) where N is the number of workers", .syntax = ""},
             {.name = "reset", .arity = 2, .flags = kCmdAdmin | kLS,
              .acl = kAclAdmin | kAclSlow | kAclDangerous, .handler = cmd_stm_reset,
              .group = "server", .since = "7.0.0",
              .summary = "Reset the conflict report and the transaction counters",
              .complexity = "O(N) where N is the number of keys with conflicts", .syntax = ""},
             {.name = "help", .arity = 2, .flags = kLS, .acl = kAclSlow,
              .handler = cmd_stm_help, .group = "server", .since = "7.0.0",
              .summary = "Show helpful text about the different subcommands",
              .complexity = "O(1)", .syntax = ""},
         }});
}

}  // namespace stmkv
