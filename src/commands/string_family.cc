// commands/string_family.cc — string commands (Redis's t_string.c): GET, SET, SETNX, SETEX,
// PSETEX, GETSET, GETDEL, GETEX, MGET, MSET, MSETNX, APPEND, STRLEN, INCR, DECR, INCRBY,
// DECRBY, INCRBYFLOAT, GETRANGE, SUBSTR, SETRANGE, LCS. The bit commands are in bit_family.cc.
//
// Values are immutable string objects: every write (APPEND, SETRANGE, INCR, ...) builds a new
// value and swaps it in, so APPEND and SETRANGE are O(length of the value), not amortized O(1)
// as in Redis. Keyspace hits/misses are counted where Redis uses lookupKeyRead (GET, MGET,
// GETEX, GETDEL, GETSET, STRLEN, GETRANGE, LCS), not for write lookups.
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "commands/util.h"
#include "ds/keyspace.h"
#include "protocol/number_format.h"
#include "server/command_table.h"
#include "server/effects.h"
#include "server/server.h"

namespace stmkv {

void register_bit_family(CommandTable& t);  // bit_family.cc

namespace {

using stm::Ref;

// The value of a string entry.
std::string_view string_value(Db& db, Ref<Entry> e) { return str_view(db.tx(), db.read(e).value); }

bool is_string(Db& db, Ref<Entry> e) {
  return static_cast<ObjType>(db.read(e).type) == ObjType::kString;
}

// Stores value as key's string value, keeping or replacing the TTL.
void store_string(Db& db, std::string_view key, std::string_view value, int64_t expire_ms) {
  db.set(key, ObjType::kString, make_str(db.tx(), value), string_encoding_for(value), expire_ms);
}

// Replaces the value of e (a live entry) or creates key when e is null; the TTL is kept.
void overwrite_string(Db& db, Ref<Entry> e, std::string_view key, stm::RawRef value, Encoding enc) {
  if (e.is_null()) {
    db.set(key, ObjType::kString, value, enc, kNoExpire);
  } else {
    db.set_value(e, ObjType::kString, value, enc);
  }
}

// Looks key up for a write command (no keyspace statistics, as Redis's lookupKeyWrite).
// Replies WRONGTYPE and sets *wrong when it holds another type.
Ref<Entry> find_string_for_write(CommandContext& ctx, Db& db, std::string_view key, bool* wrong) {
  *wrong = false;
  Ref<Entry> e = db.find(key);
  if (!e.is_null() && !is_string(db, e)) {
    *wrong = true;
    ctx.reply_wrong_type();
    return Ref<Entry>();
  }
  return e;
}

// Redis's checkStringLength: false (after replying) when a value of `size` bytes is too big.
bool check_string_length(CommandContext& ctx, int64_t size) {
  if (size > ctx.server.config().proto_max_bulk_len) {
    ctx.out.add_error("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    return false;
  }
  return true;
}

// Redis's getExpireMillisecondsOrReply: `arg` in seconds or milliseconds, relative to now or
// absolute, as an absolute time in ms. On error replies and returns false.
bool expire_from_arg(CommandContext& ctx, std::string_view arg, bool seconds, bool relative,
                     int64_t* out) {
  int64_t v;
  if (!parse_int64(arg, &v)) {
    ctx.reply_not_integer();
    return false;
  }
  auto invalid = [&] {
    ctx.out.add_error("ERR invalid expire time in '" + ctx.spec->full_name + "' command");
    return false;
  };
  if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) return invalid();
  if (seconds) v *= 1000;
  if (relative) {
    if (v > LLONG_MAX - ctx.now_ms) return invalid();
    v += ctx.now_ms;
  }
  *out = v;
  return true;
}

enum SetFlags : unsigned {
  kNx = 1,
  kXx = 2,
  kGet = 4,
  kKeepTtlFlag = 8,
  kEx = 16,
  kPx = 32,
  kExAt = 64,
  kPxAt = 128,
  kPersist = 256,
};
constexpr unsigned kAnyExpire = kEx | kPx | kExAt | kPxAt;

// Parses the options of SET (from argv[3]) or GETEX (from argv[2]) as Redis 7.0's
// parseExtendedStringArgumentsOrReply does. Replies a syntax error and returns false on error;
// *expire_arg is the index of the expire value (0 if none).
bool parse_extended_options(CommandContext& ctx, bool is_set, unsigned* flags, size_t* expire_arg) {
  *flags = 0;
  *expire_arg = 0;
  for (size_t j = is_set ? 3 : 2; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    bool has_next = j + 1 < ctx.argc();
    auto expire_opt = [&](unsigned f) {
      if ((*flags & (kKeepTtlFlag | kPersist | (kAnyExpire & ~f))) || !has_next) return false;
      *flags |= f;
      *expire_arg = ++j;
      return true;
    };
    if (is_set && iequals(opt, "nx") && !(*flags & kXx)) {
      *flags |= kNx;
    } else if (is_set && iequals(opt, "xx") && !(*flags & kNx)) {
      *flags |= kXx;
    } else if (is_set && iequals(opt, "get")) {
      *flags |= kGet;
    } else if (is_set && iequals(opt, "keepttl") && !(*flags & (kAnyExpire | kPersist))) {
      *flags |= kKeepTtlFlag;
    } else if (!is_set && iequals(opt, "persist") && !(*flags & (kAnyExpire | kKeepTtlFlag))) {
      *flags |= kPersist;
    } else if ((iequals(opt, "ex") && expire_opt(kEx)) || (iequals(opt, "px") && expire_opt(kPx)) ||
               (iequals(opt, "exat") && expire_opt(kExAt)) ||
               (iequals(opt, "pxat") && expire_opt(kPxAt))) {
      // consumed
    } else {
      ctx.reply_syntax_error();
      return false;
    }
  }
  return true;
}

// The absolute expire time of the parsed options (flags from parse_extended_options).
bool options_expire(CommandContext& ctx, unsigned flags, size_t expire_arg, int64_t* out) {
  return expire_from_arg(ctx, ctx.arg(expire_arg), flags & (kEx | kExAt), flags & (kEx | kPx), out);
}

// --- AOF records (server/effects.h): lines that replay as Redis 7.0 propagates them ---

// SET key value PXAT <ms>: SET with a relative or absolute expire, SETEX, PSETEX.
void record_set_pxat(CommandContext& ctx, std::string_view key, std::string_view value,
                     int64_t expire_ms) {
  if (!effects_enabled()) return;
  std::string ms = std::to_string(expire_ms);
  Effects::current().add(ctx.client.db, {std::string_view("SET"), key, value, "PXAT", ms});
}

// --- GET, SET and their variants ---

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
  size_t expire_arg;
  if (!parse_extended_options(ctx, true, &flags, &expire_arg)) return;
  int64_t expire_ms = (flags & kKeepTtlFlag) ? kKeepTtl : kNoExpire;
  if ((flags & kAnyExpire) && !options_expire(ctx, flags, expire_arg, &expire_ms)) return;
  Db db = client_db(ctx);
  std::string_view key = ctx.arg(1);
  Ref<Entry> e = db.find(key);
  if (flags & kGet) {
    if (e.is_null()) {
      ctx.out.add_null();
    } else if (!is_string(db, e)) {
      ctx.reply_wrong_type();
      return;
    } else {
      ctx.out.add_bulk(string_value(db, e));
    }
  }
  if (((flags & kNx) && !e.is_null()) || ((flags & kXx) && e.is_null())) {
    if (!(flags & kGet)) ctx.out.add_null();
    Effects::current().suppress();  // not set: no AOF record, even in a block
    return;
  }
  store_string(db, key, ctx.arg(2), expire_ms);
  if (!(flags & kGet)) ctx.out.add_ok();
  if (flags & kAnyExpire) {
    record_set_pxat(ctx, key, ctx.arg(2), expire_ms);
  } else if ((flags & kGet) && effects_enabled()) {
    std::vector<std::string_view> line;  // Redis propagates SET without GET
    for (size_t j = 0; j < ctx.argc(); ++j) {
      if (j < 3 || !iequals(ctx.arg(j), "get")) line.push_back(ctx.arg(j));
    }
    Effects::current().add(ctx.client.db, line);
  }
}

void cmd_setnx(CommandContext& ctx) {
  Db db = client_db(ctx);
  if (!db.find(ctx.arg(1)).is_null()) {
    ctx.out.add_integer(0);
    return;
  }
  store_string(db, ctx.arg(1), ctx.arg(2), kNoExpire);
  ctx.out.add_integer(1);
}

// SETEX key seconds value / PSETEX key milliseconds value.
void setex_generic(CommandContext& ctx, bool seconds) {
  int64_t expire_ms = kNoExpire;
  if (!expire_from_arg(ctx, ctx.arg(2), seconds, true, &expire_ms)) return;
  Db db = client_db(ctx);
  store_string(db, ctx.arg(1), ctx.arg(3), expire_ms);
  ctx.out.add_ok();
  record_set_pxat(ctx, ctx.arg(1), ctx.arg(3), expire_ms);
}
void cmd_setex(CommandContext& ctx) { setex_generic(ctx, true); }
void cmd_psetex(CommandContext& ctx) { setex_generic(ctx, false); }

void cmd_getset(CommandContext& ctx) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kString, &wrong);
  if (wrong) return;
  if (e.is_null()) {
    ctx.out.add_null();
  } else {
    ctx.out.add_bulk(string_value(db, e));
  }
  store_string(db, ctx.arg(1), ctx.arg(2), kNoExpire);
  Effects::current().add(ctx.client.db, {std::string_view("SET"), ctx.arg(1), ctx.arg(2)});
}

