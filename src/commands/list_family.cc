// commands/list_family.cc — list commands (Redis's t_list.c): LPUSH RPUSH LPUSHX RPUSHX LPOP
// RPOP LLEN LRANGE LINDEX LSET LREM LTRIM LINSERT LPOS LMOVE RPOPLPUSH LMPOP and the blocking
// BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP (server/blocking.h says how clients block and wake).
//
// Lists are ds/list.h chains; OBJECT ENCODING answers "quicklist" as Redis 7.0 does for every
// list. A list that loses its last element is deleted. Every push signals the key for blocked
// clients (after commit). Keyspace hits/misses are counted where Redis uses lookupKeyRead.
#include <algorithm>
#include <string>
#include <vector>

#include "commands/util.h"
#include "ds/keyspace.h"
#include "ds/list.h"
#include "server/blocking.h"
#include "server/command_table.h"
#include "server/effects.h"
#include "server/server.h"

namespace stmkv {

namespace {

using stm::RawRef;
using stm::Ref;
using list::End;

uint32_t node_cap(CommandContext& ctx) {
  return list::node_capacity(ctx.server.config().list_max_listpack_size);
}

RawRef list_of(Db& db, Ref<Entry> e) { return db.read(e).value; }

// A list key for a write (no statistics, as lookupKeyWrite). Replies WRONGTYPE and sets *wrong
// when the key holds another type.
Ref<Entry> find_for_write(CommandContext& ctx, Db& db, std::string_view key, bool* wrong) {
  *wrong = false;
  Ref<Entry> e = db.find(key);
  if (!e.is_null() && static_cast<ObjType>(db.read(e).type) != ObjType::kList) {
    *wrong = true;
    ctx.reply_wrong_type();
    return Ref<Entry>();
  }
  return e;
}

// Whether e holds a list (quietly: no reply).
bool is_list(Db& db, Ref<Entry> e) {
  return static_cast<ObjType>(db.read(e).type) == ObjType::kList;
}

// Pushes one element, creating the key (e null) if needed; returns the entry.
Ref<Entry> push_one(CommandContext& ctx, Db& db, Ref<Entry> e, std::string_view key, End end,
                    std::string_view value) {
  RawRef elem = make_str(ctx.tx(), value);
  if (e.is_null()) {
    RawRef l = list::create(ctx.tx());
    list::push(ctx.tx(), l, end, elem, node_cap(ctx));
    return db.set(key, ObjType::kList, l, Encoding::kQuicklist, kNoExpire);
  }
  list::push(ctx.tx(), list_of(db, e), end, elem, node_cap(ctx));  // stamps the list
  return e;
}

// Pops one element of a live list entry; deletes the key when it empties. Returns the element
// (freed at commit; its bytes stay readable in this transaction).
RawRef pop_one(CommandContext& ctx, Db& db, Ref<Entry> e, std::string_view key, End end) {
  bool emptied;
  RawRef elem = list::pop(ctx.tx(), list_of(db, e), end, &emptied);
  ctx.tx().free(elem);
  if (emptied) db.remove(key);  // else the pop stamped the list (no entry write: see stamp_list)
  return elem;
}

bool parse_end(std::string_view s, End* end) {
  if (iequals(s, "left")) {
    *end = End::kLeft;
  } else if (iequals(s, "right")) {
    *end = End::kRight;
  } else {
    return false;
  }
  return true;
}

// --- LPUSH RPUSH LPUSHX RPUSHX ---

void push_generic(CommandContext& ctx, End end, bool xx) {
  Db db = client_db(ctx);
  std::string_view key = ctx.arg(1);
  bool wrong;
  Ref<Entry> e = find_for_write(ctx, db, key, &wrong);
  if (wrong) return;
  if (e.is_null() && xx) {
    ctx.out.add_integer(0);
    return;
  }
  for (size_t i = 2; i < ctx.argc(); ++i) e = push_one(ctx, db, e, key, end, ctx.arg(i));
  signal_key_ready(ctx, key);
  ctx.out.add_integer(list::length(ctx.tx(), list_of(db, e)));
}

void cmd_lpush(CommandContext& ctx) { push_generic(ctx, End::kLeft, false); }
void cmd_rpush(CommandContext& ctx) { push_generic(ctx, End::kRight, false); }
void cmd_lpushx(CommandContext& ctx) { push_generic(ctx, End::kLeft, true); }
void cmd_rpushx(CommandContext& ctx) { push_generic(ctx, End::kRight, true); }

// --- LPOP RPOP ---

void pop_generic(CommandContext& ctx, End end) {
  int64_t count = 1;
  bool has_count = ctx.argc() == 3;
  if (ctx.argc() > 3) {
    ctx.reply_arity_error();
    return;
  }
  if (has_count && (!parse_int64(ctx.arg(2), &count) || count < 0)) {
    ctx.out.add_error("ERR value is out of range, must be positive");
    return;
  }
  Db db = client_db(ctx);
  std::string_view key = ctx.arg(1);
  bool wrong;
  Ref<Entry> e = find_for_write(ctx, db, key, &wrong);
  if (wrong) return;
  if (e.is_null()) {
    if (has_count) {
      ctx.out.add_null_array();
    } else {
      ctx.out.add_null();
    }
    return;
  }
  if (!has_count) {
    ctx.out.add_bulk(str_view(ctx.tx(), pop_one(ctx, db, e, key, end)));
    return;
  }
  int64_t n = std::min(count, list::length(ctx.tx(), list_of(db, e)));
  ctx.out.add_array_len(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    ctx.out.add_bulk(str_view(ctx.tx(), pop_one(ctx, db, e, key, end)));
  }
}

void cmd_lpop(CommandContext& ctx) { pop_generic(ctx, End::kLeft); }
void cmd_rpop(CommandContext& ctx) { pop_generic(ctx, End::kRight); }

// --- LLEN LRANGE LINDEX LSET ---

void cmd_llen(CommandContext& ctx) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kList, &wrong);
  if (wrong) return;
  ctx.out.add_integer(e.is_null() ? 0 : list::length(ctx.tx(), list_of(db, e)));
}

