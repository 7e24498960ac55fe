// commands/keys_family.cc — generic keyspace commands (Redis's db.c and object.c): DEL,
// UNLINK, EXISTS, TYPE, RENAME, RENAMENX, COPY, MOVE, KEYS, SCAN, RANDOMKEY, TOUCH, OBJECT,
// DBSIZE, FLUSHDB, FLUSHALL, SWAPDB. The TTL commands are in expire_family.cc.
//
// OBJECT IDLETIME / FREQ read the access clocks of ds/access.h (updated by every lookup that
// finds a key, and by TOUCH), as Redis's LRU clock / LFU counter. Deviation from Redis:
// FLUSHDB/FLUSHALL ASYNC run synchronously.
#include <climits>
#include <random>
#include <string>
#include <vector>

#include "commands/match.h"
#include "commands/util.h"
#include "ds/access.h"
#include "ds/keyspace.h"
#include "server/command_table.h"
#include "server/effects.h"
#include "server/server.h"

namespace stmkv {

void register_expire_family(CommandTable& t);  // expire_family.cc

namespace {

using stm::Ref;

constexpr std::string_view kSameObjectErr = "ERR source and destination objects are the same";
constexpr std::string_view kDbRangeErr = "ERR DB index is out of range";

int database_count(CommandContext& ctx) { return static_cast<int>(ctx.server.config().databases); }

// Redis's getIntFromObjectOrReply: an integer that fits an int. Replies `err` (or the
// not-an-integer error) and returns false otherwise.
bool arg_int(CommandContext& ctx, size_t i, int* out, std::string_view err = {}) {
  int64_t v;
  if (!parse_int64(ctx.arg(i), &v) || v < INT_MIN || v > INT_MAX) {
    if (err.empty()) {
      ctx.reply_not_integer();
    } else {
      ctx.out.add_error(err);
    }
    return false;
  }
  *out = static_cast<int>(v);
  return true;
}

// Finds key for a read command, counting a keyspace hit or miss.
Ref<Entry> find_read(CommandContext& ctx, Db& db, std::string_view key) {
  Ref<Entry> e = db.find(key);
  if (e.is_null()) {
    ctx.miss();
  } else {
    ctx.hit();
  }
  return e;
}

// Moves the entry of `key` in `from` to `new_key` in `to` (same or another database), keeping
// its value object, type, encoding and TTL; an existing new_key is overwritten. The key must
// be live in `from`.
void move_entry(Db& from, std::string_view key, Db& to, std::string_view new_key) {
  Entry e;
  from.detach(key, &e);
  to.set(new_key, static_cast<ObjType>(e.type), e.value, static_cast<Encoding>(e.encoding),
         e.expire_ms >= 0 ? e.expire_ms : kNoExpire);
}

// --- DEL, UNLINK, EXISTS, TOUCH, TYPE ---

void cmd_del(CommandContext& ctx) {
  Db db = client_db(ctx);
  long long n = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) n += db.remove(ctx.arg(i)) ? 1 : 0;
  ctx.out.add_integer(n);
  // AOF (server/effects.h): nothing when no key was deleted (expired ones are DELs already).
  if (n == 0) Effects::current().suppress();
}

// EXISTS and TOUCH: the number of the given keys that exist (repeats count again).
// EXISTS and TOUCH: only TOUCH counts as an access of the keys (Redis's LOOKUP_NOTOUCH).
void cmd_exists(CommandContext& ctx) {
  Db db = client_db(ctx);
  const bool touch = ctx.spec != nullptr && ctx.spec->name == "touch";
  long long n = 0;
  for (size_t i = 1; i < ctx.argc(); ++i) {
    Ref<Entry> e = touch ? db.find(ctx.arg(i)) : db.find_no_touch(ctx.arg(i));
    e.is_null() ? ctx.miss() : ctx.hit();
    n += e.is_null() ? 0 : 1;
  }
  ctx.out.add_integer(n);
}

void cmd_type(CommandContext& ctx) {
  Db db = client_db(ctx);
  Ref<Entry> e = db.find_no_touch(ctx.arg(1));   // not an access (Redis's LOOKUP_NOTOUCH)
  e.is_null() ? ctx.miss() : ctx.hit();
  ctx.out.add_simple_string(e.is_null() ? "none"
                                        : type_name(static_cast<ObjType>(db.read(e).type)));
}

// --- RENAME, RENAMENX, MOVE, COPY ---

void rename_generic(CommandContext& ctx, bool nx) {
  std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  Db db = client_db(ctx);
  if (db.find(src).is_null()) {
    ctx.out.add_error("ERR no such key");
    return;
  }
  if (src == dst) {
    if (nx) {
      ctx.out.add_integer(0);
    } else {
      ctx.out.add_ok();
    }
    return;
  }
  if (nx && !db.find(dst).is_null()) {
    ctx.out.add_integer(0);
    return;
  }
  move_entry(db, src, db, dst);
  if (nx) {
    ctx.out.add_integer(1);
  } else {
    ctx.out.add_ok();
  }
}

void cmd_rename(CommandContext& ctx) { rename_generic(ctx, false); }
void cmd_renamenx(CommandContext& ctx) { rename_generic(ctx, true); }

void cmd_move(CommandContext& ctx) {
  int dbid;
  if (!arg_int(ctx, 2, &dbid)) return;
  if (dbid < 0 || dbid >= database_count(ctx)) {
    ctx.out.add_error(kDbRangeErr);
    return;
  }
  if (dbid == ctx.client.db) {
    ctx.out.add_error(kSameObjectErr);
    return;
  }
  std::string_view key = ctx.arg(1);
  Db src = client_db(ctx);
  Db dst(ctx.tx(), dbid, ctx.now_ms);
  if (src.find(key).is_null() || !dst.find(key).is_null()) {
    ctx.out.add_integer(0);
    return;
  }
  move_entry(src, key, dst, key);
  ctx.out.add_integer(1);
}

void cmd_copy(CommandContext& ctx) {
  int dbid = ctx.client.db;
  bool replace = false;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    if (iequals(ctx.arg(j), "replace")) {
      replace = true;
    } else if (iequals(ctx.arg(j), "db") && j + 1 < ctx.argc()) {
      if (!arg_int(ctx, j + 1, &dbid)) return;
      if (dbid < 0 || dbid >= database_count(ctx)) {
        ctx.out.add_error(kDbRangeErr);
        return;
      }
      ++j;
    } else {
      ctx.reply_syntax_error();
      return;
    }
  }
  std::string_view key = ctx.arg(1), new_key = ctx.arg(2);
  if (dbid == ctx.client.db && key == new_key) {
    ctx.out.add_error(kSameObjectErr);
    return;
  }
  Db src = client_db(ctx);
  Db dst(ctx.tx(), dbid, ctx.now_ms);
  Ref<Entry> e = find_read(ctx, src, key);
  if (e.is_null() || (!replace && !dst.find(new_key).is_null())) {
    ctx.out.add_integer(0);
    return;
  }
  Entry en = src.read(e);
  ObjType type = static_cast<ObjType>(en.type);
  dst.set(new_key, type, copy_value(ctx.tx(), type, en.value), static_cast<Encoding>(en.encoding),
          en.expire_ms >= 0 ? en.expire_ms : kNoExpire);
  ctx.out.add_integer(1);
}