void cmd_getdel(CommandContext& ctx) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kString, &wrong);
  if (wrong) return;
  if (e.is_null()) {
    ctx.out.add_null();
    return;
  }
  ctx.out.add_bulk(string_value(db, e));
  db.remove(ctx.arg(1));
  Effects::current().add(ctx.client.db, {std::string_view("DEL"), ctx.arg(1)});
}

void cmd_getex(CommandContext& ctx) {
  unsigned flags;
  size_t expire_arg;
  if (!parse_extended_options(ctx, false, &flags, &expire_arg)) return;
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kString, &wrong);
  if (wrong) return;
  if (e.is_null()) {
    ctx.out.add_null();
    return;
  }
  int64_t expire_ms = kNoExpire;
  if ((flags & kAnyExpire) && !options_expire(ctx, flags, expire_arg, &expire_ms)) return;
  ctx.out.add_bulk(string_value(db, e));
  // AOF: DEL, PEXPIREAT key <ms> or PERSIST key; nothing when the key did not change.
  Effects& fx = Effects::current();
  if ((flags & (kExAt | kPxAt)) && expire_ms <= ctx.now_ms && !expiry_paused()) {
    db.remove(ctx.arg(1));
    fx.add(ctx.client.db, {std::string_view("DEL"), ctx.arg(1)});
  } else if (flags & kAnyExpire) {
    db.set_expire(e, expire_ms);
    std::string ms = std::to_string(expire_ms);
    fx.add(ctx.client.db, {std::string_view("PEXPIREAT"), ctx.arg(1), ms});
  } else if ((flags & kPersist) && db.read(e).expire_ms >= 0) {
    db.set_expire(e, kNoExpire);
    fx.add(ctx.client.db, {std::string_view("PERSIST"), ctx.arg(1)});
  } else {
    fx.suppress();
  }
}