// Redis's range normalization: *start, *end within [0, len), or false for an empty range.
bool normalize_range(int64_t len, int64_t* start, int64_t* end) {
  if (*start < 0) *start = len + *start;
  if (*end < 0) *end = len + *end;
  if (*start < 0) *start = 0;
  if (*start > *end || *start >= len) return false;
  if (*end >= len) *end = len - 1;
  return true;
}

void cmd_lrange(CommandContext& ctx) {
  int64_t start, end;
  if (!arg_int64(ctx, 2, &start) || !arg_int64(ctx, 3, &end)) return;
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kList, &wrong);
  if (wrong) return;
  if (e.is_null()) {
    ctx.out.add_empty_array();
    return;
  }
  RawRef l = list_of(db, e);
  if (!normalize_range(list::length(ctx.tx(), l), &start, &end)) {
    ctx.out.add_empty_array();
    return;
  }
  ctx.out.add_array_len(static_cast<size_t>(end - start + 1));
  list::Pos p = list::seek(ctx.tx(), l, start);
  for (int64_t i = start; i <= end && p.valid(); ++i) {
    ctx.out.add_bulk(str_view(ctx.tx(), list::get(ctx.tx(), p)));
    if (i < end) p = list::next(ctx.tx(), p);
  }
}

void cmd_lindex(CommandContext& ctx) {
  int64_t index;
  if (!arg_int64(ctx, 2, &index)) return;
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kList, &wrong);
  if (wrong) return;
  if (e.is_null()) {
    ctx.out.add_null();
    return;
  }
  list::Pos p = list::seek(ctx.tx(), list_of(db, e), index);
  if (!p.valid()) {
    ctx.out.add_null();
    return;
  }
  ctx.out.add_bulk(str_view(ctx.tx(), list::get(ctx.tx(), p)));
}

