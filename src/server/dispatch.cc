#include "server/dispatch.h"

#include <cctype>
#include <new>
#include <string>

#include "server/acl.h"
#include "server/conflicts.h"
#include "server/effects.h"
#include "server/eviction.h"
#include "server/multi.h"

namespace stmkv {

void CommandContext::reply_arity_error() {
  out.add_error("ERR wrong number of arguments for '" + spec->full_name + "' command");
}

namespace {

bool arity_ok(const CommandSpec& spec, size_t argc) {
  return spec.arity >= 0 ? argc == size_t(spec.arity) : argc >= size_t(-spec.arity);
}

void reply_unknown_command(std::span<const std::string_view> argv, protocol::ReplyWriter& out) {
  std::string msg = "ERR unknown command '";
  msg.append(argv[0].substr(0, 128));
  msg += "', with args beginning with: ";
  for (size_t i = 1; i < argv.size() && msg.size() < 128 + 64; ++i) {
    msg += '\'';
    msg.append(argv[i].substr(0, 128 + 64 - std::min<size_t>(msg.size(), 128 + 64)));
    msg += "' ";
  }
  out.add_error(msg);
}

std::string upper(std::string_view s) {
  std::string u(s);
  for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

}  // namespace

void execute_command(WorkerContext& worker, ClientState& client,
                     std::span<const std::string_view> argv, protocol::ReplyWriter& out) {
  Server& server = *worker.server;
  const CommandSpec* spec = server.commands().find(argv[0]);
  if (spec == nullptr) {
    reply_unknown_command(argv, out);
    multi_flag_error(client);
    return;
  }
  // A container dispatches to its subcommand; one with its own handler (COMMAND) runs that
  // handler when called without a subcommand.
  if (!spec->subcommands.empty() && (spec->handler == nullptr || argv.size() >= 2)) {
    if (argv.size() < 2) {
      out.add_error("ERR wrong number of arguments for '" + spec->full_name + "' command");
      multi_flag_error(client);
      return;
    }
    const CommandSpec* sub = CommandTable::find_sub(*spec, argv[1]);
    if (sub == nullptr) {
      std::string msg = "ERR unknown subcommand '";
      msg.append(argv[1].substr(0, 128));
      msg += "'. Try " + upper(spec->name) + " HELP.";
      out.add_error(msg);
      multi_flag_error(client);
      return;
    }
    spec = sub;
  }
  CommandCounters& counters = worker.command_counters[spec->id];
  if (!arity_ok(*spec, argv.size())) {
    CommandCounters::bump(counters.rejected_calls);
    out.add_error("ERR wrong number of arguments for '" + spec->full_name + "' command");
    multi_flag_error(client);
    return;
  }
  // Authentication and permissions (server/acl.h): NOAUTH, NOPERM, before queueing as Redis.
  if (!acl_admit(server, client, *spec, argv, out)) {
    CommandCounters::bump(counters.rejected_calls);
    multi_flag_error(client);
    return;
  }
  // maxmemory (server/eviction.h): evicts keys first; deny-oom commands (and, in MULTI, queued
  // ones) fail with -OOM when nothing more can be evicted.
  if (!eviction_admit(worker, client, *spec, out)) {
    CommandCounters::bump(counters.rejected_calls);
    multi_flag_error(client);
    return;
  }
  {
    // CLIENT LIST cmd=: the last command, queued ones included (as Redis's lastcmd).
    std::lock_guard<std::mutex> g(server.clients().lock());
    client.last_command = spec->full_name;
  }
  // Between MULTI and EXEC, commands are queued (EXEC runs them as one transaction).
  if (client.multi.active && multi_queues(*spec)) {
    multi_queue(client, *spec, argv, out);
    return;
  }
  int64_t start = now_us();
  CommandContext ctx(server, worker, client, argv, out, start / 1000);
  ctx.spec = spec;
  size_t mark = out.size();
  int attempts = 1;
  // The command's effects (AOF records): see server/effects.h.
  Effects& fx = Effects::current();
  const bool is_write = (spec->flags & kCmdWrite) != 0;
  auto answered_error = [&] { return out.size() > mark && out.view()[mark] == '-'; };
  try {
    if (spec->flags & kCmdTx) {
      worker.stm->atomically([&](stm::Tx& tx) {
        out.truncate(mark);
        ctx.hits = ctx.misses = 0;
        ctx.tx_ = &tx;
        attempts = tx.attempt();
        // Names the transaction in conflict reports ("INCR counter"), computed on conflict.
        tx.set_label_fn(command_conflict_label, &ctx);
        fx.reset();
        fx.begin_command();
        spec->handler(ctx);
        fx.end_command(is_write, answered_error(), client.db, argv);
        fx.deliver_at_commit(tx);
      });
      ctx.tx_ = nullptr;
    } else if (is_write) {
      fx.reset();
      fx.begin_command();
      spec->handler(ctx);
      fx.end_command(is_write, answered_error(), client.db, argv);
      fx.deliver_now(worker.stm->heap());
    } else {
      spec->handler(ctx);
    }
  } catch (const std::bad_alloc&) {
    out.truncate(mark);
    out.add_error("OOM command not allowed when used memory > 'maxmemory'.");
  }
  if (ctx.hits != 0) CommandCounters::bump(worker.keyspace_hits, ctx.hits);
  if (ctx.misses != 0) CommandCounters::bump(worker.keyspace_misses, ctx.misses);
  int64_t duration = now_us() - start;
  CommandCounters::bump(counters.calls);
  CommandCounters::bump(counters.usec, uint64_t(duration));
  if (out.size() > mark && out.view()[mark] == '-') CommandCounters::bump(counters.failed_calls);
  CommandCounters::bump(worker.commands_processed);
  // The slow log, ACL and eviction follow the configuration: read again after CONFIG SET (EXEC
  // does it for a CONFIG SET in its block).
  if (!server.slowlog.configured()) sync_slowlog_config(server);
  if (spec->full_name == "config|set") sync_after_config_set(server);
  if ((spec->flags & kCmdSkipSlowlog) == 0 && server.slowlog.is_slow(duration)) {
    std::string name;
    {
      std::lock_guard<std::mutex> g(server.clients().lock());
      name = client.name;
    }
    std::vector<std::string_view> redacted;  // no secrets in the slow log
    server.slowlog.push(acl_redacted_argv(*spec, argv, redacted), start, duration,
                        uint64_t(attempts - 1), client.addr, name);
  }
}

void run_nested_command(WorkerContext& worker, ClientState& client, const CommandSpec& spec,
                        std::span<const std::string_view> argv, protocol::ReplyWriter& out,
                        int64_t now_ms, stm::Tx* tx, int* hits, int* misses) {
  CommandContext sub(*worker.server, worker, client, argv, out, now_ms);
  sub.spec = &spec;
  sub.in_exec = true;
  sub.tx_ = tx;
  Effects& fx = Effects::current();
  size_t mark = out.size();
  fx.begin_command();
  spec.handler(sub);
  fx.end_command((spec.flags & kCmdWrite) != 0, out.size() > mark && out.view()[mark] == '-',
                 client.db, argv);
  *hits += sub.hits;
  *misses += sub.misses;
}

void sync_after_config_set(Server& server) {
  sync_slowlog_config(server);
  acl_sync_config(server);
  sync_eviction_config(server);
}

void sync_slowlog_config(Server& server) {
  int64_t slower_than, max_len;
  {
    std::lock_guard<std::mutex> g(server.config_lock());
    slower_than = server.config().slowlog_log_slower_than;
    max_len = server.config().slowlog_max_len;
  }
  server.slowlog.configure(slower_than, max_len);
}

}  // namespace stmkv