// --- Multi-key commands (atomic: the whole handler is one transaction) ---

void cmd_mget(CommandContext& ctx) {
  Db db = client_db(ctx);
  ctx.out.add_array_len(ctx.argc() - 1);
  for (size_t i = 1; i < ctx.argc(); ++i) {
    Ref<Entry> e = db.find(ctx.arg(i));
    if (e.is_null()) {
      ctx.miss();
      ctx.out.add_null();
      continue;
    }
    ctx.hit();
    if (is_string(db, e)) {
      ctx.out.add_bulk(string_value(db, e));
    } else {
      ctx.out.add_null();
    }
  }
}

void mset_generic(CommandContext& ctx, bool nx) {
  if (ctx.argc() % 2 == 0) {
    ctx.reply_arity_error();
    return;
  }
  Db db = client_db(ctx);
  if (nx) {
    for (size_t i = 1; i < ctx.argc(); i += 2) {
      if (!db.find(ctx.arg(i)).is_null()) {
        ctx.out.add_integer(0);
        return;
      }
    }
  }
  for (size_t i = 1; i < ctx.argc(); i += 2)
    store_string(db, ctx.arg(i), ctx.arg(i + 1), kNoExpire);
  if (nx) {
    ctx.out.add_integer(1);
  } else {
    ctx.out.add_ok();
  }
}
void cmd_mset(CommandContext& ctx) { mset_generic(ctx, false); }
void cmd_msetnx(CommandContext& ctx) { mset_generic(ctx, true); }