void cmd_lset(CommandContext& ctx) {
  int64_t index;
  if (!arg_int64(ctx, 2, &index)) return;
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = find_for_write(ctx, db, ctx.arg(1), &wrong);
  if (wrong) return;
  if (e.is_null()) {
    ctx.out.add_error("ERR no such key");
    return;
  }
  list::Pos p = list::seek(ctx.tx(), list_of(db, e), index);
  if (!p.valid()) {
    ctx.out.add_error("ERR index out of range");
    return;
  }
  ctx.tx().free(list::replace(ctx.tx(), p, make_str(ctx.tx(), ctx.arg(3))));
  db.touch_write(e);
  ctx.out.add_ok();
}

// --- LREM LTRIM LINSERT LPOS ---

void cmd_lrem(CommandContext& ctx) {
  int64_t count;
  if (!arg_int64(ctx, 2, &count)) return;
  Db db = client_db(ctx);
  std::string_view key = ctx.arg(1), value = ctx.arg(3);
  bool wrong;
  Ref<Entry> e = find_for_write(ctx, db, key, &wrong);
  if (wrong) return;
  if (e.is_null()) {
    ctx.out.add_integer(0);
    return;
  }
  RawRef l = list_of(db, e);
  std::vector<list::Pos> hits;
  bool from_tail = count < 0;
  uint64_t limit = count == 0 ? UINT64_MAX : (from_tail ? 0 - uint64_t(count) : uint64_t(count));
  for (list::Pos p = list::seek(ctx.tx(), l, from_tail ? -1 : 0); p.valid() && hits.size() < limit;
       p = from_tail ? list::prev(ctx.tx(), p) : list::next(ctx.tx(), p)) {
    if (str_view(ctx.tx(), list::get(ctx.tx(), p)) == value) hits.push_back(p);
  }
  if (!hits.empty()) {
    bool emptied;
    list::erase(ctx.tx(), l, hits, &emptied);
    if (emptied) db.remove(key);
  }
  ctx.out.add_integer(static_cast<int64_t>(hits.size()));
}

void cmd_ltrim(CommandContext& ctx) {
  int64_t start, end;
  if (!arg_int64(ctx, 2, &start) || !arg_int64(ctx, 3, &end)) return;
  Db db = client_db(ctx);
  std::string_view key = ctx.arg(1);
  bool wrong;
  Ref<Entry> e = find_for_write(ctx, db, key, &wrong);
  if (wrong) return;
  if (e.is_null()) {
    ctx.out.add_ok();
    return;
  }
  RawRef l = list_of(db, e);
  int64_t len = list::length(ctx.tx(), l);
  int64_t ltrim, rtrim;
  if (!normalize_range(len, &start, &end)) {
    ltrim = len;
    rtrim = 0;
  } else {
    ltrim = start;
    rtrim = len - end - 1;
  }
  if (ltrim + rtrim >= len) {
    db.remove(key);
  } else if (ltrim + rtrim > 0) {
    bool emptied;
    for (int64_t i = 0; i < ltrim; ++i) ctx.tx().free(list::pop(ctx.tx(), l, End::kLeft, &emptied));
    for (int64_t i = 0; i < rtrim; ++i) {
      ctx.tx().free(list::pop(ctx.tx(), l, End::kRight, &emptied));
    }
  }
  ctx.out.add_ok();
}

void cmd_linsert(CommandContext& ctx) {
  bool after;
  if (iequals(ctx.arg(2), "after")) {
    after = true;
  } else if (iequals(ctx.arg(2), "before")) {
    after = false;
  } else {
    ctx.reply_syntax_error();
    return;
  }
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = find_for_write(ctx, db, ctx.arg(1), &wrong);
  if (wrong) return;
  if (e.is_null()) {
    ctx.out.add_integer(0);
    return;
  }
  RawRef l = list_of(db, e);
  std::string_view pivot = ctx.arg(3);
  for (list::Pos p = list::seek(ctx.tx(), l, 0); p.valid(); p = list::next(ctx.tx(), p)) {
    if (str_view(ctx.tx(), list::get(ctx.tx(), p)) == pivot) {
      list::insert(ctx.tx(), l, p, after, make_str(ctx.tx(), ctx.arg(4)), node_cap(ctx));
      db.touch_write(e);
      signal_key_ready(ctx, ctx.arg(1));
      ctx.out.add_integer(list::length(ctx.tx(), l));
      return;
    }
  }
  ctx.out.add_integer(-1);
}

