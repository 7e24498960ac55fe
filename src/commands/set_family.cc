// commands/set_family.cc — set commands (Redis's t_set.c): SADD SREM SMEMBERS SISMEMBER
// SMISMEMBER SCARD SPOP SRANDMEMBER SMOVE SINTER SINTERCARD SINTERSTORE SUNION SUNIONSTORE SDIFF
// SDIFFSTORE SSCAN.
//
// Encodings, as Redis 7.0 reports them: a set of integers with at most set-max-intset-entries
// members is an intset (a sorted int64 array, OBJECT ENCODING "intset"), every other set is a
// "hashtable". Internally a small hashtable set (at most set-max-listpack-entries members of at
// most set-max-listpack-value bytes) is a compact pack of members in insertion order (Redis 7.0
// has no set listpack; its hashtable order is unspecified, so this is not observable), and a
// larger one a ds/dict.h Dict. Writes to a compact set replace it (O(n) for n <= 128/512, as
// Redis's intset inserts); writes to a Dict touch only the members' buckets and nodes.
#include <algorithm>
#include <climits>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "commands/match.h"
#include "commands/util.h"
#include "ds/collections.h"
#include "ds/dict.h"
#include "ds/keyspace.h"
#include "ds/small_map.h"
#include "server/command_table.h"
#include "server/effects.h"
#include "server/server.h"

