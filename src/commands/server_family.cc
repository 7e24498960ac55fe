// commands/server_family.cc — server commands (Redis's INFO, TIME, CONFIG, SHUTDOWN, DEBUG,
// MEMORY); LASTSAVE is in persist_family.cc. COMMAND lives in command_family.cc.
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "commands/info.h"
#include "commands/util.h"
#include "commands/zset_common.h"
#include "ds/access.h"
#include "ds/dict.h"
#include "ds/keyspace.h"
#include "ds/list.h"
#include "ds/small_map.h"
#include "ds/zset.h"
#include "persist/persistence.h"
#include "server/command_table.h"
#include "server/server.h"

namespace stmkv {

void register_command_family(CommandTable& t);  // command_family.cc

namespace {

using stm::Ref;

void reply_help(CommandContext& ctx, std::initializer_list<std::string_view> lines) {
  ctx.out.add_array_len(lines.size());
  for (std::string_view l : lines) ctx.out.add_simple_string(l);
}

void cmd_info(CommandContext& ctx) {
  std::vector<std::string_view> sections(ctx.argv.begin() + 1, ctx.argv.end());
  ctx.out.add_verbatim(build_info(ctx, sections));
}

void cmd_time(CommandContext& ctx) {
  timeval tv{};
  gettimeofday(&tv, nullptr);
  ctx.out.add_array_len(2);
  ctx.out.add_bulk_integer(tv.tv_sec);
  ctx.out.add_bulk_integer(tv.tv_usec);
}


// --- CONFIG ---

void cmd_config_get(CommandContext& ctx) {
  std::vector<std::string_view> names = config_option_names();
  std::vector<std::pair<std::string_view, std::string>> matches;
  std::vector<bool> taken(names.size());
  {
    std::lock_guard<std::mutex> g(ctx.server.config_lock());
    for (size_t j = 2; j < ctx.argc(); ++j) {
      for (size_t i = 0; i < names.size(); ++i) {
        if (taken[i] || !glob_match_nocase(ctx.arg(j), names[i])) continue;
        taken[i] = true;
        matches.emplace_back(names[i], get_config_option(ctx.server.config(), names[i]).value());
      }
    }
  }
  ctx.out.add_map_len(matches.size());
  for (auto& [name, value] : matches) {
    ctx.out.add_bulk(name);
    ctx.out.add_bulk(value);
  }
}

// Redis 7.0's configSetCommand: every name is checked (unknown, immutable, twice under any of
// its names) before any value is applied; values are applied all or nothing.
void cmd_config_set(CommandContext& ctx) {
  if (ctx.argc() % 2 != 0) {
    ctx.reply_arity_error();
    return;
  }
  for (size_t j = 2; j < ctx.argc(); j += 2) {
    if (!config_option_canonical_name(ctx.arg(j))) {
      ctx.out.add_error("ERR Unknown option or number of arguments for CONFIG SET - '" +
                        std::string(ctx.arg(j)) + "'");
      return;
    }
  }
  auto fail = [&](std::string_view arg, std::string_view reason) {
    ctx.out.add_error("ERR CONFIG SET failed (possibly related to argument '" + std::string(arg) +
                      "') - " + std::string(reason));
  };
  for (size_t j = 2; j < ctx.argc(); j += 2) {
    if (config_option_immutable(ctx.arg(j))) {
      fail(ctx.arg(j), "can't set immutable config");
      return;
    }
    std::string_view canonical = *config_option_canonical_name(ctx.arg(j));
    for (size_t k = 2; k < j; k += 2) {
      if (*config_option_canonical_name(ctx.arg(k)) == canonical) {
        fail(ctx.arg(j), "duplicate parameter");
        return;
      }
    }
  }
  std::lock_guard<std::mutex> g(ctx.server.config_lock());
  ServerConfig updated = ctx.server.config();
  for (size_t j = 2; j < ctx.argc(); j += 2) {
    if (std::optional<std::string> err =
            set_config_option_value(&updated, ctx.arg(j), ctx.arg(j + 1))) {
      fail(ctx.arg(j), *err);
      return;
    }
  }
  // Valid on the copy: apply to the live configuration option by option, so that only the
  // options being set are written (readers of other options don't race with this write).
  for (size_t j = 2; j < ctx.argc(); j += 2) {
    set_config_option_value(&ctx.server.config(), ctx.arg(j), ctx.arg(j + 1));
  }
  ctx.out.add_ok();
}

void cmd_config_resetstat(CommandContext& ctx) {
  reset_info_stats(ctx.server);
  ctx.out.add_ok();
}

void cmd_config_rewrite(CommandContext& ctx) {
  ctx.out.add_error("ERR The server is running without a config file");
}

void cmd_config_help(CommandContext& ctx) {
  reply_help(ctx, {
                      "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                      "GET <pattern>",
                      "    Return parameters matching the glob-like <pattern> and their values.",
                      "SET <directive> <value>",
                      "    Set the configuration <directive> to <value>.",
                      "RESETSTAT",
                      "    Reset statistics reported by the INFO command.",
                      "REWRITE",
                      "    Rewrite the configuration file.",
                      "HELP",
                      "    Prints this help.",
                  });
}

// --- SHUTDOWN ---

void cmd_shutdown(CommandContext& ctx) {
  bool nosave = false, save = false, now = false, force = false, abort = false;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    std::string_view o = ctx.arg(i);
    if (iequals(o, "nosave")) {
      nosave = true;
    } else if (iequals(o, "save")) {
      save = true;
    } else if (iequals(o, "now")) {
      now = true;
    } else if (iequals(o, "force")) {
      force = true;
    } else if (iequals(o, "abort")) {
      abort = true;
    } else {
      ctx.reply_syntax_error();
      return;
    }
  }
  if ((abort && ctx.argc() != 2) || (nosave && save)) {
    ctx.reply_syntax_error();
    return;
  }
  if (abort) {
    ctx.out.add_error("ERR No shutdown in progress.");
    return;
  }
  (void)now;
  (void)force;
  using Mode = persist::Persistence::ShutdownMode;
  ctx.server.persistence().set_shutdown_mode(nosave ? Mode::kNoSave
                                             : save ? Mode::kSave
                                                    : Mode::kDefault);
  ctx.server.request_shutdown();
  ctx.client.close_after_reply = true;
}

// --- DEBUG ---

// The length of a string in an RDB file: its length prefix plus bytes, or an int encoding.
size_t rdb_string_length(std::string_view v, Encoding enc) {
  int64_t n;
  if (enc == Encoding::kInt && parse_int64(v, &n)) {
    if (n >= -(1 << 7) && n < (1 << 7)) return 2;
    if (n >= -(1 << 15) && n < (1 << 15)) return 3;
    if (n >= INT32_MIN && n <= INT32_MAX) return 5;
  }
  size_t prefix = v.size() < 64 ? 1 : v.size() < 16384 ? 2 : 5;
  return prefix + v.size();
}

void debug_object(CommandContext& ctx) {
  std::string line;
  bool found = false;
  ctx.worker.stm->atomically([&](stm::Tx& tx) {
    Db db(tx, ctx.client.db, ctx.now_ms);
    Ref<Entry> e = db.find(ctx.arg(2));
    found = !e.is_null();
    if (!found) return;
    Entry en = db.read(e);
    auto enc = static_cast<Encoding>(en.encoding);
    size_t serialized = 1;
    if (static_cast<ObjType>(en.type) == ObjType::kString) {
      serialized = rdb_string_length(str_view(tx, en.value), enc);
    }
    int64_t n = 0;
    bool shared =
        enc == Encoding::kInt && parse_int64(str_view(tx, en.value), &n) && n >= 0 && n < 10000;
    int64_t idle = int64_t(access::idle_ms(e.offset(), ctx.now_ms) / 1000);
    char buf[256];
    snprintf(buf, sizeof(buf),
             "Value at:0x%" PRIx64 " refcount:%d encoding:%s serializedlength:%zu lru:%" PRId64
             " lru_seconds_idle:%" PRId64,
             en.value.offset(), shared ? 2147483647 : 1, std::string(encoding_name(enc)).c_str(),
             serialized, int64_t(access::get(e.offset())), idle);
    line = buf;
  });
  if (!found) {
    ctx.out.add_error("ERR no such key");
  } else {
    ctx.out.add_simple_string(line);
  }
}

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty the databases, load the file again.
void debug_reload(CommandContext& ctx) {
  bool save = true, flush = true;
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string_view o = ctx.arg(i);
    if (iequals(o, "nosave")) {
      save = false;
    } else if (iequals(o, "noflush") || iequals(o, "merge")) {
      flush = false;
    } else {
      ctx.out.add_error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
      return;
    }
  }
  if (std::optional<std::string> err =
          ctx.server.persistence().debug_reload(ctx.worker, save, flush)) {
    ctx.out.add_error(*err);
  } else {
    ctx.out.add_ok();
  }
}