void cmd_lpos(CommandContext& ctx) {
  int64_t rank = 1, count = -1, maxlen = 0;
  for (size_t i = 3; i < ctx.argc(); ++i) {
    std::string_view opt = ctx.arg(i);
    bool more = i + 1 < ctx.argc();
    if (iequals(opt, "rank") && more) {
      if (!arg_int64(ctx, ++i, &rank)) return;
      if (rank == 0) {
        ctx.out.add_error(
            "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
            "or use negative to start from the end of the list");
        return;
      }
      if (rank == INT64_MIN) {
        ctx.out.add_error("ERR value is out of range");
        return;
      }
    } else if (iequals(opt, "count") && more) {
      if (!arg_int64(ctx, ++i, &count)) return;
      if (count < 0) {
        ctx.out.add_error("ERR COUNT can't be negative");
        return;
      }
    } else if (iequals(opt, "maxlen") && more) {
      if (!arg_int64(ctx, ++i, &maxlen)) return;
      if (maxlen < 0) {
        ctx.out.add_error("ERR MAXLEN can't be negative");
        return;
      }
    } else {
      ctx.reply_syntax_error();
      return;
    }
  }
  bool want_array = count != -1;
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kList, &wrong);
  if (wrong) return;
  if (e.is_null()) {
    if (want_array) {
      ctx.out.add_empty_array();
    } else {
      ctx.out.add_null();
    }
    return;
  }
  RawRef l = list_of(db, e);
  int64_t len = list::length(ctx.tx(), l);
  bool from_tail = rank < 0;
  int64_t skip = (from_tail ? -rank : rank) - 1;
  std::vector<int64_t> found;
  std::string_view value = ctx.arg(2);
  int64_t index = from_tail ? len - 1 : 0, scanned = 0;
  for (list::Pos p = list::seek(ctx.tx(), l, from_tail ? -1 : 0);
       p.valid() && (maxlen == 0 || scanned < maxlen);
       p = from_tail ? list::prev(ctx.tx(), p) : list::next(ctx.tx(), p)) {
    if (str_view(ctx.tx(), list::get(ctx.tx(), p)) == value) {
      if (skip > 0) {
        --skip;
      } else {
        found.push_back(index);
        if (!want_array || (count != 0 && int64_t(found.size()) >= count)) break;
      }
    }
    ++scanned;
    index += from_tail ? -1 : 1;
  }
  if (!want_array) {
    if (found.empty()) {
      ctx.out.add_null();
    } else {
      ctx.out.add_integer(found[0]);
    }
    return;
  }
  ctx.out.add_array_len(found.size());
  for (int64_t v : found) ctx.out.add_integer(v);
}

// --- LMOVE RPOPLPUSH and BLMOVE BRPOPLPUSH ---

// Moves one element from src to dst. Replies the element, a null (src empty) or WRONGTYPE.
// Returns false when src was empty (nothing written).
bool move_generic(CommandContext& ctx, std::string_view src, std::string_view dst, End from,
                  End to) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> se = find_for_write(ctx, db, src, &wrong);
  if (wrong) return true;
  if (se.is_null()) return false;
  Ref<Entry> de = db.find(dst);
  if (!de.is_null() && !is_list(db, de)) {
    ctx.reply_wrong_type();
    return true;
  }
  bool emptied;
  RawRef elem = list::pop(ctx.tx(), list_of(db, se), from, &emptied);
  std::string_view bytes = str_view(ctx.tx(), elem);
  if (se == de) {
    list::push(ctx.tx(), list_of(db, se), to, elem, node_cap(ctx));
  } else {
    if (emptied) db.remove(src);
    if (de.is_null()) {
      RawRef l = list::create(ctx.tx());
      list::push(ctx.tx(), l, to, elem, node_cap(ctx));
      db.set(dst, ObjType::kList, l, Encoding::kQuicklist, kNoExpire);
    } else {
      list::push(ctx.tx(), list_of(db, de), to, elem, node_cap(ctx));
    }
  }
  signal_key_ready(ctx, dst);
  ctx.out.add_bulk(bytes);
  return true;
}