// --- APPEND, STRLEN ---

void cmd_append(CommandContext& ctx) {
  Db db = client_db(ctx);
  std::string_view key = ctx.arg(1), tail = ctx.arg(2);
  bool wrong;
  Ref<Entry> e = find_string_for_write(ctx, db, key, &wrong);
  if (wrong) return;
  if (e.is_null()) {
    store_string(db, key, tail, kNoExpire);
    ctx.out.add_integer(static_cast<long long>(tail.size()));
    return;
  }
  std::string_view old = string_value(db, e);
  if (!check_string_length(ctx, int64_t(old.size() + tail.size()))) return;
  char* d;
  stm::RawRef v = make_str_uninit(db.tx(), old.size() + tail.size(), &d);
  if (!old.empty()) std::memcpy(d, old.data(), old.size());
  if (!tail.empty()) std::memcpy(d + old.size(), tail.data(), tail.size());
  db.set_value(e, ObjType::kString, v, Encoding::kRaw);
  ctx.out.add_integer(static_cast<long long>(old.size() + tail.size()));
}

void cmd_strlen(CommandContext& ctx) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kString, &wrong);
  if (wrong) return;
  ctx.out.add_integer(e.is_null() ? 0 : static_cast<long long>(string_value(db, e).size()));
}

// --- INCR family ---

// Adds incr to the integer at key (0 when absent); keeps the TTL. Redis's incrDecrCommand.
void incr_generic(CommandContext& ctx, int64_t incr) {
  Db db = client_db(ctx);
  std::string_view key = ctx.arg(1);
  bool wrong;
  Ref<Entry> e = find_string_for_write(ctx, db, key, &wrong);
  if (wrong) return;
  int64_t value = 0;
  if (!e.is_null() && !parse_int64(string_value(db, e), &value)) {
    ctx.reply_not_integer();
    return;
  }
  if ((incr < 0 && value < 0 && incr < (LLONG_MIN - value)) ||
      (incr > 0 && value > 0 && incr > (LLONG_MAX - value))) {
    ctx.out.add_error("ERR increment or decrement would overflow");
    return;
  }
  value += incr;
  char buf[protocol::kLongLongStrSize];
  size_t n = protocol::ll2string(buf, sizeof buf, value);
  overwrite_string(db, e, key, make_str(db.tx(), std::string_view(buf, n)), Encoding::kInt);
  ctx.out.add_integer(value);
}

void cmd_incr(CommandContext& ctx) { incr_generic(ctx, 1); }
void cmd_decr(CommandContext& ctx) { incr_generic(ctx, -1); }
void cmd_incrby(CommandContext& ctx) {
  int64_t incr;
  if (!arg_int64(ctx, 2, &incr)) return;
  incr_generic(ctx, incr);
}
void cmd_decrby(CommandContext& ctx) {
  int64_t incr;
  if (!arg_int64(ctx, 2, &incr)) return;
  if (incr == LLONG_MIN) {
    ctx.out.add_error("ERR decrement would overflow");
    return;
  }
  incr_generic(ctx, -incr);
}

void cmd_incrbyfloat(CommandContext& ctx) {
  Db db = client_db(ctx);
  std::string_view key = ctx.arg(1);
  bool wrong;
  Ref<Entry> e = find_string_for_write(ctx, db, key, &wrong);
  if (wrong) return;
  long double value = 0, incr;
  if ((!e.is_null() && !parse_long_double(string_value(db, e), &value)) ||
      !parse_long_double(ctx.arg(2), &incr)) {
    ctx.reply_not_float();
    return;
  }
  value += incr;
  if (std::isnan(value) || std::isinf(value)) {
    ctx.out.add_error("ERR increment would produce NaN or Infinity");
    return;
  }
  std::string text = format_long_double(value);
  // Redis creates the result with createStringObject: embstr or raw, never int.
  Encoding enc = text.size() <= 44 ? Encoding::kEmbstr : Encoding::kRaw;
  overwrite_string(db, e, key, make_str(db.tx(), text), enc);
  ctx.out.add_bulk(text);
  // AOF: the result, not the increment (float formatting could differ on replay).
  Effects::current().add(ctx.client.db, {std::string_view("SET"), key, text, "KEEPTTL"});
}

