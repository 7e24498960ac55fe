// commands/expire_family.cc — key TTL commands (Redis's expire.c): EXPIRE, PEXPIRE, EXPIREAT,
// PEXPIREAT, TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST. Registered by keys_family.cc.
#include <climits>
#include <string>
#include <vector>

#include "commands/util.h"
#include "ds/keyspace.h"
#include "server/command_table.h"
#include "server/effects.h"

namespace stmkv {

void register_expire_family(CommandTable& t);

namespace {

using stm::Ref;

enum ExpireFlags : unsigned { kNx = 1, kXx = 2, kGt = 4, kLt = 8 };

// Redis's parseExtendedExpireArgumentsOrReply: NX|XX|GT|LT from argv[3...].
bool parse_expire_flags(CommandContext& ctx, unsigned* flags) {
  *flags = 0;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    if (iequals(opt, "nx")) {
      *flags |= kNx;
    } else if (iequals(opt, "xx")) {
      *flags |= kXx;
    } else if (iequals(opt, "gt")) {
      *flags |= kGt;
    } else if (iequals(opt, "lt")) {
      *flags |= kLt;
    } else {
      ctx.out.add_error("ERR Unsupported option " + std::string(opt));
      return false;
    }
  }
  if ((*flags & kNx) && (*flags & (kXx | kGt | kLt))) {
    ctx.out.add_error("ERR NX and XX, GT or LT options at the same time are not compatible");
    return false;
  }
  if ((*flags & kGt) && (*flags & kLt)) {
    ctx.out.add_error("ERR GT and LT options at the same time are not compatible");
    return false;
  }
  return true;
}

// EXPIRE family: basetime is now (relative forms) or 0 (absolute); seconds or milliseconds.
// A time at or before now deletes the key (and replies 1).
void expire_generic(CommandContext& ctx, bool relative, bool seconds) {
  unsigned flags;
  if (!parse_expire_flags(ctx, &flags)) return;
  int64_t when;
  if (!arg_int64(ctx, 2, &when)) return;
  int64_t basetime = relative ? ctx.now_ms : 0;
  auto invalid = [&] {
    ctx.out.add_error("ERR invalid expire time in '" + ctx.spec->full_name + "' command");
  };
  if (seconds) {
    if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) return invalid();
    when *= 1000;
  }
  if (when > LLONG_MAX - basetime) return invalid();
  when += basetime;

  Db db = client_db(ctx);
  Ref<Entry> e = db.find(ctx.arg(1));
  // Not applied: no AOF record, even in a block (replayed later, a relative time could apply).
  if (e.is_null()) {
    ctx.out.add_integer(0);
    Effects::current().suppress();
    return;
  }
  int64_t current = db.read(e).expire_ms;   // -1: none (infinite)
  if (((flags & kNx) && current != -1) || ((flags & kXx) && current == -1) ||
      ((flags & kGt) && (when <= current || current == -1)) ||
      ((flags & kLt) && current != -1 && when >= current)) {
    ctx.out.add_integer(0);
    Effects::current().suppress();
    return;
  }
  // AOF (server/effects.h): DEL when the time is past, else PEXPIREAT key <ms> [flags].
  Effects& fx = Effects::current();
  if (when <= ctx.now_ms && !expiry_paused()) {
    db.remove(ctx.arg(1));
    fx.add(ctx.client.db, {std::string_view("DEL"), ctx.arg(1)});
  } else {
    db.set_expire(e, when);
    if ((relative || seconds) && effects_enabled()) {
      std::string ms = std::to_string(when);
      std::vector<std::string_view> line{"PEXPIREAT", ctx.arg(1), ms};
      for (size_t j = 3; j < ctx.argc(); ++j) line.push_back(ctx.arg(j));
      fx.add(ctx.client.db, line);
    }
  }
  ctx.out.add_integer(1);
}

void cmd_expire(CommandContext& ctx) { expire_generic(ctx, true, true); }
void cmd_pexpire(CommandContext& ctx) { expire_generic(ctx, true, false); }
void cmd_expireat(CommandContext& ctx) { expire_generic(ctx, false, true); }
void cmd_pexpireat(CommandContext& ctx) { expire_generic(ctx, false, false); }