void cmd_lmove(CommandContext& ctx) {
  End from, to;
  if (!parse_end(ctx.arg(3), &from) || !parse_end(ctx.arg(4), &to)) {
    ctx.reply_syntax_error();
    return;
  }
  if (!move_generic(ctx, ctx.arg(1), ctx.arg(2), from, to)) ctx.out.add_null();
}

void cmd_rpoplpush(CommandContext& ctx) {
  if (!move_generic(ctx, ctx.arg(1), ctx.arg(2), End::kRight, End::kLeft)) ctx.out.add_null();
}

void blmove_generic(CommandContext& ctx, End from, End to, size_t timeout_arg) {
  int64_t timeout;
  if (!parse_block_timeout(ctx, ctx.arg(timeout_arg), &timeout)) return;
  if (ctx.client.block_retry) {
    // A woken client: a source of another type counts as empty (Redis 7.0 serves lists only).
    Db db = client_db(ctx);
    Ref<Entry> se = db.find(ctx.arg(1));
    if (!se.is_null() && !is_list(db, se)) {
      request_block(ctx, {std::string(ctx.arg(1))}, timeout, false);
      return;
    }
  }
  size_t mark = ctx.out.size();
  if (move_generic(ctx, ctx.arg(1), ctx.arg(2), from, to)) {
    // AOF (server/effects.h): served, as the non-blocking form (Redis 7.0).
    if (ctx.out.size() > mark && ctx.out.view()[mark] == '-') return;
    Effects& fx = Effects::current();
    if (timeout_arg == 3) {
      fx.add(ctx.client.db, {std::string_view("RPOPLPUSH"), ctx.arg(1), ctx.arg(2)});
    } else {
      fx.add(ctx.client.db,
             {std::string_view("LMOVE"), ctx.arg(1), ctx.arg(2), ctx.arg(3), ctx.arg(4)});
    }
    return;
  }
  Effects::current().suppress();  // blocked: nothing changed
  if (!request_block(ctx, {std::string(ctx.arg(1))}, timeout, false)) ctx.out.add_null();
}

void cmd_blmove(CommandContext& ctx) {
  End from, to;
  if (!parse_end(ctx.arg(3), &from) || !parse_end(ctx.arg(4), &to)) {
    ctx.reply_syntax_error();
    return;
  }
  blmove_generic(ctx, from, to, 5);
}

void cmd_brpoplpush(CommandContext& ctx) { blmove_generic(ctx, End::kRight, End::kLeft, 3); }

// --- LMPOP BLMPOP BLPOP BRPOP ---

// Pops up to count elements from the first non-empty list of keys. Replies [key, [elems]] (or
// [key, elem] when single) and returns true; false when every key is empty or missing (nothing
// replied). A key of another type replies WRONGTYPE (true), unless skip_wrong (a woken client).
bool mpop_keys(CommandContext& ctx, std::span<const std::string_view> keys, End end,
               int64_t count, bool single, bool skip_wrong) {
  Db db = client_db(ctx);
  for (std::string_view key : keys) {
    Ref<Entry> e = db.find(key);
    if (e.is_null()) continue;
    if (!is_list(db, e)) {
      if (skip_wrong) continue;
      ctx.reply_wrong_type();
      return true;
    }
    ctx.out.add_array_len(2);
    ctx.out.add_bulk(key);
    // AOF (server/effects.h): LPOP|RPOP key [n popped], as Redis 7.0 propagates (B)LMPOP and
    // a served BLPOP/BRPOP.
    std::string_view pop = end == End::kLeft ? "LPOP" : "RPOP";
    if (single) {
      ctx.out.add_bulk(str_view(ctx.tx(), pop_one(ctx, db, e, key, end)));
      Effects::current().add(ctx.client.db, {pop, key});
      return true;
    }
    int64_t n = std::min(count, list::length(ctx.tx(), list_of(db, e)));
    ctx.out.add_array_len(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      ctx.out.add_bulk(str_view(ctx.tx(), pop_one(ctx, db, e, key, end)));
    }
    std::string popped = std::to_string(n);
    Effects::current().add(ctx.client.db, {pop, key, popped});
    return true;
  }
  return false;
}

