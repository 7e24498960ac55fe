// commands/hash_family.cc — hash commands (Redis's t_hash.c): HSET HSETNX HGET HMSET HMGET HDEL
// HLEN HSTRLEN HEXISTS HKEYS HVALS HGETALL HINCRBY HINCRBYFLOAT HRANDFIELD HSCAN.
//
// A hash is a pack of field/value pairs in insertion order while it has at most
// hash-max-listpack-entries fields of at most hash-max-listpack-value bytes (OBJECT ENCODING
// "listpack"; each write replaces the pack, O(n) as Redis's listpack), else a ds/dict.h Dict
// ("hashtable"; writes of different fields touch different granules). As in Redis, a hash
// never converts back. Keyspace hits/misses are counted by the read commands.
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "commands/match.h"
#include "commands/util.h"
#include "ds/collections.h"
#include "ds/dict.h"
#include "ds/keyspace.h"
#include "ds/small_map.h"
#include "protocol/number_format.h"
#include "server/command_table.h"
#include "server/effects.h"
#include "server/server.h"

namespace stmkv {

namespace {

using stm::RawRef;
using stm::Ref;
using Pair = std::pair<std::string_view, std::string_view>;

struct Limits {
  int64_t entries;
  int64_t value;
};
Limits hash_limits(CommandContext& ctx) {
  const ServerConfig& c = ctx.server.config();
  return Limits{c.hash_max_listpack_entries, c.hash_max_listpack_value};
}

uint64_t random_seed() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  return rng();
}

bool is_dict(stm::Tx& tx, RawRef v) { return value_kind(tx, v) == ValueKind::kDict; }

// --- reading a hash of either encoding ---

std::vector<Pair> pack_pairs(stm::Tx& tx, RawRef v) {
  std::vector<std::string_view> items = PackReader(tx, v).all();
  std::vector<Pair> out;
  out.reserve(items.size() / 2);
  for (size_t i = 0; i + 1 < items.size(); i += 2) out.emplace_back(items[i], items[i + 1]);
  return out;
}

// Every pair, in the order Redis replies them (pack order, or hash order for a dict).
std::vector<Pair> hash_all(stm::Tx& tx, RawRef v) {
  if (!is_dict(tx, v)) return pack_pairs(tx, v);
  std::vector<Pair> out;
  Dict(tx, v).for_each(
      [&](std::string_view f, RawRef val) { out.emplace_back(f, str_view(tx, val)); });
  return out;
}

// --- writing ---

// Looks key up for a write; replies WRONGTYPE (and sets *wrong) when it is not a hash.
Ref<Entry> find_hash_for_write(CommandContext& ctx, Db& db, std::string_view key, bool* wrong) {
  *wrong = false;
  Ref<Entry> e = db.find(key);
  if (!e.is_null() && static_cast<ObjType>(db.read(e).type) != ObjType::kHash) {
    *wrong = true;
    ctx.reply_wrong_type();
    return Ref<Entry>();
  }
  return e;
}

// Stores `pairs` as key's hash (replacing e's value, or creating key when e is null), as a pack
// or a dict by the limits; deletes the key when pairs is empty.
void store_pairs(CommandContext& ctx, Db& db, Ref<Entry> e, std::string_view key,
                 const std::vector<Pair>& pairs) {
  stm::Tx& tx = db.tx();
  if (pairs.empty()) {
    if (!e.is_null()) db.remove(key);
    return;
  }
  Limits lim = hash_limits(ctx);
  bool big = int64_t(pairs.size()) > lim.entries;
  for (size_t i = 0; i < pairs.size() && !big; ++i) {
    big = int64_t(pairs[i].first.size()) > lim.value || int64_t(pairs[i].second.size()) > lim.value;
  }
  RawRef v;
  Encoding enc;
  if (big) {
    v = Dict::create(tx, pairs.size());
    Dict d(tx, v);
    for (const Pair& p : pairs) d.insert(p.first, make_str(tx, p.second));
    enc = Encoding::kHashtable;
  } else {
    PackBuilder b;
    for (const Pair& p : pairs) {
      b.add(p.first);
      b.add(p.second);
    }
    v = b.finish(tx, ValueKind::kPairs);
    enc = Encoding::kListpack;
  }
  if (e.is_null()) {
    db.set(key, ObjType::kHash, v, enc, kNoExpire);
  } else {
    db.set_value(e, ObjType::kHash, v, enc);
  }
}

// Sets fields (HSET/HSETNX/HINCRBY...). nx: only absent fields. Returns the fields added.
int64_t hash_set(CommandContext& ctx, Db& db, Ref<Entry> e, std::string_view key,
                 const std::vector<Pair>& sets, bool nx) {
  stm::Tx& tx = db.tx();
  if (!e.is_null()) {
    RawRef v = db.read(e).value;
    if (is_dict(tx, v)) {
      Dict d(tx, v);
      int64_t added = 0;
      for (const Pair& p : sets) {
        if (nx && d.contains(p.first)) continue;
        added += d.insert(p.first, make_str(tx, p.second)) ? 1 : 0;
      }
      return added;
    }
  }
  std::vector<Pair> pairs;
  if (!e.is_null()) pairs = pack_pairs(tx, db.read(e).value);
  int64_t added = 0;
  bool changed = false;
  for (const Pair& p : sets) {
    auto it =
        std::find_if(pairs.begin(), pairs.end(), [&](const Pair& q) { return q.first == p.first; });
    if (it == pairs.end()) {
      pairs.push_back(p);
      ++added;
      changed = true;
    } else if (!nx) {
      it->second = p.second;
      changed = true;
    }
  }
  if (changed) store_pairs(ctx, db, e, key, pairs);
  return added;
}

// --- commands ---

void cmd_hset(CommandContext& ctx) {
  if (ctx.argc() % 2 == 1) {
    ctx.reply_arity_error();
    return;
  }
  std::vector<Pair> sets;
  for (size_t i = 2; i + 1 < ctx.argc(); i += 2) sets.emplace_back(ctx.arg(i), ctx.arg(i + 1));
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = find_hash_for_write(ctx, db, ctx.arg(1), &wrong);
  if (wrong) return;
  int64_t added = hash_set(ctx, db, e, ctx.arg(1), sets, false);
  if (iequals(ctx.arg(0), "hmset")) {
    ctx.out.add_ok();
  } else {
    ctx.out.add_integer(added);
  }
}

void cmd_hsetnx(CommandContext& ctx) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = find_hash_for_write(ctx, db, ctx.arg(1), &wrong);
  if (wrong) return;
  ctx.out.add_integer(hash_set(ctx, db, e, ctx.arg(1), {{ctx.arg(2), ctx.arg(3)}}, true));
}