namespace stmkv {

namespace {

using stm::RawRef;
using stm::Ref;
using Members = std::vector<std::string>;

struct Limits {
  int64_t intset_entries;
  int64_t pack_entries;
  int64_t pack_value;
};
Limits set_limits(CommandContext& ctx) {
  const ServerConfig& c = ctx.server.config();
  return Limits{c.set_max_intset_entries, c.set_max_listpack_entries, c.set_max_listpack_value};
}

uint64_t random_seed() {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  return rng();
}

struct Rng {
  uint64_t x = random_seed() | 1;
  uint64_t operator()() {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  }
};

// --- reading a set of any encoding ---

// A random member (the set is not empty).
std::string set_random(stm::Tx& tx, RawRef v, Rng& rng) {
  switch (value_kind(tx, v)) {
    case ValueKind::kDict: {
      Dict d(tx, v);
      return std::string(d.field_of(d.random(rng())));
    }
    case ValueKind::kIntset: {
      IntsetView iv = intset_view(tx, v);
      return std::to_string(iv.data[rng() % iv.count]);
    }
    default: {
      std::vector<std::string_view> all = PackReader(tx, v).all();
      return std::string(all[rng() % all.size()]);
    }
  }
}

// --- building and writing ---

// A new set value holding `members` (unique, not empty), encoded as Redis would encode a set
// built by adding them to an empty one; allow_intset false for a set that is already a
// hashtable (Redis never converts back).
RawRef build_set(CommandContext& ctx, const Members& members, bool allow_intset, Encoding* enc) {
  stm::Tx& tx = ctx.tx();
  Limits lim = set_limits(ctx);
  if (allow_intset && int64_t(members.size()) <= lim.intset_entries) {
    std::vector<int64_t> ints;
    ints.reserve(members.size());
    bool all_int = true;
    for (const std::string& m : members) {
      int64_t i;
      if (!parse_int64(m, &i)) {
        all_int = false;
        break;
      }
      ints.push_back(i);
    }
    if (all_int) {
      std::sort(ints.begin(), ints.end());
      *enc = Encoding::kIntset;
      return make_intset(tx, ints);
    }
  }
  *enc = Encoding::kHashtable;
  bool small = int64_t(members.size()) <= lim.pack_entries;
  for (size_t i = 0; i < members.size() && small; ++i) {
    small = int64_t(members[i].size()) <= lim.pack_value;
  }
  if (small) {
    PackBuilder b;
    for (const std::string& m : members) b.add(m);
    return b.finish(tx, ValueKind::kMembers);
  }
  RawRef v = Dict::create(tx, members.size());
  Dict d(tx, v);
  for (const std::string& m : members) d.insert(m, RawRef());
  return v;
}

// Stores `members` as key's set (e null: a new key); deletes the key when empty.
void store_set(CommandContext& ctx, Db& db, Ref<Entry> e, std::string_view key,
               const Members& members, bool allow_intset) {
  if (members.empty()) {
    if (!e.is_null()) db.remove(key);
    return;
  }
  Encoding enc;
  RawRef v = build_set(ctx, members, allow_intset, &enc);
  if (e.is_null()) {
    db.set(key, ObjType::kSet, v, enc, kNoExpire);
  } else {
    db.set_value(e, ObjType::kSet, v, enc);
  }
}

// Adds members to key's set (creating it). Returns how many were new.
int64_t set_add(CommandContext& ctx, Db& db, Ref<Entry> e, std::string_view key,
                const std::vector<std::string_view>& add) {
  stm::Tx& tx = ctx.tx();
  RawRef v = e.is_null() ? RawRef() : db.read(e).value;
  if (!v.is_null() && value_kind(tx, v) == ValueKind::kDict) {
    Dict d(tx, v);
    int64_t added = 0;
    for (std::string_view m : add) added += d.insert(m, RawRef()) ? 1 : 0;
    return added;
  }
  Members members = v.is_null() ? Members() : set_members(tx, v);
  members.reserve(members.size() + add.size());  // before views of its strings are taken
  std::unordered_set<std::string_view> seen(members.begin(), members.end());
  std::vector<std::string_view> fresh;
  for (std::string_view m : add) {
    if (seen.insert(m).second) fresh.push_back(m);
  }
  if (fresh.empty()) return 0;
  for (std::string_view m : fresh) members.emplace_back(m);
  bool intset = v.is_null() || value_kind(tx, v) == ValueKind::kIntset;
  store_set(ctx, db, e, key, members, intset);
  return int64_t(fresh.size());
}

// Removes members from the set of entry e (live); deletes the key when it becomes empty.
int64_t set_remove(CommandContext& ctx, Db& db, Ref<Entry> e, std::string_view key,
                   const std::vector<std::string_view>& del) {
  stm::Tx& tx = ctx.tx();
  RawRef v = db.read(e).value;
  ValueKind kind = value_kind(tx, v);
  if (kind == ValueKind::kDict) {
    Dict d(tx, v);
    int64_t removed = 0;
    bool empty = false;
    for (size_t i = 0; i < del.size() && !empty; ++i) removed += d.remove(del[i], &empty) ? 1 : 0;
    if (empty) db.remove(key);
    return removed;
  }
  std::unordered_set<std::string_view> gone;
  for (std::string_view m : del) {
    if (set_contains(tx, v, m)) gone.insert(m);
  }
  if (gone.empty()) return 0;
  Members members = set_members(tx, v), kept;
  for (std::string& m : members) {
    if (gone.count(m) == 0) kept.push_back(std::move(m));
  }
  store_set(ctx, db, e, key, kept, kind == ValueKind::kIntset);
  return int64_t(gone.size());
}

// Looks key up for a write; replies WRONGTYPE (and sets *wrong) when it is not a set.
Ref<Entry> find_set_for_write(CommandContext& ctx, Db& db, std::string_view key, bool* wrong) {
  *wrong = false;
  Ref<Entry> e = db.find(key);
  if (!e.is_null() && static_cast<ObjType>(db.read(e).type) != ObjType::kSet) {
    *wrong = true;
    ctx.reply_wrong_type();
    return Ref<Entry>();
  }
  return e;
}

std::vector<std::string_view> args_from(CommandContext& ctx, size_t first) {
  return std::vector<std::string_view>(ctx.argv.begin() + first, ctx.argv.end());
}

void reply_members(CommandContext& ctx, const Members& ms) {
  ctx.out.add_set_len(ms.size());
  for (const std::string& m : ms) ctx.out.add_bulk(m);
}

// --- commands ---

void cmd_sadd(CommandContext& ctx) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = find_set_for_write(ctx, db, ctx.arg(1), &wrong);
  if (wrong) return;
  ctx.out.add_integer(set_add(ctx, db, e, ctx.arg(1), args_from(ctx, 2)));
}

void cmd_srem(CommandContext& ctx) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = find_set_for_write(ctx, db, ctx.arg(1), &wrong);
  if (wrong) return;
  ctx.out.add_integer(e.is_null() ? 0 : set_remove(ctx, db, e, ctx.arg(1), args_from(ctx, 2)));
}