// --- KEYS, SCAN, RANDOMKEY ---

void cmd_keys(CommandContext& ctx) {
  std::string_view pattern = ctx.arg(1);
  bool all = pattern == "*";
  Db db = client_db(ctx);
  size_t mark = ctx.out.begin_deferred_len();
  size_t n = 0;
  db.for_each([&](Ref<Entry> e) {
    std::string_view k = db.key_of(e);
    if (all || string_match(pattern, k)) {
      ctx.out.add_bulk(k);
      ++n;
    }
  });
  ctx.out.set_deferred_array_len(mark, n);
}

void cmd_scan(CommandContext& ctx) {
  uint64_t cursor;
  if (!parse_scan_cursor(ctx.arg(1), &cursor)) {
    ctx.out.add_error("ERR invalid cursor");
    return;
  }
  int64_t count = 10;
  std::string_view pattern, type;
  bool use_pattern = false, use_type = false;
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    std::string_view opt = ctx.arg(i);
    bool has_value = i + 1 < ctx.argc();
    if (iequals(opt, "count") && has_value) {
      if (!arg_int64(ctx, i + 1, &count)) return;
      if (count < 1) {
        ctx.reply_syntax_error();
        return;
      }
    } else if (iequals(opt, "match") && has_value) {
      pattern = ctx.arg(i + 1);
      use_pattern = pattern != "*";
    } else if (iequals(opt, "type") && has_value) {
      type = ctx.arg(i + 1);
      use_type = true;
    } else {
      ctx.reply_syntax_error();
      return;
    }
  }
  Db db = client_db(ctx);
  std::vector<std::string_view> keys;
  uint64_t next = db.scan(cursor, static_cast<size_t>(count), [&](Ref<Entry> e) {
    std::string_view k = db.key_of(e);
    if (use_pattern && !string_match(pattern, k)) return;
    if (use_type && !iequals(type, type_name(static_cast<ObjType>(db.read(e).type)))) return;
    keys.push_back(k);
  });
  ctx.out.add_array_len(2);
  ctx.out.add_bulk(std::to_string(next));
  ctx.out.add_array_len(keys.size());
  for (std::string_view k : keys) ctx.out.add_bulk(k);
}