// --- GETRANGE / SUBSTR, SETRANGE ---

void cmd_getrange(CommandContext& ctx) {
  int64_t start, end;
  if (!arg_int64(ctx, 2, &start) || !arg_int64(ctx, 3, &end)) return;
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kString, &wrong);
  if (wrong) return;
  if (e.is_null()) {
    ctx.out.add_bulk("");
    return;
  }
  std::string_view s = string_value(db, e);
  int64_t len = static_cast<int64_t>(s.size());
  if (start < 0 && end < 0 && start > end) {
    ctx.out.add_bulk("");
    return;
  }
  if (start < 0) start += len;
  if (end < 0) end += len;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= len) end = len - 1;
  if (start > end || len == 0) {
    ctx.out.add_bulk("");
  } else {
    ctx.out.add_bulk(s.substr(size_t(start), size_t(end - start + 1)));
  }
}

void cmd_setrange(CommandContext& ctx) {
  int64_t offset;
  if (!arg_int64(ctx, 2, &offset)) return;
  if (offset < 0) {
    ctx.out.add_error("ERR offset is out of range");
    return;
  }
  std::string_view key = ctx.arg(1), patch = ctx.arg(3);
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = find_string_for_write(ctx, db, key, &wrong);
  if (wrong) return;
  std::string_view old;
  if (!e.is_null()) old = string_value(db, e);
  if (patch.empty()) {
    ctx.out.add_integer(static_cast<long long>(old.size()));
    return;
  }
  // Saturating: offset + patch size may exceed INT64_MAX.
  if (!check_string_length(ctx, offset > INT64_MAX - int64_t(patch.size())
                                    ? INT64_MAX
                                    : offset + int64_t(patch.size()))) {
    return;
  }
  size_t len = std::max(old.size(), size_t(offset) + patch.size());
  char* d;
  stm::RawRef v = make_str_uninit(db.tx(), len, &d);
  if (!old.empty()) std::memcpy(d, old.data(), old.size());
  if (size_t(offset) > old.size()) std::memset(d + old.size(), 0, size_t(offset) - old.size());
  std::memcpy(d + offset, patch.data(), patch.size());
  overwrite_string(db, e, key, v, Encoding::kRaw);
  ctx.out.add_integer(static_cast<long long>(len));
}

// --- LCS ---