void cmd_sismember(CommandContext& ctx) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kSet, &wrong);
  if (wrong) return;
  ctx.out.add_integer(!e.is_null() && set_contains(ctx.tx(), db.read(e).value, ctx.arg(2)));
}

void cmd_smismember(CommandContext& ctx) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kSet, &wrong);
  if (wrong) return;
  ctx.out.add_array_len(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    ctx.out.add_integer(!e.is_null() && set_contains(ctx.tx(), db.read(e).value, ctx.arg(i)));
  }
}

void cmd_scard(CommandContext& ctx) {
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kSet, &wrong);
  if (wrong) return;
  ctx.out.add_integer(e.is_null() ? 0 : set_size(ctx.tx(), db.read(e).value));
}

// Picks `count` distinct random members of a set of `size` > count members.
Members random_distinct(stm::Tx& tx, RawRef v, uint64_t count, Rng& rng) {
  Members out;
  if (value_kind(tx, v) == ValueKind::kDict && count * 3 <= uint64_t(set_size(tx, v))) {
    std::unordered_set<std::string> picked;  // Redis's CASE 4: draw until enough distinct
    Dict d(tx, v);
    while (picked.size() < count) {
      std::string m(d.field_of(d.random(rng())));
      if (picked.insert(m).second) out.push_back(std::move(m));
    }
    return out;
  }
  Members all = set_members(tx, v);
  for (uint64_t i = 0; i < count; ++i) std::swap(all[i], all[i + rng() % (all.size() - i)]);
  all.resize(count);
  return all;
}

void cmd_spop(CommandContext& ctx) {
  bool with_count = ctx.argc() == 3;
  int64_t count = 1;
  if (ctx.argc() > 3) {
    ctx.reply_syntax_error();
    return;
  }
  if (with_count && (!parse_int64(ctx.arg(2), &count) || count < 0)) {
    ctx.out.add_error("ERR value is out of range, must be positive");
    return;
  }
  Db db = client_db(ctx);
  bool wrong;
  std::string_view key = ctx.arg(1);
  Ref<Entry> e = find_set_for_write(ctx, db, key, &wrong);
  if (wrong) return;
  if (e.is_null() || count == 0) {
    if (with_count) {
      ctx.out.add_set_len(0);
    } else {
      ctx.out.add_null();
    }
    Effects::current().suppress();  // nothing popped: no AOF record, even in a block
    return;
  }
  stm::Tx& tx = ctx.tx();
  RawRef v = db.read(e).value;
  Rng rng;
  if (!with_count) {
    std::string m = set_random(tx, v, rng);
    set_remove(ctx, db, e, key, {m});
    ctx.out.add_bulk(m);
    // AOF (server/effects.h): the random pick as SREM key member, as Redis 7.0.
    Effects::current().add(ctx.client.db, {std::string_view("SREM"), key, m});
    return;
  }
  uint64_t size = uint64_t(set_size(tx, v));
  if (uint64_t(count) >= size) {  // CASE 1: the whole set
    Members all = set_members(tx, v);
    db.remove(key);
    reply_members(ctx, all);
    Effects::current().add(ctx.client.db, {std::string_view("DEL"), key});
    return;
  }
  uint64_t remaining = size - uint64_t(count);
  Members popped;
  if (remaining * 5 > uint64_t(count)) {  // CASE 2: pop `count` members
    popped = random_distinct(tx, v, uint64_t(count), rng);
    std::vector<std::string_view> views(popped.begin(), popped.end());
    set_remove(ctx, db, e, key, views);
  } else {  // CASE 3: keep `remaining` members in a new set
    Members kept = random_distinct(tx, v, remaining, rng);
    std::unordered_set<std::string_view> keep(kept.begin(), kept.end());
    for (std::string& m : set_members(tx, v)) {
      if (keep.count(m) == 0) popped.push_back(std::move(m));
    }
    store_set(ctx, db, e, key, kept, true);
  }
  reply_members(ctx, popped);
  // AOF: one SREM key member per popped member (a MULTI ... EXEC block), as Redis 7.0.
  Effects& fx = Effects::current();
  fx.suppress();
  for (const std::string& m : popped) fx.add(ctx.client.db, {std::string_view("SREM"), key, m});
}

