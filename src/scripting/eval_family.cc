// EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT: Lua scripts run as STM transactions.
//
// EVAL* are kCmdTx commands: the dispatcher (or EXEC) runs the handler inside a transaction and
// the script's redis.call commands run in that same transaction, so a script is atomic and
// isolated while scripts on other workers run at the same time. A conflict re-runs the script
// from the start; a script that keeps conflicting runs inevitable (stm::Config).
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "commands/util.h"
#include "scripting/families.h"
#include "scripting/lua_engine.h"
#include "scripting/scripting.h"
#include "server/server.h"

namespace stmkv::scripting {

bool parse_numkeys(CommandContext& ctx, size_t* nkeys) {
  int64_t n;
  if (!parse_int64(ctx.arg(2), &n)) {
    ctx.reply_not_integer();
    return false;
  }
  if (n > int64_t(ctx.argc()) - 3) {
    ctx.out.add_error("ERR Number of keys can't be greater than number of args");
    return false;
  }
  if (n < 0) {
    ctx.out.add_error("ERR Number of keys can't be negative");
    return false;
  }
  *nkeys = size_t(n);
  return true;
}

void record_on_commit(CommandContext& ctx, int64_t start_us, std::string_view name) {
  Scripting* s = &scripting_of(ctx.server);
  ctx.tx().on_commit([s, worker = ctx.worker.index, start_us, attempts = ctx.tx().attempt(),
                      name = std::string(name)] {
    s->record({worker, start_us, now_us(), attempts, name});
    s->runs.fetch_add(1, std::memory_order_relaxed);
    if (attempts > 1) s->retries.fetch_add(uint64_t(attempts - 1), std::memory_order_relaxed);
  });
}

void reply_help(CommandContext& ctx, std::initializer_list<std::string_view> lines) {
  ctx.out.add_array_len(lines.size());
  for (std::string_view l : lines) ctx.out.add_simple_string(l);
}

void kill_scripts(CommandContext& ctx, bool functions) {
  Scripting& s = scripting_of(ctx.server);
  bool any = false, killed = false, unkillable = false;
  for (int i = 0; i < s.nworkers(); ++i) {
    if (i == ctx.worker.index) continue;  // this worker is running KILL, not a script
    RunningScript& r = s.running(i);
    if (!r.running.load(std::memory_order_acquire)) continue;
    any = true;
    if (r.is_function.load(std::memory_order_relaxed) != functions) continue;
    if (r.wrote.load(std::memory_order_relaxed)) {
      unkillable = true;
      continue;
    }
    r.kill.store(true, std::memory_order_relaxed);
    killed = true;
  }
  if (!any) {
    ctx.out.add_error("NOTBUSY No scripts in execution right now.");
  } else if (killed) {
    ctx.out.add_ok();
  } else if (unkillable) {
    ctx.out.add_error(
        "UNKILLABLE Sorry the script already executed write commands against the dataset. You "
        "can either wait the script termination or kill the server in a hard way using the "
        "SHUTDOWN NOSAVE command.");
  } else if (functions) {
    ctx.out.add_error(
        "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.");
  } else {
    ctx.out.add_error(
        "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN "
        "NOSAVE.");
  }
}

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// An EVAL script's shebang ("#!lua flags=no-writes,allow-oom"). Without one the script runs in
// Redis 6 compatibility mode (kFlagEvalCompat). Returns "" or the error reply.
std::string parse_shebang(std::string_view body, uint32_t* flags) {
  if (!body.starts_with("#!")) {
    *flags = kFlagEvalCompat;
    return "";
  }
  *flags = 0;
  std::string_view line = body.substr(0, body.find('\n'));
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    size_t j = i;
    while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
    if (j > i) parts.push_back(line.substr(i, j - i));
    i = j;
  }
  if (parts.empty() || parts[0] != "#!lua") {
    return "ERR Unexpected engine in script shebang: " +
           std::string(parts.empty() ? line : parts[0]);
  }
  for (size_t p = 1; p < parts.size(); ++p) {
    std::string_view part = parts[p];
    if (!part.starts_with("flags=")) return "ERR Unknown lua shebang option: " + std::string(part);
    std::string_view list = part.substr(6);
    while (!list.empty()) {
      size_t comma = list.find(',');
      std::string_view name = list.substr(0, comma);
      uint32_t f = parse_flag(name);
      if (f == 0) return "ERR Unexpected flag in script shebang: " + std::string(name);
      *flags |= f;
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
  }
  return "";
}

void eval_generic(CommandContext& ctx, bool by_sha, bool read_only) {
  size_t nkeys;
  if (!parse_numkeys(ctx, &nkeys)) return;
  Scripting& s = scripting_of(ctx.server);
  std::string sha;
  std::shared_ptr<const std::string> cached;
  std::string_view body;
  if (by_sha) {
    sha = lower(ctx.arg(1));
    if (sha.size() == 40) cached = s.scripts.find(sha);
    if (cached == nullptr) {
      ctx.out.add_error("NOSCRIPT No matching script. Please use EVAL.");
      return;
    }
    body = *cached;
  } else {
    body = ctx.arg(1);
    sha = sha1_hex(body);
  }
  uint32_t flags = 0;
  std::string err = parse_shebang(body, &flags);
  LuaEngine& engine = s.engine(ctx.worker);
  if (err.empty()) err = engine.compile_script(sha, body);
  if (!err.empty()) {
    ctx.out.add_error(err);
    return;
  }
  if (!by_sha) s.scripts.add(sha, body);
  if (read_only && (flags & (kFlagEvalCompat | kFlagNoWrites)) == 0) {
    ctx.out.add_error("ERR Can not execute a script with write flag using *_ro command.");
    return;
  }
  RunOptions opt;
  opt.read_only = read_only || (flags & kFlagNoWrites) != 0;
  opt.name = sha;
  opt.flags = flags;
  std::span<const std::string_view> rest = ctx.argv.subspan(3);
  int64_t start = now_us();
  engine.run_script(ctx, sha, opt, rest.first(nkeys), rest.subspan(nkeys));
  record_on_commit(ctx, start, sha);
}

void cmd_eval(CommandContext& ctx) { eval_generic(ctx, false, false); }
void cmd_evalsha(CommandContext& ctx) { eval_generic(ctx, true, false); }
void cmd_eval_ro(CommandContext& ctx) { eval_generic(ctx, false, true); }
void cmd_evalsha_ro(CommandContext& ctx) { eval_generic(ctx, true, true); }

void cmd_script_load(CommandContext& ctx) {
  Scripting& s = scripting_of(ctx.server);
  std::string_view body = ctx.arg(2);
  std::string sha = sha1_hex(body);
  uint32_t flags;
  std::string err = parse_shebang(body, &flags);
  if (err.empty()) err = s.engine(ctx.worker).compile_script(sha, body);
  if (!err.empty()) {
    ctx.out.add_error(err);
    return;
  }
  s.scripts.add(sha, body);
  ctx.out.add_bulk(sha);
}

void cmd_script_exists(CommandContext& ctx) {
  Scripting& s = scripting_of(ctx.server);
  ctx.out.add_array_len(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.out.add_integer(s.scripts.find(lower(ctx.arg(i))) != nullptr ? 1 : 0);
  }
}

void cmd_script_flush(CommandContext& ctx) {
  if (ctx.argc() > 3 ||
      (ctx.argc() == 3 && !iequals(ctx.arg(2), "sync") && !iequals(ctx.arg(2), "async"))) {
    ctx.out.add_error("ERR SCRIPT FLUSH only support SYNC|ASYNC option");
    return;
  }
  scripting_of(ctx.server).scripts.flush();
  ctx.out.add_ok();
}

void cmd_script_kill(CommandContext& ctx) { kill_scripts(ctx, false); }

void cmd_script_debug(CommandContext& ctx) {
  if (iequals(ctx.arg(2), "no")) {
    ctx.out.add_ok();
  } else if (iequals(ctx.arg(2), "yes") || iequals(ctx.arg(2), "sync")) {
    ctx.out.add_error("ERR SCRIPT DEBUG is not supported by stmkv");
  } else {
    ctx.out.add_error("ERR Use SCRIPT DEBUG YES/SYNC/NO");
  }
}

// SCRIPT TIMELINE [count] (stmkv): the last committed scripts, oldest first, each
// [worker, start_us, end_us, attempts, name] (start of the committed attempt, commit time).
void cmd_script_timeline(CommandContext& ctx) {
  int64_t n = 128;
  if (ctx.argc() == 3) {
    if (iequals(ctx.arg(2), "reset")) {
      scripting_of(ctx.server).clear_timeline();
      ctx.out.add_ok();
      return;
    }
    if (!arg_int64(ctx, 2, &n)) return;
    if (n < 0) n = 0;
  }
  std::vector<TimelineEntry> t = scripting_of(ctx.server).timeline(size_t(n));
  ctx.out.add_array_len(t.size());
  for (const TimelineEntry& e : t) {
    ctx.out.add_array_len(5);
    ctx.out.add_integer(e.worker);
    ctx.out.add_integer(e.start_us);
    ctx.out.add_integer(e.end_us);
    ctx.out.add_integer(e.attempts);
    ctx.out.add_bulk(e.name);
  }
}

void cmd_script_help(CommandContext& ctx) {
  reply_help(
      ctx,
      {
          "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
          "DEBUG (YES|SYNC|NO)",
          "    Set the debug mode for subsequent scripts executed.",
          "EXISTS <sha1> [<sha1> ...]",
          "    Return information about the existence of the scripts in the script cache.",
          "FLUSH [ASYNC|SYNC]",
          "    Flush the Lua scripts cache. Very dangerous on replicas.",
          "    When called without the optional mode argument, the behavior is determined by the",
          "    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
          "    * ASYNC: Asynchronously flush the scripts cache.",
          "    * SYNC: Synchronously flush the scripts cache.",
          "KILL",
          "    Kill the currently executing Lua script.",
          "LOAD <script>",
          "    Load a script into the scripts cache without executing it.",
          "HELP",
          "    Prints this help.",
      });
}

}  // namespace
}  // namespace stmkv::scripting