void cmd_hget(CommandContext& ctx) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kHash, &wrong);
  if (wrong) return;
  std::string_view v;
  if (!e.is_null() && hash_get(ctx.tx(), db.read(e).value, ctx.arg(2), &v)) {
    ctx.out.add_bulk(v);
  } else {
    ctx.out.add_null();
  }
}

void cmd_hmget(CommandContext& ctx) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kHash, &wrong);
  if (wrong) return;
  ctx.out.add_array_len(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    std::string_view v;
    if (!e.is_null() && hash_get(ctx.tx(), db.read(e).value, ctx.arg(i), &v)) {
      ctx.out.add_bulk(v);
    } else {
      ctx.out.add_null();
    }
  }
}

void cmd_hdel(CommandContext& ctx) {
  Db db = client_db(ctx);
  bool wrong;
  std::string_view key = ctx.arg(1);
  Ref<Entry> e = find_hash_for_write(ctx, db, key, &wrong);
  if (wrong) return;
  if (e.is_null()) {
    ctx.out.add_integer(0);
    return;
  }
  stm::Tx& tx = ctx.tx();
  RawRef v = db.read(e).value;
  int64_t removed = 0;
  if (is_dict(tx, v)) {
    Dict d(tx, v);
    bool empty = false;
    for (size_t i = 2; i < ctx.argc() && !empty; ++i) {
      removed += d.remove(ctx.arg(i), &empty) ? 1 : 0;
    }
    if (empty) db.remove(key);
  } else {
    std::vector<Pair> pairs = pack_pairs(tx, v);
    for (size_t i = 2; i < ctx.argc(); ++i) {
      auto it = std::find_if(pairs.begin(), pairs.end(),
                             [&](const Pair& q) { return q.first == ctx.arg(i); });
      if (it != pairs.end()) {
        pairs.erase(it);
        ++removed;
      }
    }
    if (removed > 0) store_pairs(ctx, db, e, key, pairs);
  }
  ctx.out.add_integer(removed);
}

