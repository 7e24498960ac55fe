// commands/string_family.cc — string commands (Redis's t_string.c).
#include <climits>
#include <cstring>

#include "commands/util.h"
#include "ds/keyspace.h"
#include "server/command_table.h"

namespace stmkv {

namespace {

using stm::Ref;

// The value of a string entry.
std::string_view string_value(Db& db, Ref<Entry> e) { return str_view(db.tx(), db.read(e).value); }

// Stores value as key's string value, keeping or replacing the TTL.
void store_string(Db& db, std::string_view key, std::string_view value, int64_t expire_ms) {
  db.set(key, ObjType::kString, make_str(db.tx(), value), string_encoding_for(value), expire_ms);
}

enum SetFlags : unsigned {
  kNx = 1, kXx = 2, kGet = 4, kKeepTtlFlag = 8, kEx = 16, kPx = 32, kExAt = 64, kPxAt = 128,
};
constexpr unsigned kAnyExpire = kEx | kPx | kExAt | kPxAt;

// Parses SET's options from argv[3...] as Redis 7.0's parseExtendedStringArgumentsOrReply
// does. On error replies and returns false. *expire_ms is absolute, or kKeepTtl / kNoExpire.
bool parse_set_options(CommandContext& ctx, unsigned* flags, int64_t* expire_ms) {
  *flags = 0;
  size_t expire_arg = 0;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    bool has_next = j + 1 < ctx.argc();
    auto expire_opt = [&](unsigned f) {
      if ((*flags & (kKeepTtlFlag | (kAnyExpire & ~f))) || !has_next) return false;
      *flags |= f;
      expire_arg = ++j;
      return true;
    };
    if (iequals(opt, "nx") && !(*flags & kXx)) {
      *flags |= kNx;
    } else if (iequals(opt, "xx") && !(*flags & kNx)) {
      *flags |= kXx;
    } else if (iequals(opt, "get")) {
      *flags |= kGet;
    } else if (iequals(opt, "keepttl") && !(*flags & kAnyExpire)) {
      *flags |= kKeepTtlFlag;
    } else if ((iequals(opt, "ex") && expire_opt(kEx)) || (iequals(opt, "px") && expire_opt(kPx)) ||
               (iequals(opt, "exat") && expire_opt(kExAt)) ||
               (iequals(opt, "pxat") && expire_opt(kPxAt))) {
      // consumed
    } else {
      ctx.reply_syntax_error();
      return false;
    }
  }
  *expire_ms = (*flags & kKeepTtlFlag) ? kKeepTtl : kNoExpire;
  if (*flags & kAnyExpire) {
    int64_t v;
    if (!arg_int64(ctx, expire_arg, &v)) return false;
    bool seconds = *flags & (kEx | kExAt);
    bool relative = *flags & (kEx | kPx);
    if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) {
      ctx.out.add_error("ERR invalid expire time in 'set' command");
      return false;
    }
    if (seconds) v *= 1000;
    if (relative) {
      if (v > LLONG_MAX - ctx.now_ms) {
        ctx.out.add_error("ERR invalid expire time in 'set' command");
        return false;
      }
      v += ctx.now_ms;
    }
    *expire_ms = v;
  }
  return true;
}

void cmd_get(CommandContext& ctx) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kString, &wrong);
  if (wrong) return;
  if (e.is_null()) {
    ctx.out.add_null();
  } else {
    ctx.out.add_bulk(string_value(db, e));
  }
}

void cmd_set(CommandContext& ctx) {
  unsigned flags;
  int64_t expire_ms;
  if (!parse_set_options(ctx, &flags, &expire_ms)) return;
  Db db = client_db(ctx);
  std::string_view key = ctx.arg(1);
  Ref<Entry> e = db.find(key);
  if (flags & kGet) {
    if (e.is_null()) {
      ctx.out.add_null();
    } else if (static_cast<ObjType>(db.read(e).type) != ObjType::kString) {
      ctx.reply_wrong_type();
      return;
    } else {
      ctx.out.add_bulk(string_value(db, e));
    }
  }
  if (((flags & kNx) && !e.is_null()) || ((flags & kXx) && e.is_null())) {
    if (!(flags & kGet)) ctx.out.add_null();
    return;
  }
  store_string(db, key, ctx.arg(2), expire_ms);
  if (!(flags & kGet)) ctx.out.add_ok();
}

}  // namespace

void register_string_family(CommandTable& t) {
  constexpr uint64_t kStr = kAclString;
  t.add({.name = "get", .arity = 2, .flags = kCmdReadonly | kCmdFast | kCmdTx, .first_key = 1,
         .last_key = 1, .key_step = 1, .acl = kAclRead | kStr | kAclFast, .handler = cmd_get,
         .group = "string", .since = "1.0.0", .summary = "Get the value of a key",
         .complexity = "O(1)", .syntax = "key"});
  t.add({.name = "set", .arity = -3, .flags = kCmdWrite | kCmdDenyOom | kCmdTx, .first_key = 1,
         .last_key = 1, .key_step = 1, .acl = kAclWrite | kStr | kAclSlow, .handler = cmd_set,
         .group = "string", .since = "1.0.0",
         .summary = "Set the string value of a key", .complexity = "O(1)",
         .syntax = "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|"
                   "PXAT unix-time-milliseconds|KEEPTTL]"});
}

}  // namespace stmkv