void cmd_randomkey(CommandContext& ctx) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  Db db = client_db(ctx);
  Ref<Entry> e = db.random_entry(rng());
  if (e.is_null()) {
    ctx.out.add_null();
  } else {
    ctx.out.add_bulk(db.key_of(e));
  }
}

// --- OBJECT ---

// OBJECT <sub> key: the live entry, or replies null and returns a null Ref. Not an access of
// the key (Redis's LOOKUP_NOTOUCH).
Ref<Entry> object_lookup(CommandContext& ctx, Db& db) {
  Ref<Entry> e = db.find_no_touch(ctx.arg(2));
  if (e.is_null()) {
    ctx.miss();
    ctx.out.add_null();
  } else {
    ctx.hit();
  }
  return e;
}

void cmd_object_encoding(CommandContext& ctx) {
  Db db = client_db(ctx);
  Ref<Entry> e = object_lookup(ctx, db);
  if (!e.is_null()) ctx.out.add_bulk(encoding_name(static_cast<Encoding>(db.read(e).encoding)));
}

void cmd_object_refcount(CommandContext& ctx) {
  Db db = client_db(ctx);
  Ref<Entry> e = object_lookup(ctx, db);
  if (e.is_null()) return;
  // Redis shares the integers 0..9999 (OBJ_SHARED_INTEGERS) when maxmemory is not set; their
  // refcount reads OBJ_SHARED_REFCOUNT.
  const Entry& en = db.read(e);
  int64_t v;
  if (static_cast<ObjType>(en.type) == ObjType::kString &&
      static_cast<Encoding>(en.encoding) == Encoding::kInt &&
      parse_int64(str_view(db.tx(), en.value), &v) && v >= 0 && v < 10000) {
    ctx.out.add_integer(INT_MAX);
  } else {
    ctx.out.add_integer(1);
  }
}

void cmd_object_idletime(CommandContext& ctx) {
  Db db = client_db(ctx);
  Ref<Entry> e = object_lookup(ctx, db);
  if (e.is_null()) return;
  if (access::lfu_mode()) {
    ctx.out.add_error(
        "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
        "switching between policies at runtime LRU and LFU data will take some time to adjust.");
    return;
  }
  ctx.out.add_integer(int64_t(access::idle_ms(e.offset(), ctx.now_ms) / 1000));
}

void cmd_object_freq(CommandContext& ctx) {
  Db db = client_db(ctx);
  Ref<Entry> e = object_lookup(ctx, db);
  if (e.is_null()) return;
  if (!access::lfu_mode()) {
    ctx.out.add_error(
        "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
        "that when switching between policies at runtime LRU and LFU data will take some time "
        "to adjust.");
    return;
  }
  ctx.out.add_integer(int64_t(access::lfu_counter(e.offset(), ctx.now_ms)));
}

