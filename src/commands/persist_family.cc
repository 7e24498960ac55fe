// commands/persist_family.cc — persistence commands: SAVE, BGSAVE, LASTSAVE (Redis's rdb.c) and
// DUMP, RESTORE (Redis's cluster.c), with Redis's payload format (persist/rdb.h).
//
// SAVE and BGSAVE run outside the command's transaction: they write a snapshot taken on the
// heap's spare segment (persist/persistence.h), so the other workers keep serving meanwhile
// (Redis's SAVE blocks the server; ours blocks only the calling client's worker).
#include <string>
#include <vector>

#include "commands/util.h"
#include "ds/access.h"
#include "ds/keyspace.h"
#include "persist/aof.h"
#include "persist/persistence.h"
#include "persist/rdb.h"
#include "server/command_table.h"
#include "server/effects.h"
#include "server/server.h"

namespace stmkv {

namespace {

using stm::Ref;

void cmd_save(CommandContext& ctx) {
  std::string error;
  if (ctx.server.persistence().save(&error)) {
    ctx.out.add_ok();
  } else {
    ctx.out.add_error(error);
  }
}

void cmd_bgsave(CommandContext& ctx) {
  bool schedule = false;
  if (ctx.argc() > 1) {
    if (ctx.argc() == 2 && iequals(ctx.arg(1), "schedule")) {
      schedule = true;
    } else {
      ctx.reply_syntax_error();
      return;
    }
  }
  switch (ctx.server.persistence().bgsave(schedule)) {
    case persist::Persistence::Bgsave::kStarted:
      ctx.out.add_simple_string("Background saving started");
      break;
    case persist::Persistence::Bgsave::kScheduled:
      ctx.out.add_simple_string("Background saving scheduled");
      break;
    case persist::Persistence::Bgsave::kInProgress:
      ctx.out.add_error("ERR Background save already in progress");
      break;
  }
}

// BGREWRITEAOF: a new AOF base from a point-in-time snapshot (persist/aof.h).
void cmd_bgrewriteaof(CommandContext& ctx) {
  switch (ctx.server.persistence().aof().bgrewrite()) {
    case persist::Aof::Rewrite::kStarted:
      ctx.out.add_simple_string("Background append only file rewriting started");
      break;
    case persist::Aof::Rewrite::kScheduled:
      ctx.out.add_simple_string("Background append only file rewriting scheduled");
      break;
    case persist::Aof::Rewrite::kInProgress:
      ctx.out.add_error("ERR Background append only file rewriting already in progress");
      break;
  }
}

void cmd_lastsave(CommandContext& ctx) { ctx.out.add_integer(ctx.server.persistence().lastsave()); }

persist::SaveOptions save_options(CommandContext& ctx) {
  persist::SaveOptions opt;
  std::lock_guard<std::mutex> g(ctx.server.config_lock());
  opt.compress = ctx.server.config().rdbcompression;
  opt.list_max_listpack_size = ctx.server.config().list_max_listpack_size;
  return opt;
}

void cmd_dump(CommandContext& ctx) {
  Db db = client_db(ctx);
  Ref<Entry> e = db.find(ctx.arg(1));
  if (e.is_null()) {
    ctx.miss();
    ctx.out.add_null();
    return;
  }
  ctx.hit();
  Entry en = db.read(e);
  ctx.out.add_bulk(persist::dump_payload(ctx.tx(), en, save_options(ctx)));
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
void cmd_restore(CommandContext& ctx) {
  bool replace = false, absttl = false;
  int64_t idle = -1, freq = -1;
  for (size_t j = 4; j < ctx.argc(); ++j) {
    size_t additional = ctx.argc() - j - 1;
    std::string_view o = ctx.arg(j);
    if (iequals(o, "replace")) {
      replace = true;
    } else if (iequals(o, "absttl")) {
      absttl = true;
    } else if (iequals(o, "idletime") && additional >= 1 && freq == -1) {
      if (!arg_int64(ctx, j + 1, &idle)) return;
      if (idle < 0) {
        ctx.out.add_error("ERR Invalid IDLETIME value, must be >= 0");
        return;
      }
      ++j;
    } else if (iequals(o, "freq") && additional >= 1 && idle == -1) {
      if (!arg_int64(ctx, j + 1, &freq)) return;
      if (freq < 0 || freq > 255) {
        ctx.out.add_error("ERR Invalid FREQ value, must be >= 0 and <= 255");
        return;
      }
      ++j;
    } else {
      ctx.reply_syntax_error();
      return;
    }
  }
  Db db = client_db(ctx);
  std::string_view key = ctx.arg(1);
  if (!replace && !db.find(key).is_null()) {
    ctx.out.add_error("BUSYKEY Target key name already exists.");
    return;
  }
  int64_t ttl;
  if (!arg_int64(ctx, 2, &ttl)) return;
  if (ttl < 0) {
    ctx.out.add_error("ERR Invalid TTL value, must be >= 0");
    return;
  }
  std::string_view payload = ctx.arg(3);
  if (!persist::verify_dump_payload(payload)) {
    ctx.out.add_error("ERR DUMP payload version or checksum are wrong");
    return;
  }
  persist::LoadedValue v;
  if (!persist::parse_dump_payload(payload, &v)) {
    ctx.out.add_error("ERR Bad data format");
    return;
  }
  bool deleted = replace && db.remove(key);
  const bool relative = ttl != 0 && !absttl;
  if (relative) ttl += ctx.now_ms;
  if (ttl != 0 && ttl <= ctx.now_ms && !expiry_paused()) {
    ctx.out.add_ok();  // already expired: nothing is created (the old key is gone if REPLACE)
    // AOF (server/effects.h): DEL of the replaced key, else nothing (as Redis 7.0).
    if (deleted) {
      Effects::current().add(ctx.client.db, {std::string_view("DEL"), key});
    } else {
      Effects::current().suppress();
    }
    return;
  }
  persist::LoadLimits lim;
  {
    std::lock_guard<std::mutex> g(ctx.server.config_lock());
    lim = persist::LoadLimits::from(ctx.server.config());
  }
  Encoding enc;
  stm::RawRef obj = persist::make_loaded_value(ctx.tx(), v, lim, &enc);
  stm::Ref<Entry> e = db.set(key, v.type, obj, enc, ttl != 0 ? ttl : kNoExpire);
  // IDLETIME / FREQ set the access clock as Redis's objectSetLRUOrLFU (the one of the policy).
  if (access::lfu_mode()) {
    if (freq >= 0) access::set_freq(e.offset(), int(freq), ctx.now_ms);
  } else if (idle >= 0) {
    access::set_idle(e.offset(), idle * 1000, ctx.now_ms);
  }
  ctx.out.add_ok();
  if (relative && effects_enabled()) {
    // AOF: the TTL as an absolute time (RESTORE key <ms> payload [options] ABSTTL, Redis 7.0).
    std::string ms = std::to_string(ttl);
    std::vector<std::string_view> line(ctx.argv.begin(), ctx.argv.end());
    line[2] = ms;
    line.push_back("ABSTTL");
    Effects::current().add(ctx.client.db, line);
  }
}

}  // namespace

void register_persist_family(CommandTable& t) {
  t.add({.name = "save",
         .arity = 1,
         .flags = kCmdAdmin | kCmdNoscript | kCmdNoMulti,
         .acl = kAclAdmin | kAclSlow | kAclDangerous,
         .handler = cmd_save,
         .group = "server",
         .since = "1.0.0",
         .summary = "Synchronously save the dataset to disk",
         .complexity = "O(N) where N is the total number of keys in all databases",
         .syntax = ""});
  t.add({.name = "bgsave",
         .arity = -1,
         .flags = kCmdAdmin | kCmdNoscript,
         .acl = kAclAdmin | kAclSlow | kAclDangerous,
         .handler = cmd_bgsave,
         .group = "server",
         .since = "1.0.0",
         .summary = "Asynchronously save the dataset to disk",
         .complexity = "O(1)",
         .syntax = "[SCHEDULE]"});
  t.add({.name = "bgrewriteaof",
         .arity = 1,
         .flags = kCmdAdmin | kCmdNoscript,
         .acl = kAclAdmin | kAclSlow | kAclDangerous,
         .handler = cmd_bgrewriteaof,
         .group = "server",
         .since = "1.0.0",
         .summary = "Asynchronously rewrite the append-only file",
         .complexity = "O(1)",
         .syntax = ""});
  t.add({.name = "lastsave",
         .arity = 1,
         .flags = kCmdLoading | kCmdStale | kCmdFast,
         .acl = kAclAdmin | kAclFast | kAclDangerous,
         .handler = cmd_lastsave,
         .group = "server",
         .since = "1.0.0",
         .summary = "Get the UNIX time stamp of the last successful save to disk",
         .complexity = "O(1)",
         .syntax = ""});
  t.add({.name = "dump",
         .arity = 2,
         .flags = kCmdReadonly | kCmdTx,
         .first_key = 1,
         .last_key = 1,
         .key_step = 1,
         .acl = kAclKeyspace | kAclRead | kAclSlow,
         .handler = cmd_dump,
         .group = "generic",
         .since = "2.6.0",
         .summary = "Return a serialized version of the value stored at the specified key.",
         .complexity =
             "O(1) to access the key and additional O(N*M) to serialize it, where N is the "
             "number of Redis objects composing the value and M their average size. For small "
             "string values the time complexity is thus O(1)+O(1*M) where M is small, so "
             "simply O(1).",
         .syntax = "key"});
  t.add({.name = "restore",
         .arity = -4,
         .flags = kCmdWrite | kCmdDenyOom | kCmdTx,
         .first_key = 1,
         .last_key = 1,
         .key_step = 1,
         .acl = kAclKeyspace | kAclWrite | kAclSlow | kAclDangerous,
         .handler = cmd_restore,
         .group = "generic",
         .since = "2.6.0",
         .summary = "Create a key using the provided serialized value, previously obtained "
                    "using DUMP.",
         .complexity =
             "O(1) to create the new key and additional O(N*M) to reconstruct the serialized "
             "value, where N is the number of Redis objects composing the value and M their "
             "average size. For small string values the time complexity is thus O(1)+O(1*M) "
             "where M is small, so simply O(1). However for sorted set values the complexity "
             "is O(N*M*log(N)) because inserting values into sorted sets is O(log(N)).",
         .syntax = "key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] "
                   "[FREQ frequency]"});
}

}  // namespace stmkv
