// commands/zset_family.cc — sorted-set commands (Redis's t_zset.c), part 1: ZADD ZINCRBY ZREM
// ZCARD ZSCORE ZMSCORE ZRANK ZREVRANK ZPOPMIN ZPOPMAX ZMPOP BZPOPMIN BZPOPMAX BZMPOP
// ZRANDMEMBER ZSCAN, and the helpers of zset_common.h. Ranges are in zset_range_family.cc,
// ZUNION/ZINTER/ZDIFF in zset_setop_family.cc. The structures are in ds/zset.h.
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <random>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "commands/match.h"
#include "commands/zset_common.h"
#include "protocol/number_format.h"
#include "server/blocking.h"
#include "server/client.h"
#include "server/effects.h"
#include "server/server.h"

namespace stmkv {

using stm::RawRef;
using stm::Ref;

// --- shared helpers (zset_common.h) ---

ZSetLimits zset_limits(CommandContext& ctx) {
  const ServerConfig& c = ctx.server.config();
  return ZSetLimits{c.zset_max_listpack_entries, c.zset_max_listpack_value};
}

bool open_zset(CommandContext& ctx, Db& db, std::string_view key, bool read, Ref<Entry>* e,
               std::optional<ZSet>* z) {
  bool wrong = false;
  if (read) {
    *e = lookup_typed(ctx, db, key, ObjType::kZSet, &wrong);
  } else {
    *e = db.find(key);
    if (!e->is_null() && static_cast<ObjType>(db.read(*e).type) != ObjType::kZSet) {
      ctx.reply_wrong_type();
      wrong = true;
    }
  }
  if (wrong) return false;
  if (!e->is_null()) {
    const Entry& en = db.read(*e);
    z->emplace(ctx.tx(), en.value, static_cast<Encoding>(en.encoding), zset_limits(ctx));
  }
  return true;
}

void store_zset(Db& db, Ref<Entry> e, std::string_view key, ZSet& z) {
  RawRef v = z.flush();
  if (z.size() == 0) {
    z.discard_new();
    if (!e.is_null()) db.remove(key);
    return;
  }
  if (e.is_null()) {
    db.set(key, ObjType::kZSet, v, z.encoding(), kNoExpire);
  } else if (v != db.read(e).value) {
    db.set_value(e, ObjType::kZSet, v, z.encoding());
  } else {
    db.touch_write(e);
  }
}

void store_zset_result(CommandContext& ctx, Db& db, std::string_view dst,
                       const std::vector<ZElem>& sorted) {
  if (sorted.empty()) {
    db.remove(dst);
    return;
  }
  ZSet z = ZSet::build(ctx.tx(), sorted, zset_limits(ctx));
  db.set(dst, ObjType::kZSet, z.value(), z.encoding(), kNoExpire);
}

bool parse_score_range(std::string_view min, std::string_view max, ScoreRange* r) {
  auto one = [](std::string_view s, double* v, bool* ex) {
    std::string buf(s);
    const char* p = buf.c_str();
    *ex = false;
    if (*p == '(') {
      *ex = true;
      ++p;
    }
    char* end;
    *v = std::strtod(p, &end);
    return *end == '\0' && !std::isnan(*v) && end == buf.c_str() + buf.size();
  };
  return one(min, &r->min, &r->minex) && one(max, &r->max, &r->maxex);
}

bool parse_lex_range(std::string_view min, std::string_view max, LexRange* r) {
  auto one = [](std::string_view s, LexBound* b) {
    if (s.empty()) return false;
    switch (s[0]) {
      case '+':
        if (s.size() != 1) return false;
        b->kind = LexBound::kPosInf;
        return true;
      case '-':
        if (s.size() != 1) return false;
        b->kind = LexBound::kNegInf;
        return true;
      case '(':
      case '[':
        b->kind = LexBound::kValue;
        b->exclusive = s[0] == '(';
        b->value = s.substr(1);
        return true;
      default: return false;
    }
  };
  return one(min, &r->min) && one(max, &r->max);
}

namespace {

bool arg_double(CommandContext& ctx, size_t i, double* out) {
  if (!parse_double(ctx.arg(i), out)) {
    ctx.reply_not_float();
    return false;
  }
  return true;
}

// --- ZADD / ZINCRBY ---

void zadd_generic(CommandContext& ctx, int flags) {
  bool ch = false;
  size_t idx = 2;
  for (; idx < ctx.argc(); ++idx) {
    std::string_view o = ctx.arg(idx);
    if (iequals(o, "nx"))
      flags |= kZAddNx;
    else if (iequals(o, "xx"))
      flags |= kZAddXx;
    else if (iequals(o, "ch"))
      ch = true;
    else if (iequals(o, "incr"))
      flags |= kZAddIncr;
    else if (iequals(o, "gt"))
      flags |= kZAddGt;
    else if (iequals(o, "lt"))
      flags |= kZAddLt;
    else
      break;
  }
  size_t elements = ctx.argc() - idx;
  if (elements % 2 != 0 || elements == 0) {
    ctx.reply_syntax_error();
    return;
  }
  elements /= 2;
  bool incr = flags & kZAddIncr, nx = flags & kZAddNx, xx = flags & kZAddXx;
  bool gt = flags & kZAddGt, lt = flags & kZAddLt;
  if (nx && xx) {
    ctx.out.add_error("ERR XX and NX options at the same time are not compatible");
    return;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    ctx.out.add_error("ERR GT, LT, and/or NX options at the same time are not compatible");
    return;
  }
  if (incr && elements > 1) {
    ctx.out.add_error("ERR INCR option supports a single increment-element pair");
    return;
  }
  std::vector<double> scores(elements);
  for (size_t j = 0; j < elements; ++j) {
    if (!arg_double(ctx, idx + 2 * j, &scores[j])) return;
  }
  Db db = client_db(ctx);
  std::string_view key = ctx.arg(1);
  Ref<Entry> e;
  std::optional<ZSet> z;
  if (!open_zset(ctx, db, key, false, &e, &z)) return;
  int64_t added = 0, updated = 0, processed = 0;
  double newscore = 0;
  if (!z) {
    if (xx) {
      if (incr)
        ctx.out.add_null();
      else
        ctx.out.add_integer(0);
      return;
    }
    z.emplace(ZSet::create(ctx.tx(), ctx.arg(idx + 1).size(), zset_limits(ctx)));
  }
  bool nan = false;
  for (size_t j = 0; j < elements; ++j) {
    int out;
    if (!z->add(scores[j], ctx.arg(idx + 2 * j + 1), flags, &out, &newscore)) {
      nan = true;
      break;
    }
    if (out & kZAddAdded) ++added;
    if (out & kZAddUpdated) ++updated;
    if (!(out & kZAddNop)) ++processed;
  }
  if (added + updated > 0 || e.is_null()) {
    store_zset(db, e, key, *z);
    if (added > 0) signal_key_ready(ctx, key);
  }
  if (nan) {
    ctx.out.add_error("ERR resulting score is not a number (NaN)");
    return;
  }
  if (incr) {
    if (processed)
      ctx.out.add_double(newscore);
    else
      ctx.out.add_null();
  } else {
    ctx.out.add_integer(ch ? added + updated : added);
  }
}

void cmd_zadd(CommandContext& ctx) { zadd_generic(ctx, 0); }

void cmd_zincrby(CommandContext& ctx) {
  double incr;
  if (!arg_double(ctx, 2, &incr)) return;
  Db db = client_db(ctx);
  std::string_view key = ctx.arg(1);
  Ref<Entry> e;
  std::optional<ZSet> z;
  if (!open_zset(ctx, db, key, false, &e, &z)) return;
  if (!z) z.emplace(ZSet::create(ctx.tx(), ctx.arg(3).size(), zset_limits(ctx)));
  int out;
  double newscore = 0;
  if (!z->add(incr, ctx.arg(3), kZAddIncr, &out, &newscore)) {
    if (e.is_null()) z->discard_new();
    ctx.out.add_error("ERR resulting score is not a number (NaN)");
    return;
  }
  store_zset(db, e, key, *z);
  if (out & kZAddAdded) signal_key_ready(ctx, key);
  ctx.out.add_double(newscore);
}

// --- ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK ---

void cmd_zrem(CommandContext& ctx) {
  Db db = client_db(ctx);
  std::string_view key = ctx.arg(1);
  Ref<Entry> e;
  std::optional<ZSet> z;
  if (!open_zset(ctx, db, key, false, &e, &z)) return;
  int64_t deleted = 0;
  if (z) {
    for (size_t j = 2; j < ctx.argc(); ++j) {
      if (z->remove(ctx.arg(j))) ++deleted;
      if (z->size() == 0) break;
    }
    if (deleted > 0) store_zset(db, e, key, *z);
  }
  ctx.out.add_integer(deleted);
}

void cmd_zcard(CommandContext& ctx) {
  Db db = client_db(ctx);
  Ref<Entry> e;
  std::optional<ZSet> z;
  if (!open_zset(ctx, db, ctx.arg(1), true, &e, &z)) return;
  ctx.out.add_integer(z ? static_cast<long long>(z->size()) : 0);
}

void cmd_zscore(CommandContext& ctx) {
  Db db = client_db(ctx);
  Ref<Entry> e;
  std::optional<ZSet> z;
  if (!open_zset(ctx, db, ctx.arg(1), true, &e, &z)) return;
  double sc;
  if (z && z->score(ctx.arg(2), &sc)) {
    ctx.out.add_double(sc);
  } else {
    ctx.out.add_null();
  }
}

void cmd_zmscore(CommandContext& ctx) {
  Db db = client_db(ctx);
  Ref<Entry> e;
  std::optional<ZSet> z;
  if (!open_zset(ctx, db, ctx.arg(1), true, &e, &z)) return;
  ctx.out.add_array_len(ctx.argc() - 2);
  for (size_t j = 2; j < ctx.argc(); ++j) {
    double sc;
    if (z && z->score(ctx.arg(j), &sc)) {
      ctx.out.add_double(sc);
    } else {
      ctx.out.add_null();
    }
  }
}

void zrank_generic(CommandContext& ctx, bool reverse) {
  Db db = client_db(ctx);
  Ref<Entry> e;
  std::optional<ZSet> z;
  if (!open_zset(ctx, db, ctx.arg(1), true, &e, &z)) return;
  uint64_t r;
  if (z && z->rank(ctx.arg(2), reverse, &r)) {
    ctx.out.add_integer(static_cast<long long>(r));
  } else {
    ctx.out.add_null();
  }
}
void cmd_zrank(CommandContext& ctx) { zrank_generic(ctx, false); }
void cmd_zrevrank(CommandContext& ctx) { zrank_generic(ctx, true); }

// --- pops ---

// Pops up to count elements of key (min or max first) and writes them: flat pairs, or
// [member, score] pairs when nested. Deletes the key when emptied.
void pop_elements(CommandContext& ctx, Db& db, Ref<Entry> e, std::string_view key, ZSet& z,
                  bool max, int64_t count, bool nested) {
  uint64_t size = z.size();
  uint64_t n = std::min<uint64_t>(size, static_cast<uint64_t>(count));
  std::vector<std::pair<std::string, double>> popped;
  popped.reserve(n);
  z.range_by_rank(0, n - 1, max,
                  [&](const ZElem& el) { popped.emplace_back(std::string(el.member), el.score); });
  for (auto& p : popped) z.remove(p.first);
  store_zset(db, e, key, z);
  ctx.out.add_array_len(nested ? popped.size() : 2 * popped.size());
  for (auto& p : popped) {
    if (nested) ctx.out.add_array_len(2);
    ctx.out.add_bulk(p.first);
    ctx.out.add_double(p.second);
  }
}

void zpop_generic(CommandContext& ctx, bool max) {
  if (ctx.argc() > 3) {
    ctx.reply_syntax_error();
    return;
  }
  int64_t count = 1;
  bool has_count = ctx.argc() == 3;
  if (has_count) {
    if (!parse_int64(ctx.arg(2), &count)) {
      ctx.reply_not_integer();
      return;
    }
    if (count < 0) {
      ctx.out.add_error("ERR value is out of range, must be positive");
      return;
    }
  }
  Db db = client_db(ctx);
  std::string_view key = ctx.arg(1);
  Ref<Entry> e;
  std::optional<ZSet> z;
  if (!open_zset(ctx, db, key, false, &e, &z)) return;
  if (!z || count == 0) {
    ctx.out.add_empty_array();
    return;
  }
  pop_elements(ctx, db, e, key, *z, max, count, has_count && ctx.out.resp() > 2);
}
void cmd_zpopmin(CommandContext& ctx) { zpop_generic(ctx, false); }
void cmd_zpopmax(CommandContext& ctx) { zpop_generic(ctx, true); }

// Tries keys in order; pops from the first non-empty zset: replies [key, member, score]
// (single) or [key, [[member, score]...]] (mpop). Returns false when every key is empty (no
// reply written) or after replying an error. *err tells which.
bool pop_first(CommandContext& ctx, std::span<const std::string_view> keys, bool max, int64_t count,
               bool mpop, bool* err) {
  *err = false;
  Db db = client_db(ctx);
  for (std::string_view key : keys) {
    Ref<Entry> e = db.find(key);
    if (e.is_null()) continue;
    if (static_cast<ObjType>(db.read(e).type) != ObjType::kZSet) {
      if (ctx.client.block_retry) continue;  // woken for another type's key: empty
      ctx.reply_wrong_type();
      *err = true;
      return false;
    }
    const Entry& en = db.read(e);
    ZSet z(ctx.tx(), en.value, static_cast<Encoding>(en.encoding), zset_limits(ctx));
    // AOF (server/effects.h): ZPOPMIN|ZPOPMAX key [n popped], as Redis 7.0 propagates
    // (B)ZMPOP and a served BZPOPMIN/BZPOPMAX.
    std::string_view pop = max ? "ZPOPMAX" : "ZPOPMIN";
    if (mpop) {
      std::string n = std::to_string(std::min<uint64_t>(z.size(), uint64_t(count)));
      ctx.out.add_array_len(2);
      ctx.out.add_bulk(key);
      pop_elements(ctx, db, e, key, z, max, count, true);
      Effects::current().add(ctx.client.db, {pop, key, n});
    } else {
      ZElem el = z.at(max ? z.size() - 1 : 0);
      std::string member(el.member);
      double sc = el.score;
      z.remove(member);
      store_zset(db, e, key, z);
      ctx.out.add_array_len(3);
      ctx.out.add_bulk(key);
      ctx.out.add_bulk(member);
      ctx.out.add_double(sc);
      Effects::current().add(ctx.client.db, {pop, key});
    }
    return true;
  }
  return false;
}

void bzpop_generic(CommandContext& ctx, bool max) {
  int64_t timeout;
  if (!parse_block_timeout(ctx, ctx.arg(ctx.argc() - 1), &timeout)) return;
  std::vector<std::string_view> keys(ctx.argv.begin() + 1, ctx.argv.end() - 1);
  bool err;
  if (pop_first(ctx, keys, max, 1, false, &err) || err) return;
  Effects::current().suppress();  // blocked: nothing changed
  std::vector<std::string> ks(keys.begin(), keys.end());
  if (!request_block(ctx, std::move(ks), timeout, true)) ctx.out.add_null_array();
}
void cmd_bzpopmin(CommandContext& ctx) { bzpop_generic(ctx, false); }
void cmd_bzpopmax(CommandContext& ctx) { bzpop_generic(ctx, true); }

// ZMPOP / BZMPOP arguments from `first` (numkeys). Replies the error and returns false.
bool parse_mpop(CommandContext& ctx, size_t first, std::vector<std::string_view>* keys, bool* max,
                int64_t* count) {
  int64_t numkeys;
  if (!parse_int64(ctx.arg(first), &numkeys) || numkeys <= 0) {
    ctx.out.add_error("ERR numkeys should be greater than 0");
    return false;
  }
  size_t where = first + 1 + static_cast<size_t>(numkeys);
  if (numkeys > static_cast<int64_t>(ctx.argc()) || where >= ctx.argc()) {
    ctx.reply_syntax_error();
    return false;
  }
  keys->assign(ctx.argv.begin() + static_cast<ptrdiff_t>(first + 1),
               ctx.argv.begin() + static_cast<ptrdiff_t>(where));
  if (iequals(ctx.arg(where), "min")) {
    *max = false;
  } else if (iequals(ctx.arg(where), "max")) {
    *max = true;
  } else {
    ctx.reply_syntax_error();
    return false;
  }
  *count = -1;
  for (size_t j = where + 1; j < ctx.argc(); ++j) {
    if (*count == -1 && iequals(ctx.arg(j), "count") && j + 1 < ctx.argc()) {
      if (!parse_int64(ctx.arg(j + 1), count) || *count <= 0) {
        ctx.out.add_error("ERR count should be greater than 0");
        return false;
      }
      ++j;
    } else {
      ctx.reply_syntax_error();
      return false;
    }
  }
  if (*count == -1) *count = 1;
  return true;
}

void cmd_zmpop(CommandContext& ctx) {
  std::vector<std::string_view> keys;
  bool max;
  int64_t count;
  if (!parse_mpop(ctx, 1, &keys, &max, &count)) return;
  bool err;
  if (pop_first(ctx, keys, max, count, true, &err) || err) return;
  ctx.out.add_null_array();
}

void cmd_bzmpop(CommandContext& ctx) {
  int64_t timeout;
  if (!parse_block_timeout(ctx, ctx.arg(1), &timeout)) return;
  std::vector<std::string_view> keys;
  bool max;
  int64_t count;
  if (!parse_mpop(ctx, 2, &keys, &max, &count)) return;
  bool err;
  if (pop_first(ctx, keys, max, count, true, &err) || err) return;
  Effects::current().suppress();  // blocked: nothing changed
  std::vector<std::string> ks(keys.begin(), keys.end());
  if (!request_block(ctx, std::move(ks), timeout, true)) ctx.out.add_null_array();
}

// --- ZRANDMEMBER ---

void cmd_zrandmember(CommandContext& ctx) {
  static thread_local std::mt19937_64 rng(std::random_device{}());
  bool has_count = ctx.argc() >= 3;
  int64_t count = 0;
  bool withscores = false;
  if (has_count) {
    if (!arg_int64(ctx, 2, &count)) return;
    if (ctx.argc() == 4 && iequals(ctx.arg(3), "withscores")) {
      withscores = true;
    } else if (ctx.argc() > 3) {
      ctx.reply_syntax_error();
      return;
    }
    if (count == LLONG_MIN || (withscores && count < -LLONG_MAX / 2)) {
      ctx.out.add_error("ERR value is out of range");
      return;
    }
  }
  Db db = client_db(ctx);
  Ref<Entry> e;
  std::optional<ZSet> z;
  if (!open_zset(ctx, db, ctx.arg(1), true, &e, &z)) return;
  if (!has_count) {
    if (!z) {
      ctx.out.add_null();
    } else {
      ctx.out.add_bulk(z->at(rng() % z->size()).member);
    }
    return;
  }
  if (!z || count == 0) {
    ctx.out.add_empty_array();
    return;
  }
  uint64_t size = z->size();
  ElemReply reply(ctx, withscores);
  if (count < 0) {
    for (int64_t i = 0; i < -count; ++i) reply.add(z->at(rng() % size));
  } else if (static_cast<uint64_t>(count) >= size) {
    z->for_each([&](const ZElem& el) { reply.add(el); });
  } else {
    // Distinct ranks: a partial Fisher-Yates over [0, size) kept sparse.
    std::unordered_map<uint64_t, uint64_t> swapped;
    for (int64_t i = 0; i < count; ++i) {
      uint64_t j = i + rng() % (size - i);
      auto get = [&](uint64_t k) {
        auto it = swapped.find(k);
        return it == swapped.end() ? k : it->second;
      };
      uint64_t pick = get(j);
      swapped[j] = get(i);
      reply.add(z->at(pick));
    }
  }
  reply.finish();
}

// --- ZSCAN ---

void cmd_zscan(CommandContext& ctx) {
  uint64_t cursor;
  if (!parse_scan_cursor(ctx.arg(2), &cursor)) {
    ctx.out.add_error("ERR invalid cursor");
    return;
  }
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
  Db db = client_db(ctx);
  Ref<Entry> e;
  std::optional<ZSet> z;
  if (!open_zset(ctx, db, ctx.arg(1), true, &e, &z)) return;
  std::vector<ZElem> found;
  uint64_t next = 0;
  if (z) {
    next = z->scan(cursor, static_cast<size_t>(count), [&](const ZElem& el) {
      if (!use_pattern || string_match(pattern, el.member)) found.push_back(el);
    });
  }
  Encoding enc = z ? z->encoding() : Encoding::kListpack;
  ctx.out.add_array_len(2);
  ctx.out.add_bulk(std::to_string(next));
  ctx.out.add_array_len(2 * found.size());
  for (const ZElem& el : found) {
    ctx.out.add_bulk(el.member);
    ctx.out.add_bulk(zset_scan_score(el.score, enc));
  }
}

}  // namespace

void register_zset_family(CommandTable& t) {
  register_zset_value_ops();
  constexpr uint32_t kTx = kCmdTx;
  constexpr uint64_t kZ = kAclSortedset;
  auto add = [&](std::string_view name, int arity, uint32_t flags, int first, int last, int step,
                 uint64_t acl, CommandHandler h, std::string_view since, std::string_view summary,
                 std::string_view complexity, std::string_view syntax) {
    t.add({.name = name,
           .arity = arity,
           .flags = flags | kTx,
           .first_key = first,
           .last_key = last,
           .key_step = step,
           .acl = acl | kZ,
           .handler = h,
           .group = "sorted-set",
           .since = since,
           .summary = summary,
           .complexity = complexity,
           .syntax = syntax});
  };
  constexpr uint32_t kW = kCmdWrite, kR = kCmdReadonly, kF = kCmdFast, kOom = kCmdDenyOom;
  constexpr uint64_t aW = kAclWrite, aR = kAclRead, aF = kAclFast, aS = kAclSlow;
  add("zadd", -4, kW | kOom | kF, 1, 1, 1, aW | aF, cmd_zadd, "1.2.0",
      "Add one or more members to a sorted set, or update its score if it already exists",
      "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
      "key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]");
  add("zincrby", 4, kW | kOom | kF, 1, 1, 1, aW | aF, cmd_zincrby, "1.2.0",
      "Increment the score of a member in a sorted set",
      "O(log(N)) where N is the number of elements in the sorted set.", "key increment member");
  add("zrem", -3, kW | kF, 1, 1, 1, aW | aF, cmd_zrem, "1.2.0",
      "Remove one or more members from a sorted set",
      "O(M*log(N)) with N being the number of elements in the sorted set and M the number of "
      "elements to be removed.",
      "key member [member ...]");
  add("zcard", 2, kR | kF, 1, 1, 1, aR | aF, cmd_zcard, "1.2.0",
      "Get the number of members in a sorted set", "O(1)", "key");
  add("zscore", 3, kR | kF, 1, 1, 1, aR | aF, cmd_zscore, "1.2.0",
      "Get the score associated with the given member in a sorted set", "O(1)", "key member");
  add("zmscore", -3, kR | kF, 1, 1, 1, aR | aF, cmd_zmscore, "6.2.0",
      "Get the score associated with the given members in a sorted set",
      "O(N) where N is the number of members being requested.", "key member [member ...]");
  add("zrank", 3, kR | kF, 1, 1, 1, aR | aF, cmd_zrank, "2.0.0",
      "Determine the index of a member in a sorted set", "O(log(N))", "key member");
  add("zrevrank", 3, kR | kF, 1, 1, 1, aR | aF, cmd_zrevrank, "2.0.0",
      "Determine the index of a member in a sorted set, with scores ordered from high to low",
      "O(log(N))", "key member");
  add("zpopmin", -2, kW | kF, 1, 1, 1, aW | aF, cmd_zpopmin, "5.0.0",
      "Remove and return members with the lowest scores in a sorted set",
      "O(log(N)*M) with N being the number of elements in the sorted set, and M being the "
      "number of elements popped.",
      "key [count]");
  add("zpopmax", -2, kW | kF, 1, 1, 1, aW | aF, cmd_zpopmax, "5.0.0",
      "Remove and return members with the highest scores in a sorted set",
      "O(log(N)*M) with N being the number of elements in the sorted set, and M being the "
      "number of elements popped.",
      "key [count]");
  add("zmpop", -4, kW, 0, 0, 0, aW | aS, cmd_zmpop, "7.0.0",
      "Remove and return members with scores in a sorted set",
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of "
      "elements in the sorted set, and M being the number of elements popped.",
      "numkeys key [key ...] MIN|MAX [COUNT count]");
  add("bzpopmin", -3, kW | kCmdNoscript | kCmdBlocking, 1, -2, 1, aW | kAclBlocking | aF,
      cmd_bzpopmin, "5.0.0",
      "Remove and return the member with the lowest score from one or more sorted sets, or "
      "block until one is available",
      "O(log(N)) with N being the number of elements in the sorted set.", "key [key ...] timeout");
  add("bzpopmax", -3, kW | kCmdNoscript | kCmdBlocking, 1, -2, 1, aW | kAclBlocking | aF,
      cmd_bzpopmax, "5.0.0",
      "Remove and return the member with the highest score from one or more sorted sets, or "
      "block until one is available",
      "O(log(N)) with N being the number of elements in the sorted set.", "key [key ...] timeout");
  add("bzmpop", -5, kW | kCmdBlocking, 0, 0, 0, aW | aS | kAclBlocking, cmd_bzmpop, "7.0.0",
      "Remove and return members with scores in a sorted set or block until one is available",
      "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of "
      "elements in the sorted set, and M being the number of elements popped.",
      "timeout numkeys key [key ...] MIN|MAX [COUNT count]");
  add("zrandmember", -2, kR, 1, 1, 1, aR | aS, cmd_zrandmember, "6.2.0",
      "Get one or multiple random elements from a sorted set",
      "O(N) where N is the number of elements returned", "key [count [WITHSCORES]]");
  add("zscan", -3, kR, 1, 1, 1, aR | aS, cmd_zscan, "2.8.0",
      "Incrementally iterate sorted sets elements and associated scores",
      "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
      "the cursor to return back to 0. N is the number of elements inside the collection..",
      "key cursor [MATCH pattern] [COUNT count]");
  register_zset_range_family(t);
  register_zset_setop_family(t);
}

}  // namespace stmkv