void cmd_hlen(CommandContext& ctx) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kHash, &wrong);
  if (wrong) return;
  ctx.out.add_integer(e.is_null() ? 0 : hash_len(ctx.tx(), db.read(e).value));
}

void cmd_hstrlen(CommandContext& ctx) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kHash, &wrong);
  if (wrong) return;
  std::string_view v;
  bool found = !e.is_null() && hash_get(ctx.tx(), db.read(e).value, ctx.arg(2), &v);
  ctx.out.add_integer(found ? static_cast<long long>(v.size()) : 0);
}

void cmd_hexists(CommandContext& ctx) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kHash, &wrong);
  if (wrong) return;
  std::string_view v;
  ctx.out.add_integer(!e.is_null() && hash_get(ctx.tx(), db.read(e).value, ctx.arg(2), &v));
}

// HKEYS (keys), HVALS (values), HGETALL (both, as a map).
void hash_get_all(CommandContext& ctx, bool keys, bool values) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kHash, &wrong);
  if (wrong) return;
  std::vector<Pair> all;
  if (!e.is_null()) all = hash_all(ctx.tx(), db.read(e).value);
  if (keys && values) {
    ctx.out.add_map_len(all.size());
  } else {
    ctx.out.add_array_len(all.size());
  }
  for (const Pair& p : all) {
    if (keys) ctx.out.add_bulk(p.first);
    if (values) ctx.out.add_bulk(p.second);
  }
}
void cmd_hkeys(CommandContext& ctx) { hash_get_all(ctx, true, false); }
void cmd_hvals(CommandContext& ctx) { hash_get_all(ctx, false, true); }
void cmd_hgetall(CommandContext& ctx) { hash_get_all(ctx, true, true); }

// Reads field's current value for HINCRBY/HINCRBYFLOAT: *found false when absent.
bool current_value(Db& db, Ref<Entry> e, std::string_view field, std::string_view* out) {
  return !e.is_null() && hash_get(db.tx(), db.read(e).value, field, out);
}

void cmd_hincrby(CommandContext& ctx) {
  int64_t incr;
  if (!arg_int64(ctx, 3, &incr)) return;
  Db db = client_db(ctx);
  bool wrong;
  std::string_view key = ctx.arg(1), field = ctx.arg(2);
  Ref<Entry> e = find_hash_for_write(ctx, db, key, &wrong);
  if (wrong) return;
  int64_t value = 0;
  std::string_view cur;
  if (current_value(db, e, field, &cur) && !parse_int64(cur, &value)) {
    ctx.out.add_error("ERR hash value is not an integer");
    return;
  }
  if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
      (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
    ctx.out.add_error("ERR increment or decrement would overflow");
    return;
  }
  value += incr;
  std::string text = std::to_string(value);
  hash_set(ctx, db, e, key, {{field, text}}, false);
  ctx.out.add_integer(value);
}