// Redis's ttlGenericCommand: -2 when absent, -1 without TTL, else the TTL (relative) or the
// expire time (absolute), in ms or rounded to seconds.
void ttl_generic(CommandContext& ctx, bool ms, bool absolute) {
  Db db = client_db(ctx);
  Ref<Entry> e = db.find(ctx.arg(1));
  if (e.is_null()) {
    ctx.miss();
    ctx.out.add_integer(-2);
    return;
  }
  ctx.hit();
  int64_t expire = db.read(e).expire_ms;
  if (expire < 0) {
    ctx.out.add_integer(-1);
    return;
  }
  int64_t ttl = absolute ? expire : expire - ctx.now_ms;
  if (ttl < 0) ttl = 0;
  // As Redis's (ttl+500)/1000 in long long arithmetic (wrapping like the C code would at
  // the extreme end).
  ctx.out.add_integer(ms ? ttl : static_cast<int64_t>((uint64_t(ttl) + 500) / 1000));
}

void cmd_ttl(CommandContext& ctx) { ttl_generic(ctx, false, false); }
void cmd_pttl(CommandContext& ctx) { ttl_generic(ctx, true, false); }
void cmd_expiretime(CommandContext& ctx) { ttl_generic(ctx, false, true); }
void cmd_pexpiretime(CommandContext& ctx) { ttl_generic(ctx, true, true); }

void cmd_persist(CommandContext& ctx) {
  Db db = client_db(ctx);
  Ref<Entry> e = db.find(ctx.arg(1));
  if (e.is_null() || db.read(e).expire_ms < 0) {
    ctx.out.add_integer(0);
    return;
  }
  db.set_expire(e, kNoExpire);
  ctx.out.add_integer(1);
}

}  // namespace

void register_expire_family(CommandTable& t) {
  constexpr uint32_t kWriteFlags = kCmdWrite | kCmdFast | kCmdTx;
  constexpr uint32_t kReadFlags = kCmdReadonly | kCmdFast | kCmdTx;
  constexpr uint64_t kWriteAcl = kAclKeyspace | kAclWrite | kAclFast;
  constexpr uint64_t kReadAcl = kAclKeyspace | kAclRead | kAclFast;
  auto cmd = [](std::string_view name, int arity, uint32_t flags, uint64_t acl,
                CommandHandler h, std::string_view since, std::string_view summary,
                std::string_view syntax) {
    return CommandSpec{.name = name, .arity = arity, .flags = flags, .first_key = 1,
                       .last_key = 1, .key_step = 1, .acl = acl, .handler = h,
                       .group = "generic", .since = since, .summary = summary,
                       .complexity = "O(1)", .syntax = syntax};
  };
  t.add(cmd("expire", -3, kWriteFlags, kWriteAcl, cmd_expire, "1.0.0",
            "Set a key's time to live in seconds", "key seconds [NX|XX|GT|LT]"));
  t.add(cmd("expireat", -3, kWriteFlags, kWriteAcl, cmd_expireat, "1.2.0",
            "Set the expiration for a key as a UNIX timestamp",
            "key unix-time-seconds [NX|XX|GT|LT]"));
  t.add(cmd("pexpire", -3, kWriteFlags, kWriteAcl, cmd_pexpire, "2.6.0",
            "Set a key's time to live in milliseconds", "key milliseconds [NX|XX|GT|LT]"));
  t.add(cmd("pexpireat", -3, kWriteFlags, kWriteAcl, cmd_pexpireat, "2.6.0",
            "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
            "key unix-time-milliseconds [NX|XX|GT|LT]"));
  t.add(cmd("ttl", 2, kReadFlags, kReadAcl, cmd_ttl, "1.0.0",
            "Get the time to live for a key in seconds", "key"));
  t.add(cmd("pttl", 2, kReadFlags, kReadAcl, cmd_pttl, "2.6.0",
            "Get the time to live for a key in milliseconds", "key"));
  t.add(cmd("expiretime", 2, kReadFlags, kReadAcl, cmd_expiretime, "7.0.0",
            "Get the expiration Unix timestamp for a key", "key"));
  t.add(cmd("pexpiretime", 2, kReadFlags, kReadAcl, cmd_pexpiretime, "7.0.0",
            "Get the expiration Unix timestamp for a key in milliseconds", "key"));
  t.add(cmd("persist", 2, kWriteFlags, kWriteAcl, cmd_persist, "2.2.0",
            "Remove the expiration from a key", "key"));
}

}  // namespace stmkv