void cmd_lcs(CommandContext& ctx) {
  Db db = client_db(ctx);
  Ref<Entry> ea = db.find(ctx.arg(1));
  ea.is_null() ? ctx.miss() : ctx.hit();
  Ref<Entry> eb = db.find(ctx.arg(2));
  eb.is_null() ? ctx.miss() : ctx.hit();
  if ((!ea.is_null() && !is_string(db, ea)) || (!eb.is_null() && !is_string(db, eb))) {
    ctx.out.add_error("ERR The specified keys must contain string values");
    return;
  }
  std::string_view a = ea.is_null() ? std::string_view() : string_value(db, ea);
  std::string_view b = eb.is_null() ? std::string_view() : string_value(db, eb);
  bool getlen = false, getidx = false, withmatchlen = false;
  int64_t minmatchlen = 0;
  for (size_t j = 3; j < ctx.argc(); ++j) {
    std::string_view opt = ctx.arg(j);
    bool more = j + 1 < ctx.argc();
    if (iequals(opt, "idx")) {
      getidx = true;
    } else if (iequals(opt, "len")) {
      getlen = true;
    } else if (iequals(opt, "withmatchlen")) {
      withmatchlen = true;
    } else if (iequals(opt, "minmatchlen") && more) {
      if (!arg_int64(ctx, j + 1, &minmatchlen)) return;
      if (minmatchlen < 0) minmatchlen = 0;
      ++j;
    } else {
      ctx.reply_syntax_error();
      return;
    }
  }
  if (getidx && getlen) {
    ctx.out.add_error("ERR If you want both the length and indexes, please just use IDX.");
    return;
  }
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    ctx.out.add_error("ERR String too long for LCS");
    return;
  }
  uint32_t alen = uint32_t(a.size()), blen = uint32_t(b.size());
  uint64_t cells = uint64_t(alen + 1) * (blen + 1);
  if (cells * sizeof(uint32_t) > uint64_t(ctx.server.config().proto_max_bulk_len)) {
    ctx.out.add_error(
        "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
    return;
  }
  // lcs[i][j]: the LCS length of a[0..i) and b[0..j).
  std::vector<uint32_t> table(cells);
  auto lcs = [&](uint32_t i, uint32_t j) -> uint32_t& {
    return table[j + uint64_t(i) * (blen + 1)];
  };
  for (uint32_t i = 1; i <= alen; ++i) {
    for (uint32_t j = 1; j <= blen; ++j) {
      lcs(i, j) =
          a[i - 1] == b[j - 1] ? lcs(i - 1, j - 1) + 1 : std::max(lcs(i - 1, j), lcs(i, j - 1));
    }
  }
  uint32_t idx = lcs(alen, blen);
  if (getlen) {
    ctx.out.add_integer(idx);
    return;
  }
  // Walk back from the end, building the LCS string and the matching ranges (Redis emits the
  // ranges from the last to the first).
  std::string result(idx, '\0');
  size_t matches_mark = 0;
  size_t nmatches = 0;
  if (getidx) {
    ctx.out.add_map_len(2);
    ctx.out.add_bulk("matches");
    matches_mark = ctx.out.begin_deferred_len();
  }
  uint32_t arange_start = alen, arange_end = 0, brange_start = 0, brange_end = 0;
  uint32_t i = alen, j = blen;
  while (i > 0 && j > 0) {
    bool emit = false;
    if (a[i - 1] == b[j - 1]) {
      result[idx - 1] = a[i - 1];
      if (arange_start == alen) {
        arange_start = arange_end = i - 1;
        brange_start = brange_end = j - 1;
      } else if (arange_start == i && brange_start == j) {
        --arange_start;
        --brange_start;
      } else {
        emit = true;
      }
      if (arange_start == 0 || brange_start == 0) emit = true;
      --idx;
      --i;
      --j;
    } else {
      if (lcs(i - 1, j) > lcs(i, j - 1)) {
        --i;
      } else {
        --j;
      }
      if (arange_start != alen) emit = true;
    }
    if (emit) {
      uint32_t match_len = arange_end - arange_start + 1;
      if (getidx && (minmatchlen == 0 || match_len >= uint64_t(minmatchlen))) {
        ctx.out.add_array_len(withmatchlen ? 3 : 2);
        ctx.out.add_array_len(2);
        ctx.out.add_integer(arange_start);
        ctx.out.add_integer(arange_end);
        ctx.out.add_array_len(2);
        ctx.out.add_integer(brange_start);
        ctx.out.add_integer(brange_end);
        if (withmatchlen) ctx.out.add_integer(match_len);
        ++nmatches;
      }
      arange_start = alen;
    }
  }
  if (getidx) {
    ctx.out.set_deferred_array_len(matches_mark, nmatches);
    ctx.out.add_bulk("len");
    ctx.out.add_integer(lcs(alen, blen));
  } else {
    ctx.out.add_bulk(result);
  }
}

}  // namespace