// Redis's MAX_LONG_DOUBLE_CHARS.
void cmd_hincrbyfloat(CommandContext& ctx) {
  long double incr;
  if (!parse_long_double(ctx.arg(3), &incr)) {
    ctx.reply_not_float();
    return;
  }
  if (std::isinf(incr)) {
    ctx.out.add_error("ERR value is NaN or Infinity");
    return;
  }
  Db db = client_db(ctx);
  bool wrong;
  std::string_view key = ctx.arg(1), field = ctx.arg(2);
  Ref<Entry> e = find_hash_for_write(ctx, db, key, &wrong);
  if (wrong) return;
  long double value = 0;
  std::string_view cur;
  if (current_value(db, e, field, &cur) && !parse_long_double(cur, &value)) {
    ctx.out.add_error("ERR hash value is not a float");
    return;
  }
  value += incr;
  if (std::isnan(value) || std::isinf(value)) {
    ctx.out.add_error("ERR increment would produce NaN or Infinity");
    return;
  }
  std::string text = format_long_double(value);
  hash_set(ctx, db, e, key, {{field, text}}, false);
  ctx.out.add_bulk(text);
  // AOF (server/effects.h): the result, as Redis 7.0 propagates it.
  Effects::current().add(ctx.client.db, {std::string_view("HSET"), key, field, text});
}

// HRANDFIELD key [count [WITHVALUES]] (Redis 7.0's hrandfieldWithCountCommand).
void cmd_hrandfield(CommandContext& ctx) {
  bool with_count = ctx.argc() >= 3, withvalues = false;
  int64_t l = 0;
  if (with_count) {
    if (!parse_int64(ctx.arg(2), &l)) {
      ctx.reply_not_integer();
      return;
    }
    if (l < -LLONG_MAX) {
      ctx.out.add_error(
          "ERR value is out of range, value must between -9223372036854775807 and "
          "9223372036854775807");
      return;
    }
    if (ctx.argc() == 4 && iequals(ctx.arg(3), "withvalues")) {
      withvalues = true;
    } else if (ctx.argc() >= 4) {
      ctx.reply_syntax_error();
      return;
    }
    if (withvalues && (l < -LLONG_MAX / 2 || l > LLONG_MAX / 2)) {  // the reply would overflow
      ctx.out.add_error("ERR value is out of range");
      return;
    }
  }
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kHash, &wrong);
  if (wrong) return;
  stm::Tx& tx = ctx.tx();
  if (e.is_null()) {
    if (with_count) {
      ctx.out.add_empty_array();
    } else {
      ctx.out.add_null();
    }
    return;
  }
  RawRef v = db.read(e).value;
  uint64_t x = random_seed() | 1;
  auto next_rand = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  bool dict = is_dict(tx, v);
  std::vector<Pair> pack;
  if (!dict) pack = pack_pairs(tx, v);
  auto random_pair = [&]() -> Pair {
    if (!dict) return pack[next_rand() % pack.size()];
    Dict d(tx, v);
    Ref<DictNode> n = d.random(next_rand());
    return Pair(d.field_of(n), str_view(tx, d.value_of(n)));
  };
  auto emit = [&](const Pair& p) {
    if (withvalues && ctx.out.resp() == 3) ctx.out.add_array_len(2);
    ctx.out.add_bulk(p.first);
    if (withvalues) ctx.out.add_bulk(p.second);
  };
  if (!with_count) {
    ctx.out.add_bulk(random_pair().first);
    return;
  }
  bool uniq = l >= 0;
  uint64_t count = l >= 0 ? uint64_t(l) : uint64_t(-l);
  if (count == 0) {
    ctx.out.add_empty_array();
    return;
  }
  size_t reply_mult = withvalues && ctx.out.resp() == 2 ? 2 : 1;
  if (!uniq || count == 1) {
    ctx.out.add_array_len(count * reply_mult);
    for (uint64_t i = 0; i < count; ++i) emit(random_pair());
    return;
  }
  uint64_t size = uint64_t(hash_len(tx, v));
  std::vector<Pair> all = dict ? hash_all(tx, v) : pack;
  if (count >= size) {
    ctx.out.add_array_len(all.size() * reply_mult);
    for (const Pair& p : all) emit(p);
    return;
  }
  // A random subset of `count` distinct fields: a partial Fisher-Yates shuffle.
  for (uint64_t i = 0; i < count; ++i) std::swap(all[i], all[i + next_rand() % (size - i)]);
  ctx.out.add_array_len(count * reply_mult);
  for (uint64_t i = 0; i < count; ++i) emit(all[i]);
}