std::vector<std::string> key_strings(std::span<const std::string_view> keys) {
  return std::vector<std::string>(keys.begin(), keys.end());
}

void bpop_generic(CommandContext& ctx, End end) {
  int64_t timeout;
  if (!parse_block_timeout(ctx, ctx.arg(ctx.argc() - 1), &timeout)) return;
  auto keys = ctx.argv.subspan(1, ctx.argc() - 2);
  if (mpop_keys(ctx, keys, end, 1, true, ctx.client.block_retry)) return;
  Effects::current().suppress();  // blocked: nothing changed
  if (!request_block(ctx, key_strings(keys), timeout, true)) ctx.out.add_null_array();
}

void cmd_blpop(CommandContext& ctx) { bpop_generic(ctx, End::kLeft); }
void cmd_brpop(CommandContext& ctx) { bpop_generic(ctx, End::kRight); }

// Parses "numkeys key... LEFT|RIGHT [COUNT count]" from argv[first]. Replies the error and
// returns false on bad input.
bool parse_mpop(CommandContext& ctx, size_t first, std::span<const std::string_view>* keys,
                End* end, int64_t* count) {
  int64_t numkeys;
  if (!parse_int64(ctx.arg(first), &numkeys) || numkeys <= 0 || numkeys > INT32_MAX) {
    ctx.out.add_error("ERR numkeys should be greater than 0");
    return false;
  }
  size_t where = first + 1 + static_cast<size_t>(numkeys);
  if (where >= ctx.argc() || !parse_end(ctx.arg(where), end)) {
    ctx.reply_syntax_error();
    return false;
  }
  *keys = ctx.argv.subspan(first + 1, static_cast<size_t>(numkeys));
  *count = 1;
  bool seen_count = false;
  for (size_t i = where + 1; i < ctx.argc(); ++i) {
    if (!seen_count && iequals(ctx.arg(i), "count") && i + 1 < ctx.argc()) {
      seen_count = true;
      if (!parse_int64(ctx.arg(++i), count) || *count <= 0) {
        ctx.out.add_error("ERR count should be greater than 0");
        return false;
      }
    } else {
      ctx.reply_syntax_error();
      return false;
    }
  }
  return true;
}

void cmd_lmpop(CommandContext& ctx) {
  std::span<const std::string_view> keys;
  End end;
  int64_t count;
  if (!parse_mpop(ctx, 1, &keys, &end, &count)) return;
  if (!mpop_keys(ctx, keys, end, count, false, false)) ctx.out.add_null_array();
}

void cmd_blmpop(CommandContext& ctx) {
  int64_t timeout;
  if (!parse_block_timeout(ctx, ctx.arg(1), &timeout)) return;
  std::span<const std::string_view> keys;
  End end;
  int64_t count;
  if (!parse_mpop(ctx, 2, &keys, &end, &count)) return;
  if (mpop_keys(ctx, keys, end, count, false, ctx.client.block_retry)) return;
  Effects::current().suppress();  // blocked: nothing changed
  if (!request_block(ctx, key_strings(keys), timeout, true)) ctx.out.add_null_array();
}