void cmd_srandmember(CommandContext& ctx) {
  bool with_count = ctx.argc() == 3;
  int64_t l = 1;
  if (ctx.argc() > 3) {
    ctx.reply_syntax_error();
    return;
  }
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
  }
  Db db = client_db(ctx);
  bool wrong;
  Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(1), ObjType::kSet, &wrong);
  if (wrong) return;
  if (e.is_null()) {
    if (with_count) {
      ctx.out.add_empty_array();
    } else {
      ctx.out.add_null();
    }
    return;
  }
  stm::Tx& tx = ctx.tx();
  RawRef v = db.read(e).value;
  Rng rng;
  if (!with_count) {
    ctx.out.add_bulk(set_random(tx, v, rng));
    return;
  }
  bool uniq = l >= 0;
  uint64_t count = l >= 0 ? uint64_t(l) : uint64_t(-l);
  if (count == 0) {
    ctx.out.add_empty_array();
    return;
  }
  if (!uniq || count == 1) {  // CASE 1: with repetitions
    ctx.out.add_array_len(count);
    for (uint64_t i = 0; i < count; ++i) ctx.out.add_bulk(set_random(tx, v, rng));
    return;
  }
  if (count >= uint64_t(set_size(tx, v))) {  // CASE 2: the whole set (an array, as 7.0.15)
    Members all = set_members(tx, v);
    ctx.out.add_array_len(all.size());
    for (const std::string& m : all) ctx.out.add_bulk(m);
    return;
  }
  Members ms = random_distinct(tx, v, count, rng);
  ctx.out.add_array_len(ms.size());
  for (const std::string& m : ms) ctx.out.add_bulk(m);
}

void cmd_smove(CommandContext& ctx) {
  Db db = client_db(ctx);
  std::string_view src_key = ctx.arg(1), dst_key = ctx.arg(2), member = ctx.arg(3);
  Ref<Entry> src = db.find(src_key), dst = db.find(dst_key);
  if (src.is_null()) {
    ctx.out.add_integer(0);
    return;
  }
  if (static_cast<ObjType>(db.read(src).type) != ObjType::kSet ||
      (!dst.is_null() && static_cast<ObjType>(db.read(dst).type) != ObjType::kSet)) {
    ctx.reply_wrong_type();
    return;
  }
  stm::Tx& tx = ctx.tx();
  if (src_key == dst_key) {
    ctx.out.add_integer(set_contains(tx, db.read(src).value, member));
    return;
  }
  if (set_remove(ctx, db, src, src_key, {member}) == 0) {
    ctx.out.add_integer(0);
    return;
  }
  set_add(ctx, db, dst, dst_key, {member});
  ctx.out.add_integer(1);
}

// The sets named by argv[first..last) for SINTER/SUNION/SDIFF: a null value for a missing key.
// Replies WRONGTYPE and returns false when one is not a set.
bool load_sets(CommandContext& ctx, Db& db, size_t first, size_t last, std::vector<RawRef>* sets) {
  for (size_t j = first; j < last; ++j) {
    bool wrong;
    Ref<Entry> e = lookup_typed(ctx, db, ctx.arg(j), ObjType::kSet, &wrong);
    if (wrong) return false;
    sets->push_back(e.is_null() ? RawRef() : db.read(e).value);
  }
  return true;
}