// Parses HSCAN/SSCAN's options (from argv[3]) as Redis's scanGenericCommand.
bool parse_scan_options(CommandContext& ctx, int64_t* count, std::string_view* pattern,
                        bool* use_pattern) {
  *count = 10;
  *use_pattern = false;
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    std::string_view opt = ctx.arg(i);
    bool has_value = i + 1 < ctx.argc();
    if (iequals(opt, "count") && has_value) {
      if (!arg_int64(ctx, i + 1, count)) return false;
      if (*count < 1) {
        ctx.reply_syntax_error();
        return false;
      }
    } else if (iequals(opt, "match") && has_value) {
      *pattern = ctx.arg(i + 1);
      *use_pattern = *pattern != "*";
    } else {
      ctx.reply_syntax_error();
      return false;
    }
  }
  return true;
}

void cmd_hscan(CommandContext& ctx) {
  uint64_t cursor;
  Db db = client_db(ctx);
  Ref<Entry> e = scan_collection_start(ctx, db, ObjType::kHash, &cursor);
  if (e.is_null()) return;
  int64_t count;
  std::string_view pattern;
  bool use_pattern;
  if (!parse_scan_options(ctx, &count, &pattern, &use_pattern)) return;
  stm::Tx& tx = ctx.tx();
  RawRef v = db.read(e).value;
  std::vector<Pair> found;
  uint64_t next = 0;
  auto add = [&](std::string_view f, std::string_view val) {
    if (!use_pattern || string_match(pattern, f)) found.emplace_back(f, val);
  };
  if (is_dict(tx, v)) {
    next = Dict(tx, v).scan(cursor, size_t(count),
                            [&](std::string_view f, RawRef val) { add(f, str_view(tx, val)); });
  } else {
    for (const Pair& p : pack_pairs(tx, v)) add(p.first, p.second);
  }
  ctx.out.add_array_len(2);
  ctx.out.add_bulk(std::to_string(next));
  ctx.out.add_array_len(found.size() * 2);
  for (const Pair& p : found) {
    ctx.out.add_bulk(p.first);
    ctx.out.add_bulk(p.second);
  }
}

// --- value type hooks ---

void free_hash(stm::Tx& tx, RawRef v) {
  if (is_dict(tx, v)) {
    Dict(tx, v).destroy();
  } else {
    tx.free(v);
  }
}

RawRef copy_hash(stm::Tx& tx, RawRef v) {
  return is_dict(tx, v) ? Dict(tx, v).copy() : copy_compact(tx, v);
}

// WATCH: in-place writes to a dict change its per-segment stamps, not Entry::version.
uint64_t stamp_hash(stm::Tx& tx, RawRef v) { return is_dict(tx, v) ? Dict(tx, v).stamp() : 0; }

}  // namespace