// Value type hooks.
void free_list(stm::Tx& tx, RawRef v) { list::destroy(tx, v); }
RawRef copy_list(stm::Tx& tx, RawRef v) { return list::copy(tx, v); }
// WATCH: pushes and pops stamp the list's ends, not Entry::version, so that an LPUSH and an
// RPUSH on one list do not conflict on the entry.
uint64_t stamp_list(stm::Tx& tx, RawRef v) { return list::stamp(tx, v); }

}  // namespace

void register_list_family(CommandTable& t) {
  register_value_freer(ObjType::kList, free_list);
  register_value_copier(ObjType::kList, copy_list);
  register_value_stamper(ObjType::kList, stamp_list);
  // clang-format off
  constexpr uint32_t kR = kCmdReadonly | kCmdTx;
  constexpr uint32_t kW = kCmdWrite | kCmdTx;
  constexpr uint64_t kRd = kAclRead | kAclList;
  constexpr uint64_t kWr = kAclWrite | kAclList;
  auto add = [&](std::string_view name, int arity, uint32_t flags, int first, int last, int step,
                 uint64_t acl, CommandHandler h, std::string_view since, std::string_view summary,
                 std::string_view complexity, std::string_view syntax) {
    t.add({.name = name, .arity = arity, .flags = flags, .first_key = first, .last_key = last,
           .key_step = step, .acl = acl, .handler = h, .group = "list", .since = since,
           .summary = summary, .complexity = complexity, .syntax = syntax});
  };
  add("lpush", -3, kW | kCmdDenyOom | kCmdFast, 1, 1, 1, kWr | kAclFast, cmd_lpush, "1.0.0",
      "Prepend one or multiple elements to a list",
      "O(1) for each element added, so O(N) to add N elements when the command is called with "
      "multiple arguments.", "key element [element ...]");
  add("rpush", -3, kW | kCmdDenyOom | kCmdFast, 1, 1, 1, kWr | kAclFast, cmd_rpush, "1.0.0",
      "Append one or multiple elements to a list",
      "O(1) for each element added, so O(N) to add N elements when the command is called with "
      "multiple arguments.", "key element [element ...]");
  add("lpushx", -3, kW | kCmdDenyOom | kCmdFast, 1, 1, 1, kWr | kAclFast, cmd_lpushx, "2.2.0",
      "Prepend an element to a list, only if the list exists",
      "O(1) for each element added, so O(N) to add N elements when the command is called with "
      "multiple arguments.", "key element [element ...]");
  add("rpushx", -3, kW | kCmdDenyOom | kCmdFast, 1, 1, 1, kWr | kAclFast, cmd_rpushx, "2.2.0",
      "Append an element to a list, only if the list exists",
      "O(1) for each element added, so O(N) to add N elements when the command is called with "
      "multiple arguments.", "key element [element ...]");
  add("lpop", -2, kW | kCmdFast, 1, 1, 1, kWr | kAclFast, cmd_lpop, "1.0.0",
      "Remove and get the first elements in a list",
      "O(N) where N is the number of elements returned", "key [count]");
  add("rpop", -2, kW | kCmdFast, 1, 1, 1, kWr | kAclFast, cmd_rpop, "1.0.0",
      "Remove and get the last elements in a list",
      "O(N) where N is the number of elements returned", "key [count]");
  add("llen", 2, kR | kCmdFast, 1, 1, 1, kRd | kAclFast, cmd_llen, "1.0.0",
      "Get the length of a list", "O(1)", "key");
  add("lrange", 4, kR, 1, 1, 1, kRd | kAclSlow, cmd_lrange, "1.0.0",
      "Get a range of elements from a list",
      "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest "
      "end (HEAD or TAIL) for large lists; and N is the number of elements in the specified "
      "range.", "key start stop");
  add("lindex", 3, kR, 1, 1, 1, kRd | kAclSlow, cmd_lindex, "1.0.0",
      "Get an element from a list by its index",
      "O(N) where N is the number of elements to traverse to get to the element at index. This "
      "makes asking for the first or the last element of the list O(1).", "key index");
  add("lset", 4, kW | kCmdDenyOom, 1, 1, 1, kWr | kAclSlow, cmd_lset, "1.0.0",
      "Set the value of an element in a list by its index",
      "O(N) where N is the length of the list. Setting either the first or the last element of "
      "the list is O(1).", "key index element");
  add("lrem", 4, kW, 1, 1, 1, kWr | kAclSlow, cmd_lrem, "1.0.0",
      "Remove elements from a list",
      "O(N+M) where N is the length of the list and M is the number of elements removed.",
      "key count element");
  add("ltrim", 4, kW, 1, 1, 1, kWr | kAclSlow, cmd_ltrim, "1.0.0",
      "Trim a list to the specified range",
      "O(N) where N is the number of elements to be removed by the operation.",
      "key start stop");
  add("linsert", 5, kW | kCmdDenyOom, 1, 1, 1, kWr | kAclSlow, cmd_linsert, "2.2.0",
      "Insert an element before or after another element in a list",
      "O(N) where N is the number of elements to traverse before seeing the value pivot. This "
      "means that inserting somewhere on the left end on the list (head) can be considered "
      "O(1) and inserting somewhere on the right end (tail) is O(N).",
      "key BEFORE|AFTER pivot element");
  add("lpos", -3, kR, 1, 1, 1, kRd | kAclSlow, cmd_lpos, "6.0.6",
      "Return the index of matching elements on a list",
      "O(N) where N is the number of elements in the list, for the average case. When "
      "searching for elements near the head or the tail of the list, or when the MAXLEN option "
      "is provided, the command may run in constant time.",
      "key element [RANK rank] [COUNT num-matches] [MAXLEN len]");
  add("lmove", 5, kW | kCmdDenyOom, 1, 2, 1, kWr | kAclSlow, cmd_lmove, "6.2.0",
      "Pop an element from a list, push it to another list and return it", "O(1)",
      "source destination LEFT|RIGHT LEFT|RIGHT");
  add("rpoplpush", 3, kW | kCmdDenyOom, 1, 2, 1, kWr | kAclSlow, cmd_rpoplpush, "1.2.0",
      "Remove the last element in a list, prepend it to another list and return it", "O(1)",
      "source destination");
  add("lmpop", -4, kW, 0, 0, 0, kWr | kAclSlow, cmd_lmpop, "7.0.0",
      "Pop elements from a list", "O(N+M) where N is the number of provided keys and M is the "
      "number of elements returned.", "numkeys key [key ...] LEFT|RIGHT [COUNT count]");
  constexpr uint32_t kB = kW | kCmdBlocking;
  constexpr uint64_t kBa = kWr | kAclSlow | kAclBlocking;
  add("blpop", -3, kB | kCmdNoscript, 1, -2, 1, kBa, cmd_blpop, "2.0.0",
      "Remove and get the first element in a list, or block until one is available",
      "O(N) where N is the number of provided keys.", "key [key ...] timeout");
  add("brpop", -3, kB | kCmdNoscript, 1, -2, 1, kBa, cmd_brpop, "2.0.0",
      "Remove and get the last element in a list, or block until one is available",
      "O(N) where N is the number of provided keys.", "key [key ...] timeout");
  add("blmove", 6, kB | kCmdDenyOom | kCmdNoscript, 1, 2, 1, kBa, cmd_blmove, "6.2.0",
      "Pop an element from a list, push it to another list and return it; or block until one "
      "is available", "O(1)", "source destination LEFT|RIGHT LEFT|RIGHT timeout");
  add("brpoplpush", 4, kB | kCmdDenyOom | kCmdNoscript, 1, 2, 1, kBa, cmd_brpoplpush, "2.2.0",
      "Pop an element from a list, push it to another list and return it; or block until one "
      "is available", "O(1)", "source destination timeout");
  add("blmpop", -5, kB, 0, 0, 0, kBa, cmd_blmpop, "7.0.0",
      "Pop elements from a list, or block until one is available",
      "O(N+M) where N is the number of provided keys and M is the number of elements returned.",
      "timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]");
  // clang-format on
}

}  // namespace stmkv