// The intersection, in the iteration order of the smallest set; stops at `limit` (0: none).
Members intersect(stm::Tx& tx, std::vector<RawRef> sets, uint64_t limit = 0) {
  for (RawRef s : sets) {
    if (s.is_null()) return {};
  }
  std::vector<std::pair<int64_t, RawRef>> by_size;
  for (RawRef s : sets) by_size.emplace_back(set_size(tx, s), s);
  std::stable_sort(by_size.begin(), by_size.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  Members out;
  for (std::string& m : set_members(tx, by_size[0].second)) {
    bool all = true;
    for (size_t j = 1; j < by_size.size() && all; ++j) all = set_contains(tx, by_size[j].second, m);
    if (!all) continue;
    out.push_back(std::move(m));
    if (limit != 0 && out.size() >= limit) break;
  }
  return out;
}

// Union (diff false) or difference of the sets, without duplicates, in first-seen order.
Members combine(stm::Tx& tx, const std::vector<RawRef>& sets, bool diff) {
  Members out;
  if (diff) {
    if (sets[0].is_null()) return out;
    for (std::string& m : set_members(tx, sets[0])) {
      bool other = false;
      for (size_t j = 1; j < sets.size() && !other; ++j) {
        other = !sets[j].is_null() && set_contains(tx, sets[j], m);
      }
      if (!other) out.push_back(std::move(m));
    }
    return out;
  }
  std::unordered_set<std::string> seen;
  for (RawRef s : sets) {
    if (s.is_null()) continue;
    for (std::string& m : set_members(tx, s)) {
      if (seen.insert(m).second) out.push_back(std::move(m));
    }
  }
  return out;
}

enum class SetOp { kInter, kUnion, kDiff };

// SINTER/SUNION/SDIFF (store false: keys from argv[1]) and their STORE forms (dst argv[1]).
void set_op(CommandContext& ctx, SetOp op, bool store) {
  Db db = client_db(ctx);
  std::vector<RawRef> sets;
  if (!load_sets(ctx, db, store ? 2 : 1, ctx.argc(), &sets)) return;
  stm::Tx& tx = ctx.tx();
  Members result =
      op == SetOp::kInter ? intersect(tx, sets) : combine(tx, sets, op == SetOp::kDiff);
  if (!store) {
    // Redis replies from the set it built: in intset order when that set is an intset.
    if (op != SetOp::kInter && int64_t(result.size()) <= set_limits(ctx).intset_entries) {
      std::vector<std::pair<int64_t, size_t>> ints;
      for (size_t i = 0; i < result.size(); ++i) {
        int64_t n;
        if (!parse_int64(result[i], &n)) break;
        ints.emplace_back(n, i);
      }
      if (ints.size() == result.size()) {
        std::sort(ints.begin(), ints.end());
        Members sorted;
        for (const auto& p : ints) sorted.push_back(std::move(result[p.second]));
        result = std::move(sorted);
      }
    }
    reply_members(ctx, result);
    return;
  }
  std::string_view dst = ctx.arg(1);
  if (result.empty()) {
    db.remove(dst);
  } else {
    Encoding enc;
    RawRef v = build_set(ctx, result, true, &enc);
    db.set(dst, ObjType::kSet, v, enc, kNoExpire);
  }
  ctx.out.add_integer(int64_t(result.size()));
}

void cmd_sinter(CommandContext& ctx) { set_op(ctx, SetOp::kInter, false); }
void cmd_sinterstore(CommandContext& ctx) { set_op(ctx, SetOp::kInter, true); }
void cmd_sunion(CommandContext& ctx) { set_op(ctx, SetOp::kUnion, false); }
void cmd_sunionstore(CommandContext& ctx) { set_op(ctx, SetOp::kUnion, true); }
void cmd_sdiff(CommandContext& ctx) { set_op(ctx, SetOp::kDiff, false); }
void cmd_sdiffstore(CommandContext& ctx) { set_op(ctx, SetOp::kDiff, true); }

void cmd_sintercard(CommandContext& ctx) {
  int64_t numkeys;
  if (!parse_int64(ctx.arg(1), &numkeys) || numkeys < 1) {
    ctx.out.add_error("ERR numkeys should be greater than 0");
    return;
  }
  if (numkeys > int64_t(ctx.argc()) - 2) {
    ctx.out.add_error("ERR Number of keys can't be greater than number of args");
    return;
  }
  int64_t limit = 0;
  for (size_t j = 2 + size_t(numkeys); j < ctx.argc(); ++j) {
    if (iequals(ctx.arg(j), "limit") && j + 1 < ctx.argc()) {
      if (!parse_int64(ctx.arg(j + 1), &limit) || limit < 0) {
        ctx.out.add_error("ERR LIMIT can't be negative");
        return;
      }
      ++j;
    } else {
      ctx.reply_syntax_error();
      return;
    }
  }
  Db db = client_db(ctx);
  std::vector<RawRef> sets;
  if (!load_sets(ctx, db, 2, 2 + size_t(numkeys), &sets)) return;
  ctx.out.add_integer(int64_t(intersect(ctx.tx(), sets, uint64_t(limit)).size()));
}

void cmd_sscan(CommandContext& ctx) {
  uint64_t cursor;
  Db db = client_db(ctx);
  Ref<Entry> e = scan_collection_start(ctx, db, ObjType::kSet, &cursor);
  if (e.is_null()) return;
  int64_t count = 10;
  std::string_view pattern;
  bool use_pattern = false;
  for (size_t i = 3; i < ctx.argc(); i += 2) {
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
    } else {
      ctx.reply_syntax_error();
      return;
    }
  }
  stm::Tx& tx = ctx.tx();
  RawRef v = db.read(e).value;
  Members found;
  uint64_t next = 0;
  auto add = [&](std::string_view m) {
    if (!use_pattern || string_match(pattern, m)) found.emplace_back(m);
  };
  if (value_kind(tx, v) == ValueKind::kDict) {
    next = Dict(tx, v).scan(cursor, size_t(count), [&](std::string_view m, RawRef) { add(m); });
  } else {
    for (const std::string& m : set_members(tx, v)) add(m);
  }
  ctx.out.add_array_len(2);
  ctx.out.add_bulk(std::to_string(next));
  ctx.out.add_array_len(found.size());
  for (const std::string& m : found) ctx.out.add_bulk(m);
}