void register_hash_family(CommandTable& t) {
  register_value_freer(ObjType::kHash, free_hash);
  register_value_copier(ObjType::kHash, copy_hash);
  register_value_stamper(ObjType::kHash, stamp_hash);
  // clang-format off
  constexpr uint32_t kR = kCmdReadonly | kCmdTx;
  constexpr uint32_t kW = kCmdWrite | kCmdTx;
  constexpr uint64_t kRd = kAclRead | kAclHash;
  constexpr uint64_t kWr = kAclWrite | kAclHash;
  struct Row {
    std::string_view name;
    int arity;
    uint32_t flags;
    uint64_t acl;
    CommandHandler handler;
    std::string_view since, summary, complexity, syntax;
  };
  for (const Row& r : {
      Row{"hset", -4, kW | kCmdDenyOom | kCmdFast, kWr | kAclFast, cmd_hset, "2.0.0",
          "Set the string value of a hash field",
          "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the "
          "command is called with multiple field/value pairs.",
          "key field value [field value ...]"},
      Row{"hsetnx", 4, kW | kCmdDenyOom | kCmdFast, kWr | kAclFast, cmd_hsetnx, "2.0.0",
          "Set the value of a hash field, only if the field does not exist", "O(1)",
          "key field value"},
      Row{"hget", 3, kR | kCmdFast, kRd | kAclFast, cmd_hget, "2.0.0",
          "Get the value of a hash field", "O(1)", "key field"},
      Row{"hmset", -4, kW | kCmdDenyOom | kCmdFast, kWr | kAclFast, cmd_hset, "2.0.0",
          "Set multiple hash fields to multiple values",
          "O(N) where N is the number of fields being set.",
          "key field value [field value ...]"},
      Row{"hmget", -3, kR | kCmdFast, kRd | kAclFast, cmd_hmget, "2.0.0",
          "Get the values of all the given hash fields",
          "O(N) where N is the number of fields being requested.", "key field [field ...]"},
      Row{"hdel", -3, kW | kCmdFast, kWr | kAclFast, cmd_hdel, "2.0.0",
          "Delete one or more hash fields",
          "O(N) where N is the number of fields to be removed.", "key field [field ...]"},
      Row{"hlen", 2, kR | kCmdFast, kRd | kAclFast, cmd_hlen, "2.0.0",
          "Get the number of fields in a hash", "O(1)", "key"},
      Row{"hstrlen", 3, kR | kCmdFast, kRd | kAclFast, cmd_hstrlen, "3.2.0",
          "Get the length of the value of a hash field", "O(1)", "key field"},
      Row{"hexists", 3, kR | kCmdFast, kRd | kAclFast, cmd_hexists, "2.0.0",
          "Determine if a hash field exists", "O(1)", "key field"},
      Row{"hkeys", 2, kR, kRd | kAclSlow, cmd_hkeys, "2.0.0", "Get all the fields in a hash",
          "O(N) where N is the size of the hash.", "key"},
      Row{"hvals", 2, kR, kRd | kAclSlow, cmd_hvals, "2.0.0", "Get all the values in a hash",
          "O(N) where N is the size of the hash.", "key"},
      Row{"hgetall", 2, kR, kRd | kAclSlow, cmd_hgetall, "2.0.0",
          "Get all the fields and values in a hash", "O(N) where N is the size of the hash.",
          "key"},
      Row{"hincrby", 4, kW | kCmdDenyOom | kCmdFast, kWr | kAclFast, cmd_hincrby, "2.0.0",
          "Increment the integer value of a hash field by the given number", "O(1)",
          "key field increment"},
      Row{"hincrbyfloat", 4, kW | kCmdDenyOom | kCmdFast, kWr | kAclFast, cmd_hincrbyfloat,
          "2.6.0", "Increment the float value of a hash field by the given amount", "O(1)",
          "key field increment"},
      Row{"hrandfield", -2, kR, kRd | kAclSlow, cmd_hrandfield, "6.2.0",
          "Get one or multiple random fields from a hash",
          "O(N) where N is the number of fields returned", "key [count [WITHVALUES]]"},
      Row{"hscan", -3, kR, kRd | kAclSlow, cmd_hscan, "2.8.0",
          "Incrementally iterate hash fields and associated values",
          "O(1) for every call. O(N) for a complete iteration, including enough command calls "
          "for the cursor to return back to 0. N is the number of elements inside the "
          "collection..",
          "key cursor [MATCH pattern] [COUNT count]"},
  }) {
    t.add({.name = r.name, .arity = r.arity, .flags = r.flags, .first_key = 1, .last_key = 1,
           .key_step = 1, .acl = r.acl, .handler = r.handler, .group = "hash",
           .since = r.since, .summary = r.summary, .complexity = r.complexity,
           .syntax = r.syntax});
  }
  // clang-format on
}

}  // namespace stmkv