// enable-debug-command: "yes", or "local" and the client is on a loopback address (Redis's
// allowProtectedAction).
bool debug_allowed(CommandContext& ctx) {
  std::string mode;
  {
    std::lock_guard<std::mutex> g(ctx.server.config_lock());
    mode = ctx.server.config().enable_debug_command;
  }
  if (mode == "yes") return true;
  if (mode != "local") return false;
  std::string_view addr = ctx.client.addr;
  return addr.starts_with("127.") || addr.starts_with("[::1]:");
}

void cmd_debug(CommandContext& ctx) {
  if (!debug_allowed(ctx)) {
    ctx.out.add_error(
        "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", "
        "you can run it from a local connection, otherwise you need to set this option in the "
        "configuration file, and then restart the server.");
    return;
  }
  std::string_view sub = ctx.arg(1);
  if (iequals(sub, "help") && ctx.argc() == 2) {
    reply_help(
        ctx, {
                 "DEBUG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                 "OBJECT <key>",
                 "    Show low level info about the `key` and associated value.",
                 "SET-ACTIVE-EXPIRE <0|1>",
                 "    Setting it to 0 disables expiring keys in background when they are not",
                 "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
                 "    default.",
                 "RELOAD [option ...]",
                 "    Save the RDB on disk and reload it back to memory. Available options:",
                 "    * MERGE: Merge the content of the RDB with the current data.",
                 "    * NOFLUSH: Do not empty the current data before loading the RDB.",
                 "    * NOSAVE: the database will be loaded from an existing RDB file.",
                 "SLEEP <seconds>",
                 "    Stop the server for <seconds>. Decimals allowed.",
                 "HELP",
                 "    Prints this help.",
             });
  } else if (iequals(sub, "sleep") && ctx.argc() == 3) {
    std::string s(ctx.arg(2));
    double seconds = strtod(s.c_str(), nullptr);
    if (seconds > 0) usleep(static_cast<useconds_t>(seconds * 1e6));
    ctx.out.add_ok();
  } else if (iequals(sub, "set-active-expire") && ctx.argc() == 3) {
    std::string s(ctx.arg(2));
    ctx.server.active_expire_enabled.store(atoi(s.c_str()) != 0, std::memory_order_relaxed);
    ctx.out.add_ok();
  } else if (iequals(sub, "object") && ctx.argc() == 3) {
    debug_object(ctx);
  } else if (iequals(sub, "reload")) {
    debug_reload(ctx);
  } else {
    ctx.out.add_error("ERR unknown subcommand or wrong number of arguments for '" +
                      std::string(sub) + "'. Try DEBUG HELP.");
  }
}