void cmd_object_help(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Return the kind of internal representation used in order to store the value",
      "    associated with a <key>.",
      "FREQ <key>",
      "    Return the access frequency index of the <key>. The returned integer is",
      "    proportional to the logarithm of the recent access frequency of the key.",
      "IDLETIME <key>",
      "    Return the idle time of the <key>, that is the approximated number of",
      "    seconds elapsed since the last access to the key.",
      "REFCOUNT <key>",
      "    Return the number of references of the value associated with the specified",
      "    <key>.",
      "HELP",
      "    Prints this help.",
  };
  ctx.out.add_array_len(std::size(kLines));
  for (std::string_view l : kLines) ctx.out.add_simple_string(l);
}

// --- DBSIZE, FLUSHDB, FLUSHALL, SWAPDB ---

void cmd_dbsize(CommandContext& ctx) {
  Db db = client_db(ctx);
  ctx.out.add_integer(db.size());
}

// FLUSHDB / FLUSHALL [ASYNC|SYNC]: both modes flush synchronously.
bool flush_args_ok(CommandContext& ctx) {
  if (ctx.argc() == 1 ||
      (ctx.argc() == 2 && (iequals(ctx.arg(1), "sync") || iequals(ctx.arg(1), "async")))) {
    return true;
  }
  ctx.reply_syntax_error();
  return false;
}

// The AOF (server/effects.h) records FLUSHDB/FLUSHALL even when the databases were empty, as
// Redis 7.0: an allocation freed at once makes the transaction commit as a writer, which
// delivers the record.
void force_record(CommandContext& ctx) {
  if (effects_enabled()) ctx.tx().free(ctx.tx().alloc_raw(16, stm::Hint::kMutable));
}

void cmd_flushdb(CommandContext& ctx) {
  if (!flush_args_ok(ctx)) return;
  client_db(ctx).flush();
  force_record(ctx);
  ctx.out.add_ok();
}

void cmd_flushall(CommandContext& ctx) {
  if (!flush_args_ok(ctx)) return;
  for (int d = 0; d < database_count(ctx); ++d) Db(ctx.tx(), d, ctx.now_ms).flush();
  force_record(ctx);
  ctx.out.add_ok();
}

void cmd_swapdb(CommandContext& ctx) {
  int a, b;
  if (!arg_int(ctx, 1, &a, "ERR invalid first DB index") ||
      !arg_int(ctx, 2, &b, "ERR invalid second DB index")) {
    return;
  }
  int n = database_count(ctx);
  if (a < 0 || a >= n || b < 0 || b >= n) {
    ctx.out.add_error(kDbRangeErr);
    return;
  }
  if (a != b) Db::swap(ctx.tx(), a, b);
  ctx.out.add_ok();
}

}  // namespace