void register_string_family(CommandTable& t) {
  // One command per block, compact like the other families' tables.
  // clang-format off
  constexpr uint32_t kR = kCmdReadonly | kCmdTx;
  constexpr uint32_t kW = kCmdWrite | kCmdTx;
  constexpr uint64_t kRd = kAclRead | kAclString;
  constexpr uint64_t kWr = kAclWrite | kAclString;
  t.add({.name = "get", .arity = 2, .flags = kR | kCmdFast, .first_key = 1, .last_key = 1,
         .key_step = 1, .acl = kRd | kAclFast, .handler = cmd_get, .group = "string",
         .since = "1.0.0", .summary = "Get the value of a key", .complexity = "O(1)",
         .syntax = "key"});
  t.add({.name = "set", .arity = -3, .flags = kW | kCmdDenyOom, .first_key = 1, .last_key = 1,
         .key_step = 1, .acl = kWr | kAclSlow, .handler = cmd_set, .group = "string",
         .since = "1.0.0", .summary = "Set the string value of a key", .complexity = "O(1)",
         .syntax = "key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT unix-time-seconds|"
                   "PXAT unix-time-milliseconds|KEEPTTL]"});
  t.add({.name = "setnx", .arity = 3, .flags = kW | kCmdDenyOom | kCmdFast, .first_key = 1,
         .last_key = 1, .key_step = 1, .acl = kWr | kAclFast, .handler = cmd_setnx,
         .group = "string", .since = "1.0.0",
         .summary = "Set the value of a key, only if the key does not exist",
         .complexity = "O(1)", .syntax = "key value"});
  t.add({.name = "setex", .arity = 4, .flags = kW | kCmdDenyOom, .first_key = 1, .last_key = 1,
         .key_step = 1, .acl = kWr | kAclSlow, .handler = cmd_setex, .group = "string",
         .since = "2.0.0", .summary = "Set the value and expiration of a key",
         .complexity = "O(1)", .syntax = "key seconds value"});
  t.add({.name = "psetex", .arity = 4, .flags = kW | kCmdDenyOom, .first_key = 1, .last_key = 1,
         .key_step = 1, .acl = kWr | kAclSlow, .handler = cmd_psetex, .group = "string",
         .since = "2.6.0", .summary = "Set the value and expiration in milliseconds of a key",
         .complexity = "O(1)", .syntax = "key milliseconds value"});
  t.add({.name = "getset", .arity = 3, .flags = kW | kCmdDenyOom | kCmdFast, .first_key = 1,
         .last_key = 1, .key_step = 1, .acl = kWr | kAclFast, .handler = cmd_getset,
         .group = "string", .since = "1.0.0",
         .summary = "Set the string value of a key and return its old value",
         .complexity = "O(1)", .syntax = "key value"});
  t.add({.name = "getdel", .arity = 2, .flags = kW | kCmdFast, .first_key = 1, .last_key = 1,
         .key_step = 1, .acl = kWr | kAclFast, .handler = cmd_getdel, .group = "string",
         .since = "6.2.0", .summary = "Get the value of a key and delete the key",
         .complexity = "O(1)", .syntax = "key"});
  t.add({.name = "getex", .arity = -2, .flags = kW | kCmdFast, .first_key = 1, .last_key = 1,
         .key_step = 1, .acl = kWr | kAclFast, .handler = cmd_getex, .group = "string",
         .since = "6.2.0", .summary = "Get the value of a key and optionally set its expiration",
         .complexity = "O(1)",
         .syntax = "key [EX seconds|PX milliseconds|EXAT unix-time-seconds|"
                   "PXAT unix-time-milliseconds|PERSIST]"});
  t.add({.name = "mget", .arity = -2, .flags = kR | kCmdFast, .first_key = 1, .last_key = -1,
         .key_step = 1, .acl = kRd | kAclFast, .handler = cmd_mget, .group = "string",
         .since = "1.0.0", .summary = "Get the values of all the given keys",
         .complexity = "O(N) where N is the number of keys to retrieve.",
         .syntax = "key [key ...]"});
  t.add({.name = "mset", .arity = -3, .flags = kW | kCmdDenyOom, .first_key = 1, .last_key = -1,
         .key_step = 2, .acl = kWr | kAclSlow, .handler = cmd_mset, .group = "string",
         .since = "1.0.1", .summary = "Set multiple keys to multiple values",
         .complexity = "O(N) where N is the number of keys to set.",
         .syntax = "key value [key value ...]"});
  t.add({.name = "msetnx", .arity = -3, .flags = kW | kCmdDenyOom, .first_key = 1,
         .last_key = -1, .key_step = 2, .acl = kWr | kAclSlow, .handler = cmd_msetnx,
         .group = "string", .since = "1.0.1",
         .summary = "Set multiple keys to multiple values, only if none of the keys exist",
         .complexity = "O(N) where N is the number of keys to set.",
         .syntax = "key value [key value ...]"});
  t.add({.name = "append", .arity = 3, .flags = kW | kCmdDenyOom | kCmdFast, .first_key = 1,
         .last_key = 1, .key_step = 1, .acl = kWr | kAclFast, .handler = cmd_append,
         .group = "string", .since = "2.0.0", .summary = "Append a value to a key",
         .complexity = "O(1). The amortized time complexity is O(1) assuming the appended value "
                       "is small and the already present value is of any size, since the "
                       "dynamic string library used by Redis will double the free space "
                       "available on every reallocation.",
         .syntax = "key value"});
  t.add({.name = "strlen", .arity = 2, .flags = kR | kCmdFast, .first_key = 1, .last_key = 1,
         .key_step = 1, .acl = kRd | kAclFast, .handler = cmd_strlen, .group = "string",
         .since = "2.2.0", .summary = "Get the length of the value stored in a key",
         .complexity = "O(1)", .syntax = "key"});
  struct Incr {
    std::string_view name;
    int arity;
    CommandHandler handler;
    std::string_view since, summary, syntax;
  };
  for (const Incr& c : {
           Incr{"incr", 2, cmd_incr, "1.0.0", "Increment the integer value of a key by one",
                "key"},
           Incr{"decr", 2, cmd_decr, "1.0.0", "Decrement the integer value of a key by one",
                "key"},
           Incr{"incrby", 3, cmd_incrby, "1.0.0",
                "Increment the integer value of a key by the given amount", "key increment"},
           Incr{"decrby", 3, cmd_decrby, "1.0.0",
                "Decrement the integer value of a key by the given number", "key decrement"},
           Incr{"incrbyfloat", 3, cmd_incrbyfloat, "2.6.0",
                "Increment the float value of a key by the given amount", "key increment"},
       }) {
    t.add({.name = c.name, .arity = c.arity, .flags = kW | kCmdDenyOom | kCmdFast,
           .first_key = 1, .last_key = 1, .key_step = 1, .acl = kWr | kAclFast,
           .handler = c.handler, .group = "string", .since = c.since, .summary = c.summary,
           .complexity = "O(1)", .syntax = c.syntax});
  }
  constexpr std::string_view kRangeComplexity =
      "O(N) where N is the length of the returned string. The complexity is ultimately "
      "determined by the returned length, but because creating a substring from an existing "
      "string is very cheap, it can be considered O(1) for small strings.";
  t.add({.name = "getrange", .arity = 4, .flags = kR, .first_key = 1, .last_key = 1,
         .key_step = 1, .acl = kRd | kAclSlow, .handler = cmd_getrange, .group = "string",
         .since = "2.4.0", .summary = "Get a substring of the string stored at a key",
         .complexity = kRangeComplexity, .syntax = "key start end"});
  t.add({.name = "substr", .arity = 4, .flags = kR, .first_key = 1, .last_key = 1,
         .key_step = 1, .acl = kRd | kAclSlow, .handler = cmd_getrange, .group = "string",
         .since = "1.0.0", .summary = "Get a substring of the string stored at a key",
         .complexity = kRangeComplexity, .syntax = "key start end"});
  t.add({.name = "setrange", .arity = 4, .flags = kW | kCmdDenyOom, .first_key = 1,
         .last_key = 1, .key_step = 1, .acl = kWr | kAclSlow, .handler = cmd_setrange,
         .group = "string", .since = "2.2.0",
         .summary = "Overwrite part of a string at key starting at the specified offset",
         .complexity = "O(1), not counting the time taken to copy the new string in place. "
                       "Usually, this string is very small so the amortized complexity is O(1). "
                       "Otherwise, complexity is O(M) with M being the length of the value "
                       "argument.",
         .syntax = "key offset value"});
  t.add({.name = "lcs", .arity = -3, .flags = kR, .first_key = 1, .last_key = 2, .key_step = 1,
         .acl = kRd | kAclSlow, .handler = cmd_lcs, .group = "string", .since = "7.0.0",
         .summary = "Find longest common substring",
         .complexity = "O(N*M) where N and M are the lengths of s1 and s2, respectively",
         .syntax = "key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]"});
  register_bit_family(t);
  // clang-format on
}

}  // namespace stmkv
