#include "server/multi.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <string>
#include <utility>

#include "ds/keyspace.h"
#include "server/acl.h"
#include "server/effects.h"
#include "server/client.h"
#include "server/command.h"
#include "server/conflicts.h"
#include "server/dispatch.h"
#include "server/server.h"

namespace stmkv {

namespace {

constexpr std::string_view kExecAbort =
    "EXECABORT Transaction discarded because of previous errors.";

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// How a queued command runs inside EXEC. Retries re-run the transaction body, so only kCmdTx
// commands (heap effects only) and commands without side effects run there; SELECT runs there
// too (the block's later commands use its database; the client's database is restored at the
// start of every attempt). Every other command runs after the commit, in order.
enum class Mode { kTx, kInBody, kAfterCommit };

Mode mode_of(const QueuedCommand& q) {
  const CommandSpec& s = *q.spec;
  if (s.flags & kCmdTx) return Mode::kTx;
  const std::string& n = s.full_name;
  if (n == "select" || n == "ping" || n == "echo" || n == "time") return Mode::kInBody;
  // DEBUG SLEEP sleeps inside the transaction, holding no lock (as Redis sleeps at EXEC).
  if (n == "debug" && q.argv.size() == 3 && iequal(q.argv[1], "sleep")) return Mode::kInBody;
  return Mode::kAfterCommit;
}

struct ExecLabel {
  WorkerContext* worker;
  const std::vector<QueuedCommand>* queue;
};

// "EXEC: INCR a, SET b (+3 more)". Recorded in the tracker under the label itself: the
// conflict may be on any of the block's keys.
std::string exec_conflict_label(const void* arg) {
  const auto& l = *static_cast<const ExecLabel*>(arg);
  std::string label = "EXEC:";
  size_t shown = 0;
  for (const QueuedCommand& q : *l.queue) {
    if ((q.spec->flags & kCmdTx) == 0) continue;
    if (shown == 3) {
      label += " (+more)";
      break;
    }
    std::string_view key;
    if (q.spec->first_key > 0 && size_t(q.spec->first_key) < q.argv.size()) {
      key = q.argv[size_t(q.spec->first_key)];
    }
    label += shown == 0 ? " " : ", ";
    label += conflict_label_text(q.spec->full_name, key);
    ++shown;
  }
  l.worker->conflicts.record("", "exec", "transaction", label);
  return label;
}

void set_client_db(ClientState& client, Server& server, int db) {
  if (client.db == db) return;
  std::lock_guard<std::mutex> g(server.clients().lock());
  client.db = db;
}

}  // namespace

bool multi_queues(const CommandSpec& spec) {
  const std::string& n = spec.full_name;
  return !(n == "exec" || n == "discard" || n == "multi" || n == "watch" || n == "quit" ||
           n == "reset");
}

void multi_queue(ClientState& client, const CommandSpec& spec,
                 std::span<const std::string_view> argv, protocol::ReplyWriter& out) {
  if (spec.flags & kCmdNoMulti) {
    out.add_error("ERR Command not allowed inside a transaction");
    client.multi.dirty = true;
    return;
  }
  QueuedCommand q;
  q.spec = &spec;
  q.argv.assign(argv.begin(), argv.end());
  client.multi.queue.push_back(std::move(q));
  client.multi_listed.store(static_cast<int>(client.multi.queue.size()), std::memory_order_relaxed);
  out.add_simple_string("QUEUED");
}

void multi_flag_error(ClientState& client) {
  if (client.multi.active) client.multi.dirty = true;
}

void multi_discard(ClientState& client) {
  MultiState& m = client.multi;
  m.active = false;
  m.dirty = false;
  client.multi_listed.store(-1, std::memory_order_relaxed);
  std::vector<QueuedCommand>().swap(m.queue);
  std::vector<WatchedKey>().swap(m.watched);
}

void multi_cmd_multi(CommandContext& ctx) {
  if (ctx.client.multi.active) {
    ctx.out.add_error("ERR MULTI calls can not be nested");
    return;
  }
  ctx.client.multi.active = true;
  ctx.client.multi.dirty = false;
  ctx.client.multi_listed.store(0, std::memory_order_relaxed);
  ctx.out.add_ok();
}

void multi_cmd_discard(CommandContext& ctx) {
  if (!ctx.client.multi.active) {
    ctx.out.add_error("ERR DISCARD without MULTI");
    return;
  }
  multi_discard(ctx.client);
  ctx.out.add_ok();
}

void multi_cmd_unwatch(CommandContext& ctx) {
  std::vector<WatchedKey>().swap(ctx.client.multi.watched);
  ctx.out.add_ok();
}

void multi_cmd_watch(CommandContext& ctx) {
  if (ctx.client.multi.active) {
    ctx.out.add_error("ERR WATCH inside MULTI is not allowed");
    return;
  }
  int dbi = ctx.client.db;
  Db db(ctx.tx(), dbi, ctx.now_ms);
  std::vector<WatchedKey> keys;
  keys.reserve(ctx.argc() - 1);
  for (size_t i = 1; i < ctx.argc(); ++i) {
    stm::Ref<Entry> e = db.find(ctx.arg(i));
    keys.push_back({dbi, std::string(ctx.arg(i)), e.is_null() ? 0 : db.watch_stamp(e)});
  }
  // A key already watched keeps its first stamp (Redis ignores a second WATCH of it).
  ctx.tx().on_commit([&client = ctx.client, keys = std::move(keys)]() mutable {
    std::vector<WatchedKey>& w = client.multi.watched;
    for (WatchedKey& k : keys) {
      bool known = std::any_of(w.begin(), w.end(), [&](const WatchedKey& o) {
        return o.db == k.db && o.key == k.key;
      });
      if (!known) w.push_back(std::move(k));
    }
  });
  ctx.out.add_ok();
}

void multi_cmd_exec(CommandContext& ctx) {
  ClientState& client = ctx.client;
  Server& server = ctx.server;
  WorkerContext& worker = ctx.worker;
  if (!client.multi.active) {
    ctx.out.add_error("ERR EXEC without MULTI");
    return;
  }
  if (client.multi.dirty) {
    ctx.out.add_error(kExecAbort);
    multi_discard(client);
    return;
  }
  // Leave MULTI and unwatch before running the block, as Redis does.
  std::vector<QueuedCommand> queue = std::move(client.multi.queue);
  std::vector<WatchedKey> watched = std::move(client.multi.watched);
  multi_discard(client);

  const size_t n = queue.size();
  std::vector<std::vector<std::string_view>> views(n);
  std::vector<Mode> modes(n);
  for (size_t i = 0; i < n; ++i) {
    views[i].assign(queue[i].argv.begin(), queue[i].argv.end());
    modes[i] = mode_of(queue[i]);
  }
  // Permissions again (server/acl.h): a refused command replies NOPERM in its place.
  std::vector<std::string> denied(n);
  std::vector<AclLogEntry> denials;
  for (size_t i = 0; i < n; ++i) {
    AclLogEntry e;
    denied[i] = acl_exec_check(server, client, *queue[i].spec, views[i], &e);
    if (!denied[i].empty()) denials.push_back(std::move(e));
  }
  std::vector<size_t> ends(n);            // end of each reply in `body`
  std::vector<int64_t> durations(n);      // of the committed attempt
  protocol::ReplyWriter body(ctx.out.resp());
  const int saved_db = client.db;
  bool watch_failed = false;
  int hits = 0, misses = 0, attempts = 0;
  int64_t attempt_start = 0;
  ExecLabel label{&worker, &queue};

  // Restores the client's database if the block fails with an exception (bad_alloc).
  struct DbGuard {
    ClientState& client;
    Server& server;
    int db;
    bool armed = true;
    ~DbGuard() {
      if (armed) set_client_db(client, server, db);
    }
  } guard{client, server, saved_db};

  Effects& fx = Effects::current();   // the block's AOF records (server/effects.h)
  worker.stm->atomically([&](stm::Tx& tx) {
    attempt_start = now_us();
    attempts = tx.attempt();
    fx.reset();
    body.clear();
    hits = misses = 0;
    watch_failed = false;
    set_client_db(client, server, saved_db);
    tx.set_label_fn(exec_conflict_label, &label);
    for (const WatchedKey& w : watched) {
      Db db(tx, w.db, ctx.now_ms);
      stm::Ref<Entry> e = db.find(w.key);
      if ((e.is_null() ? 0 : db.watch_stamp(e)) != w.version) {
        watch_failed = true;
        return;
      }
    }
    for (size_t i = 0; i < n; ++i) {
      int64_t t0 = now_us();
      if (!denied[i].empty()) {
        body.add_error(denied[i]);
      } else if (modes[i] != Mode::kAfterCommit) {
        run_nested_command(worker, client, *queue[i].spec, views[i], body, ctx.now_ms,
                           modes[i] == Mode::kTx ? &tx : nullptr, &hits, &misses);
      }
      ends[i] = body.size();
      durations[i] = now_us() - t0;
    }
    fx.deliver_at_commit(tx);
  });
  guard.armed = false;
  const int64_t commit_us = now_us();
  worker.last_exec_start_us.store(attempt_start, std::memory_order_relaxed);
  worker.last_exec_end_us.store(commit_us, std::memory_order_relaxed);
  CommandCounters::bump(worker.execs);
  if (attempts > 1) CommandCounters::bump(worker.exec_retries, uint64_t(attempts - 1));
  if (watch_failed) {
    ctx.out.add_null_array();
    return;
  }
  if (hits != 0) CommandCounters::bump(worker.keyspace_hits, uint64_t(hits));
  if (misses != 0) CommandCounters::bump(worker.keyspace_misses, uint64_t(misses));
  for (AclLogEntry& e : denials) server.acl().log(std::move(e), commit_us / 1000);

  ctx.out.add_array_len(n);
  size_t pos = 0;
  for (size_t i = 0; i < n; ++i) {
    const CommandSpec& spec = *queue[i].spec;
    size_t mark = ctx.out.size();
    if (modes[i] == Mode::kAfterCommit && denied[i].empty()) {
      int64_t t0 = now_us();
      CommandContext sub(server, worker, client, views[i], ctx.out, now_us() / 1000);
      sub.spec = &spec;
      sub.in_exec = true;
      // Outside the block's transaction (e.g. FUNCTION LOAD): its own AOF record, now.
      const bool is_write = (spec.flags & kCmdWrite) != 0;
      if (is_write) {
        fx.reset();
        fx.begin_command();
      }
      spec.handler(sub);
      if (is_write) {
        fx.end_command(true, ctx.out.size() > mark && ctx.out.view()[mark] == '-', client.db,
                       views[i]);
        fx.deliver_now(worker.stm->heap());
      }
      if (spec.full_name == "config|set") sync_after_config_set(server);
      durations[i] = now_us() - t0;
    } else {
      ctx.out.add_raw(body.view().substr(pos, ends[i] - pos));
    }
    pos = ends[i];
    CommandCounters& c = worker.command_counters[size_t(spec.id)];
    CommandCounters::bump(c.calls);
    CommandCounters::bump(c.usec, uint64_t(std::max<int64_t>(0, durations[i])));
    if (ctx.out.size() > mark && ctx.out.view()[mark] == '-') CommandCounters::bump(c.failed_calls);
    CommandCounters::bump(worker.commands_processed);
    // Redis logs the commands of a block, not EXEC (flagged skip-slowlog).
    if ((spec.flags & kCmdSkipSlowlog) == 0 && server.slowlog.is_slow(durations[i])) {
      std::string name;
      {
        std::lock_guard<std::mutex> g(server.clients().lock());
        name = client.name;
      }
      std::vector<std::string_view> redacted;  // no secrets in the slow log
      server.slowlog.push(acl_redacted_argv(spec, views[i], redacted), attempt_start,
                          durations[i], uint64_t(attempts - 1), client.addr, name);
    }
  }
}

}  // namespace stmkv