namespace stmkv {

void register_scripting_family(CommandTable& t) {
  using namespace scripting;
  constexpr uint32_t kEval = kCmdNoscript | kCmdStale | kCmdSkipMonitor | kCmdTx;
  constexpr uint64_t kAcl = kAclSlow | kAclScripting;
  t.add({.name = "eval",
         .arity = -3,
         .flags = kEval,
         .acl = kAcl,
         .handler = cmd_eval,
         .group = "scripting",
         .since = "2.6.0",
         .summary = "Execute a Lua script server side",
         .complexity = "Depends on the script that is executed.",
         .syntax = "script numkeys [key [key ...]] [arg [arg ...]]"});
  t.add({.name = "evalsha",
         .arity = -3,
         .flags = kEval,
         .acl = kAcl,
         .handler = cmd_evalsha,
         .group = "scripting",
         .since = "2.6.0",
         .summary = "Execute a Lua script server side",
         .complexity = "Depends on the script that is executed.",
         .syntax = "sha1 numkeys [key [key ...]] [arg [arg ...]]"});
  t.add({.name = "eval_ro",
         .arity = -3,
         .flags = kEval | kCmdReadonly,
         .acl = kAcl,
         .handler = cmd_eval_ro,
         .group = "scripting",
         .since = "7.0.0",
         .summary = "Execute a read-only Lua script server side",
         .complexity = "Depends on the script that is executed.",
         .syntax = "script numkeys [key [key ...]] [arg [arg ...]]"});
  t.add({.name = "evalsha_ro",
         .arity = -3,
         .flags = kEval | kCmdReadonly,
         .acl = kAcl,
         .handler = cmd_evalsha_ro,
         .group = "scripting",
         .since = "7.0.0",
         .summary = "Execute a read-only Lua script server side",
         .complexity = "Depends on the script that is executed.",
         .syntax = "sha1 numkeys [key [key ...]] [arg [arg ...]]"});
  t.add({.name = "script",
         .arity = -2,
         .acl = kAclSlow,
         .group = "scripting",
         .since = "2.6.0",
         .summary = "A container for Lua scripts management commands",
         .complexity = "Depends on subcommand.",
         .syntax = "",
         .subcommands = {
             {.name = "debug",
              .arity = 3,
              .flags = kCmdNoscript,
              .acl = kAcl,
              .handler = cmd_script_debug,
              .group = "scripting",
              .since = "3.2.0",
              .summary = "Set the debug mode for executed scripts.",
              .complexity = "O(1)",
              .syntax = "YES|SYNC|NO"},
             {.name = "exists",
              .arity = -3,
              .flags = kCmdNoscript,
              .acl = kAcl,
              .handler = cmd_script_exists,
              .group = "scripting",
              .since = "2.6.0",
              .summary = "Check existence of scripts in the script cache.",
              .complexity = "O(N) with N being the number of scripts to check (so checking a "
                            "single script is an O(1) operation).",
              .syntax = "sha1 [sha1 ...]"},
             {.name = "flush",
              .arity = -2,
              .flags = kCmdNoscript,
              .acl = kAcl,
              .handler = cmd_script_flush,
              .group = "scripting",
              .since = "2.6.0",
              .summary = "Remove all the scripts from the script cache.",
              .complexity = "O(N) with N being the number of scripts in cache",
              .syntax = "[ASYNC|SYNC]"},
             {.name = "help",
              .arity = 2,
              .flags = kCmdLoading | kCmdStale,
              .acl = kAcl,
              .handler = cmd_script_help,
              .group = "scripting",
              .since = "5.0.0",
              .summary = "Show helpful text about the different subcommands",
              .complexity = "O(1)",
              .syntax = ""},
             {.name = "kill",
              .arity = 2,
              .flags = kCmdNoscript | kCmdAllowBusy,
              .acl = kAcl,
              .handler = cmd_script_kill,
              .group = "scripting",
              .since = "2.6.0",
              .summary = "Kill the script currently in execution.",
              .complexity = "O(1)",
              .syntax = ""},
             {.name = "load",
              .arity = 3,
              .flags = kCmdNoscript | kCmdStale,
              .acl = kAcl,
              .handler = cmd_script_load,
              .group = "scripting",
              .since = "2.6.0",
              .summary = "Load the specified Lua script into the script cache.",
              .complexity = "O(N) with N being the length in bytes of the script body.",
              .syntax = "script"},
             {.name = "timeline",
              .arity = -2,
              .flags = kCmdNoscript | kCmdStale,
              .acl = kAcl,
              .handler = cmd_script_timeline,
              .group = "scripting",
              .since = "7.0.0",
              .summary = "(stmkv) The last committed scripts: worker, start, end, attempts",
              .complexity = "O(N) with N being the number of entries returned.",
              .syntax = "[count|RESET]"},
         }});
  register_function_commands(t);
}

}  // namespace stmkv