// --- MEMORY ---

size_t heap_object_size(size_t payload) { return (sizeof(StrHeader) + payload + 15) & ~size_t{15}; }

// Heap bytes of a collection value, sampling `samples` elements of the big encodings (0: all).
size_t collection_bytes(CommandContext& ctx, const Entry& en, size_t samples) {
  stm::Tx& tx = ctx.tx();
  switch (static_cast<ObjType>(en.type)) {
    case ObjType::kList:
      return list::memory_usage(tx, en.value);
    case ObjType::kHash:
    case ObjType::kSet:
      if (value_kind(tx, en.value) == ValueKind::kDict) return Dict(tx, en.value).heap_bytes(samples);
      return pack_heap_bytes(tx, en.value);
    case ObjType::kZSet:
      return ZSet(tx, en.value, static_cast<Encoding>(en.encoding), zset_limits(ctx))
          .memory_usage(samples);
    case ObjType::kString:
      break;
  }
  return heap_object_size(str_view(tx, en.value).size());
}

// MEMORY USAGE key [SAMPLES count]: the entry, its key and its value (SAMPLES 5 by default).
void cmd_memory_usage(CommandContext& ctx) {
  int64_t samples = 5;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    if (iequals(ctx.arg(j), "samples") && j + 1 < ctx.argc()) {
      if (!arg_int64(ctx, j + 1, &samples)) return;
      if (samples < 0) {
        ctx.reply_syntax_error();
        return;
      }
      ++j;
    } else {
      ctx.reply_syntax_error();
      return;
    }
  }
  Db db = client_db(ctx);
  Ref<Entry> e = db.find(ctx.arg(2));
  if (e.is_null()) {
    ctx.out.add_null();
    return;
  }
  const Entry& en = db.read(e);
  size_t total = sizeof(Entry) + heap_object_size(db.key_of(e).size()) +
                 collection_bytes(ctx, en, static_cast<size_t>(samples));
  ctx.out.add_integer(static_cast<long long>(total));
}