// --- value type hooks ---

void free_set(stm::Tx& tx, RawRef v) {
  if (value_kind(tx, v) == ValueKind::kDict) {
    Dict(tx, v).destroy();
  } else {
    tx.free(v);
  }
}

RawRef copy_set(stm::Tx& tx, RawRef v) {
  return value_kind(tx, v) == ValueKind::kDict ? Dict(tx, v).copy() : copy_compact(tx, v);
}

// WATCH: in-place writes to a dict change its per-segment stamps, not Entry::version.
uint64_t stamp_set(stm::Tx& tx, RawRef v) {
  return value_kind(tx, v) == ValueKind::kDict ? Dict(tx, v).stamp() : 0;
}

}  // namespace

void register_set_family(CommandTable& t) {
  register_value_freer(ObjType::kSet, free_set);
  register_value_copier(ObjType::kSet, copy_set);
  register_value_stamper(ObjType::kSet, stamp_set);
  // clang-format off
  constexpr uint32_t kR = kCmdReadonly | kCmdTx;
  constexpr uint32_t kW = kCmdWrite | kCmdTx;
  constexpr uint64_t kRd = kAclRead | kAclSet;
  constexpr uint64_t kWr = kAclWrite | kAclSet;
  struct Row {
    std::string_view name;
    int arity;
    uint32_t flags;
    int first_key, last_key;
    uint64_t acl;
    CommandHandler handler;
    std::string_view since, summary, complexity, syntax;
  };
  constexpr std::string_view kInterCx =
      "O(N*M) worst case where N is the cardinality of the smallest set and M is the number "
      "of sets.";
  constexpr std::string_view kUnionCx =
      "O(N) where N is the total number of elements in all given sets.";
  constexpr std::string_view kDiffCx =
      "O(N) where N is the total number of elements in all given sets.";
  for (const Row& r : {
      Row{"sadd", -3, kW | kCmdDenyOom | kCmdFast, 1, 1, kWr | kAclFast, cmd_sadd, "1.0.0",
          "Add one or more members to a set",
          "O(1) for each element added, so O(N) to add N elements when the command is called "
          "with multiple arguments.",
          "key member [member ...]"},
      Row{"srem", -3, kW | kCmdFast, 1, 1, kWr | kAclFast, cmd_srem, "1.0.0",
          "Remove one or more members from a set",
          "O(N) where N is the number of members to be removed.", "key member [member ...]"},
      Row{"smembers", 2, kR, 1, 1, kRd | kAclSlow, cmd_sinter, "1.0.0",
          "Get all the members in a set", "O(N) where N is the set cardinality.", "key"},
      Row{"sismember", 3, kR | kCmdFast, 1, 1, kRd | kAclFast, cmd_sismember, "1.0.0",
          "Determine if a given value is a member of a set", "O(1)", "key member"},
      Row{"smismember", -3, kR | kCmdFast, 1, 1, kRd | kAclFast, cmd_smismember, "6.2.0",
          "Returns the membership associated with the given elements for a set",
          "O(N) where N is the number of elements being checked for membership",
          "key member [member ...]"},
      Row{"scard", 2, kR | kCmdFast, 1, 1, kRd | kAclFast, cmd_scard, "1.0.0",
          "Get the number of members in a set", "O(1)", "key"},
      Row{"spop", -2, kW | kCmdFast, 1, 1, kWr | kAclFast, cmd_spop, "1.0.0",
          "Remove and return one or multiple random members from a set",
          "Without the count argument O(1), otherwise O(N) where N is the value of the passed "
          "count.",
          "key [count]"},
      Row{"srandmember", -2, kR, 1, 1, kRd | kAclSlow, cmd_srandmember, "1.0.0",
          "Get one or multiple random members from a set",
          "Without the count argument O(1), otherwise O(N) where N is the absolute value of "
          "the passed count.",
          "key [count]"},
      Row{"smove", 4, kW | kCmdFast, 1, 2, kWr | kAclFast, cmd_smove, "1.0.0",
          "Move a member from one set to another", "O(1)", "source destination member"},
      Row{"sinter", -2, kR, 1, -1, kRd | kAclSlow, cmd_sinter, "1.0.0", "Intersect multiple sets",
          kInterCx, "key [key ...]"},
      Row{"sintercard", -3, kR, 0, 0, kRd | kAclSlow, cmd_sintercard, "7.0.0",
          "Intersect multiple sets and return the cardinality of the result", kInterCx,
          "numkeys key [key ...] [LIMIT limit]"},
      Row{"sinterstore", -3, kW | kCmdDenyOom, 1, -1, kWr | kAclSlow, cmd_sinterstore, "1.0.0",
          "Intersect multiple sets and store the resulting set in a key", kInterCx,
          "destination key [key ...]"},
      Row{"sunion", -2, kR, 1, -1, kRd | kAclSlow, cmd_sunion, "1.0.0", "Add multiple sets",
          kUnionCx, "key [key ...]"},
      Row{"sunionstore", -3, kW | kCmdDenyOom, 1, -1, kWr | kAclSlow, cmd_sunionstore, "1.0.0",
          "Add multiple sets and store the resulting set in a key", kUnionCx,
          "destination key [key ...]"},
      Row{"sdiff", -2, kR, 1, -1, kRd | kAclSlow, cmd_sdiff, "1.0.0", "Subtract multiple sets",
          kDiffCx, "key [key ...]"},
      Row{"sdiffstore", -3, kW | kCmdDenyOom, 1, -1, kWr | kAclSlow, cmd_sdiffstore, "1.0.0",
          "Subtract multiple sets and store the resulting set in a key", kDiffCx,
          "destination key [key ...]"},
      Row{"sscan", -3, kR, 1, 1, kRd | kAclSlow, cmd_sscan, "2.8.0",
          "Incrementally iterate Set elements",
          "O(1) for every call. O(N) for a complete iteration, including enough command calls "
          "for the cursor to return back to 0. N is the number of elements inside the "
          "collection..",
          "key cursor [MATCH pattern] [COUNT count]"},
  }) {
    t.add({.name = r.name, .arity = r.arity, .flags = r.flags, .first_key = r.first_key,
           .last_key = r.last_key, .key_step = r.first_key == 0 ? 0 : 1, .acl = r.acl,
           .handler = r.handler, .group = "set", .since = r.since, .summary = r.summary,
           .complexity = r.complexity, .syntax = r.syntax});
  }
  // clang-format on
}

}  // namespace stmkv