void register_keys_family(CommandTable& t) {
  constexpr uint32_t kTx = kCmdTx;
  constexpr uint64_t kKs = kAclKeyspace;
  t.add({.name = "del", .arity = -2, .flags = kCmdWrite | kTx, .first_key = 1, .last_key = -1,
         .key_step = 1, .acl = kKs | kAclWrite | kAclSlow, .handler = cmd_del, .group = "generic",
         .since = "1.0.0", .summary = "Delete a key",
         .complexity = "O(N) where N is the number of keys that will be removed. When a key to "
                       "remove holds a value other than a string, the individual complexity for "
                       "this key is O(M) where M is the number of elements in the list, set, "
                       "sorted set or hash. Removing a single key that holds a string value is "
                       "O(1).",
         .syntax = "key [key ...]"});
  t.add({.name = "unlink", .arity = -2, .flags = kCmdWrite | kCmdFast | kTx, .first_key = 1,
         .last_key = -1, .key_step = 1, .acl = kKs | kAclWrite | kAclFast, .handler = cmd_del,
         .group = "generic", .since = "4.0.0",
         .summary = "Delete a key asynchronously in another thread. Otherwise it is just as DEL, "
                    "but non blocking.",
         .complexity = "O(1) for each key removed regardless of its size. Then the command does "
                       "O(N) work in a different thread in order to reclaim memory, where N is "
                       "the number of allocations the deleted objects where composed of.",
         .syntax = "key [key ...]"});
  t.add({.name = "exists", .arity = -2, .flags = kCmdReadonly | kCmdFast | kTx, .first_key = 1,
         .last_key = -1, .key_step = 1, .acl = kKs | kAclRead | kAclFast, .handler = cmd_exists,
         .group = "generic", .since = "1.0.0", .summary = "Determine if a key exists",
         .complexity = "O(N) where N is the number of keys to check.", .syntax = "key [key ...]"});
  t.add({.name = "type", .arity = 2, .flags = kCmdReadonly | kCmdFast | kTx, .first_key = 1,
         .last_key = 1, .key_step = 1, .acl = kKs | kAclRead | kAclFast, .handler = cmd_type,
         .group = "generic", .since = "1.0.0", .summary = "Determine the type stored at key",
         .complexity = "O(1)", .syntax = "key"});
  t.add({.name = "rename", .arity = 3, .flags = kCmdWrite | kTx, .first_key = 1, .last_key = 2,
         .key_step = 1, .acl = kKs | kAclWrite | kAclSlow, .handler = cmd_rename,
         .group = "generic", .since = "1.0.0", .summary = "Rename a key", .complexity = "O(1)",
         .syntax = "key newkey"});
  t.add({.name = "renamenx", .arity = 3, .flags = kCmdWrite | kCmdFast | kTx, .first_key = 1,
         .last_key = 2, .key_step = 1, .acl = kKs | kAclWrite | kAclFast,
         .handler = cmd_renamenx, .group = "generic", .since = "1.0.0",
         .summary = "Rename a key, only if the new key does not exist", .complexity = "O(1)",
         .syntax = "key newkey"});
  t.add({.name = "copy", .arity = -3, .flags = kCmdWrite | kCmdDenyOom | kTx, .first_key = 1,
         .last_key = 2, .key_step = 1, .acl = kKs | kAclWrite | kAclSlow, .handler = cmd_copy,
         .group = "generic", .since = "6.2.0", .summary = "Copy a key",
         .complexity = "O(N) worst case for collections, where N is the number of nested items. "
                       "O(1) for string values.",
         .syntax = "source destination [DB destination-db] [REPLACE]"});
  t.add({.name = "move", .arity = 3, .flags = kCmdWrite | kCmdFast | kTx, .first_key = 1,
         .last_key = 1, .key_step = 1, .acl = kKs | kAclWrite | kAclFast, .handler = cmd_move,
         .group = "generic", .since = "1.0.0", .summary = "Move a key to another database",
         .complexity = "O(1)", .syntax = "key db"});
  t.add({.name = "keys", .arity = 2, .flags = kCmdReadonly | kTx,
         .acl = kKs | kAclRead | kAclSlow | kAclDangerous, .handler = cmd_keys,
         .group = "generic", .since = "1.0.0",
         .summary = "Find all keys matching the given pattern",
         .complexity = "O(N) with N being the number of keys in the database, under the "
                       "assumption that the key names in the database and the given pattern have "
                       "limited length.",
         .syntax = "pattern"});
  t.add({.name = "scan", .arity = -2, .flags = kCmdReadonly | kTx,
         .acl = kKs | kAclRead | kAclSlow, .handler = cmd_scan, .group = "generic",
         .since = "2.8.0", .summary = "Incrementally iterate the keys space",
         .complexity = "O(1) for every call. O(N) for a complete iteration, including enough "
                       "command calls for the cursor to return back to 0. N is the number of "
                       "elements inside the collection.",
         .syntax = "cursor [MATCH pattern] [COUNT count] [TYPE type]"});
  t.add({.name = "randomkey", .arity = 1, .flags = kCmdReadonly | kTx,
         .acl = kKs | kAclRead | kAclSlow, .handler = cmd_randomkey, .group = "generic",
         .since = "1.0.0", .summary = "Return a random key from the keyspace",
         .complexity = "O(1)", .syntax = ""});
  t.add({.name = "touch", .arity = -2, .flags = kCmdReadonly | kCmdFast | kTx, .first_key = 1,
         .last_key = -1, .key_step = 1, .acl = kKs | kAclRead | kAclFast, .handler = cmd_exists,
         .group = "generic", .since = "3.2.1",
         .summary = "Alters the last access time of a key(s). Returns the number of existing keys "
                    "specified.",
         .complexity = "O(N) where N is the number of keys that will be touched.",
         .syntax = "key [key ...]"});

  constexpr uint64_t kObjAcl = kKs | kAclRead | kAclSlow;
  auto object_sub = [](std::string_view name, CommandHandler h, std::string_view since,
                       std::string_view summary) {
    return CommandSpec{.name = name, .arity = 3, .flags = kCmdReadonly | kCmdTx, .first_key = 2,
                       .last_key = 2, .key_step = 1, .acl = kObjAcl, .handler = h,
                       .group = "generic", .since = since, .summary = summary,
                       .complexity = "O(1)", .syntax = "key"};
  };
  t.add({.name = "object", .arity = -2, .acl = kAclSlow, .group = "generic", .since = "2.2.3",
         .summary = "A container for object introspection commands",
         .complexity = "Depends on subcommand.", .syntax = "",
         .subcommands = {
             object_sub("encoding", cmd_object_encoding, "2.2.3",
                        "Inspect the internal encoding of a Redis object"),
             object_sub("freq", cmd_object_freq, "4.0.0",
                        "Get the logarithmic access frequency counter of a Redis object"),
             object_sub("idletime", cmd_object_idletime, "2.2.3",
                        "Get the time since a Redis object was last accessed"),
             object_sub("refcount", cmd_object_refcount, "2.2.3",
                        "Get the number of references to the value of the key"),
             {.name = "help", .arity = 2, .flags = kCmdLoading | kCmdStale,
              .acl = kKs | kAclSlow, .handler = cmd_object_help, .group = "generic",
              .since = "6.2.0", .summary = "Show helpful text about the different subcommands",
              .complexity = "O(1)", .syntax = ""},
         }});

  t.add({.name = "dbsize", .arity = 1, .flags = kCmdReadonly | kCmdFast | kTx,
         .acl = kKs | kAclRead | kAclFast, .handler = cmd_dbsize, .group = "server",
         .since = "1.0.0", .summary = "Return the number of keys in the selected database",
         .complexity = "O(1)", .syntax = ""});
  t.add({.name = "flushdb", .arity = -1, .flags = kCmdWrite | kTx,
         .acl = kKs | kAclWrite | kAclSlow | kAclDangerous, .handler = cmd_flushdb,
         .group = "server", .since = "1.0.0",
         .summary = "Remove all keys from the current database",
         .complexity = "O(N) where N is the number of keys in the selected database",
         .syntax = "[ASYNC|SYNC]"});
  t.add({.name = "flushall", .arity = -1, .flags = kCmdWrite | kTx,
         .acl = kKs | kAclWrite | kAclSlow | kAclDangerous, .handler = cmd_flushall,
         .group = "server", .since = "1.0.0", .summary = "Remove all keys from all databases",
         .complexity = "O(N) where N is the total number of keys in all databases",
         .syntax = "[ASYNC|SYNC]"});
  t.add({.name = "swapdb", .arity = 3, .flags = kCmdWrite | kCmdFast | kTx,
         .acl = kKs | kAclWrite | kAclFast | kAclDangerous, .handler = cmd_swapdb,
         .group = "server", .since = "4.0.0", .summary = "Swaps two Redis databases",
         .complexity = "O(N) where N is the count of clients watching or blocking on keys from "
                       "both databases.",
         .syntax = "index1 index2"});

  register_expire_family(t);
}

}  // namespace stmkv