void cmd_memory_doctor(CommandContext& ctx) {
  ctx.out.add_verbatim(
      "Hi Sam, I can't find any memory issue in your instance. I can only account for what "
      "occurs on this base.\n");
}

void cmd_memory_purge(CommandContext& ctx) { ctx.out.add_ok(); }

void cmd_memory_help(CommandContext& ctx) {
  reply_help(ctx, {
                      "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
                      "DOCTOR",
                      "    Return memory problems reports.",
                      "PURGE",
                      "    Attempt to purge dirty pages for reclamation by the allocator.",
                      "USAGE <key> [SAMPLES <count>]",
                      "    Return memory in bytes used by <key> and its value. Nested values are",
                      "    sampled up to <count> times (default: 5, 0 means sample all).",
                      "HELP",
                      "    Prints this help.",
                  });
}

}  // namespace

void register_server_family(CommandTable& t) {
  constexpr uint32_t kLS = kCmdLoading | kCmdStale;
  constexpr uint64_t kAdm = kAclAdmin | kAclSlow | kAclDangerous;
  t.add({.name = "info",
         .arity = -1,
         .flags = kLS,
         .acl = kAclSlow | kAclDangerous,
         .handler = cmd_info,
         .group = "server",
         .since = "1.0.0",
         .summary = "Get information and statistics about the server",
         .complexity = "O(1)",
         .syntax = "[section [section ...]]"});
  t.add({.name = "time",
         .arity = 1,
         .flags = kLS | kCmdFast,
         .acl = kAclFast,
         .handler = cmd_time,
         .group = "server",
         .since = "2.6.0",
         .summary = "Return the current server time",
         .complexity = "O(1)",
         .syntax = ""});
  t.add({.name = "shutdown",
         .arity = -1,
         .flags = kCmdAdmin | kCmdNoscript | kLS | kCmdNoMulti | kCmdAllowBusy,
         .acl = kAdm,
         .handler = cmd_shutdown,
         .group = "server",
         .since = "1.0.0",
         .summary = "Synchronously save the dataset to disk and then shut down the server",
         .complexity = "O(N) when saving, where N is the total number of keys in all databases "
                       "when saving data, otherwise O(1)",
         .syntax = "[NOSAVE|SAVE] [NOW] [FORCE] [ABORT]"});
  t.add({.name = "debug",
         .arity = -2,
         .flags = kCmdAdmin | kCmdNoscript | kLS,
         .acl = kAdm,
         .handler = cmd_debug,
         .group = "server",
         .since = "1.0.0",
         .summary = "A container for debugging commands",
         .complexity = "Depends on subcommand.",
         .syntax = ""});

  CommandSpec config{.name = "config",
                     .arity = -2,
                     .acl = kAclSlow,
                     .group = "server",
                     .since = "2.0.0",
                     .summary = "A container for server configuration commands",
                     .complexity = "Depends on subcommand."};
  config.subcommands = {
      {.name = "get",
       .arity = -3,
       .flags = kCmdAdmin | kCmdNoscript | kLS,
       .acl = kAdm,
       .handler = cmd_config_get,
       .group = "server",
       .since = "2.0.0",
       .summary = "Get the values of configuration parameters",
       .complexity = "O(N) when N is the number of configuration parameters provided",
       .syntax = "parameter [parameter ...]"},
      {.name = "set",
       .arity = -4,
       .flags = kCmdAdmin | kCmdNoscript | kLS,
       .acl = kAdm,
       .handler = cmd_config_set,
       .group = "server",
       .since = "2.0.0",
       .summary = "Set configuration parameters to the given values",
       .complexity = "O(N) when N is the number of configuration parameters provided",
       .syntax = "parameter value [parameter value ...]"},
      {.name = "resetstat",
       .arity = 2,
       .flags = kCmdAdmin | kCmdNoscript | kLS,
       .acl = kAdm,
       .handler = cmd_config_resetstat,
       .group = "server",
       .since = "2.0.0",
       .summary = "Reset the stats returned by INFO",
       .complexity = "O(1)"},
      {.name = "rewrite",
       .arity = 2,
       .flags = kCmdAdmin | kCmdNoscript | kLS,
       .acl = kAdm,
       .handler = cmd_config_rewrite,
       .group = "server",
       .since = "2.8.0",
       .summary = "Rewrite the configuration file with the in memory configuration",
       .complexity = "O(1)"},
      {.name = "help",
       .arity = 2,
       .flags = kLS,
       .acl = kAclSlow,
       .handler = cmd_config_help,
       .group = "server",
       .since = "5.0.0",
       .summary = "Show helpful text about the different subcommands",
       .complexity = "O(1)"},
  };
  t.add(std::move(config));

  CommandSpec memory{.name = "memory",
                     .arity = -2,
                     .acl = kAclSlow,
                     .group = "server",
                     .since = "4.0.0",
                     .summary = "A container for memory diagnostics commands",
                     .complexity = "Depends on subcommand."};
  memory.subcommands = {
      {.name = "usage",
       .arity = -3,
       .flags = kCmdReadonly | kCmdTx,
       .first_key = 2,
       .last_key = 2,
       .key_step = 1,
       .acl = kAclRead | kAclSlow,
       .handler = cmd_memory_usage,
       .group = "server",
       .since = "4.0.0",
       .summary = "Estimate the memory usage of a key",
       .complexity = "O(N) where N is the number of samples.",
       .syntax = "key [SAMPLES count]"},
      {.name = "doctor",
       .arity = 2,
       .acl = kAclSlow,
       .handler = cmd_memory_doctor,
       .group = "server",
       .since = "4.0.0",
       .summary = "Outputs memory problems report",
       .complexity = "O(1)"},
      {.name = "purge",
       .arity = 2,
       .acl = kAclSlow,
       .handler = cmd_memory_purge,
       .group = "server",
       .since = "4.0.0",
       .summary = "Ask the allocator to release memory",
       .complexity = "Depends on how much memory is allocated, could be slow"},
      {.name = "help",
       .arity = 2,
       .flags = kLS,
       .acl = kAclSlow,
       .handler = cmd_memory_help,
       .group = "server",
       .since = "4.0.0",
       .summary = "Show helpful text about the different subcommands",
       .complexity = "O(1)"},
  };
  t.add(std::move(memory));

  register_command_family(t);
}

}  // namespace stmkv
