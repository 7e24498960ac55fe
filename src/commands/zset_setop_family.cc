// commands/zset_setop_family.cc — sorted-set algebra (Redis's zunionInterDiffGenericCommand):
// ZUNION ZINTER ZDIFF ZUNIONSTORE ZINTERSTORE ZDIFFSTORE ZINTERCARD. Inputs are processed in
// Redis's order (by cardinality) so that floating-point sums come out bit for bit the same.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

#include "commands/zset_common.h"
#include "ds/collections.h"
#include "server/server.h"

namespace stmkv {

using stm::Ref;

namespace {

enum class SetOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

// One input: a sorted set, or a plain set whose members all score 1 (as Redis accepts), or a
// missing key (neither).
struct Source {
  std::optional<ZSet> z;
  stm::RawRef set;
  std::vector<std::string> members;  // the set's members, read once
  uint64_t size = 0;
  double weight = 1;
  uint64_t entry = 0;  // entry offset (the same key given twice)

  bool present() const { return z.has_value() || !set.is_null(); }
  void for_each(const ZVisit& fn) {
    if (z) {
      z->for_each(fn);
      return;
    }
    for (const std::string& m : members) fn(ZElem{m, 1.0});
  }
  bool score(stm::Tx& tx, std::string_view member, double* out) {
    if (z) return z->score(member, out);
    if (!set_contains(tx, set, member)) return false;
    *out = 1.0;
    return true;
  }
};

// Opens input `key`: a sorted set or a set; anything else replies WRONGTYPE (false). The
// commands that store count no keyspace hits, as Redis's lookupKeyWrite.
bool open_source(CommandContext& ctx, Db& db, std::string_view key, bool count_hit, Source* s) {
  Ref<Entry> e = db.find(key);
  if (count_hit) e.is_null() ? ctx.miss() : ctx.hit();
  if (e.is_null()) return true;
  const Entry& en = db.read(e);
  s->entry = e.offset();
  if (static_cast<ObjType>(en.type) == ObjType::kZSet) {
    s->z.emplace(ctx.tx(), en.value, static_cast<Encoding>(en.encoding), zset_limits(ctx));
    s->size = s->z->size();
  } else if (static_cast<ObjType>(en.type) == ObjType::kSet) {
    s->set = en.value;
    s->members = set_members(ctx.tx(), en.value);
    s->size = s->members.size();
  } else {
    ctx.reply_wrong_type();
    return false;
  }
  return true;
}

void aggregate(double* target, double val, Aggregate a) {
  switch (a) {
    case Aggregate::kSum:
      *target = *target + val;
      if (std::isnan(*target)) *target = 0;
      break;
    case Aggregate::kMin: *target = val < *target ? val : *target; break;
    case Aggregate::kMax: *target = val > *target ? val : *target; break;
  }
}

// dst: the destination key for *STORE (empty otherwise); numkeys at argv[numkeys_idx].
void setop_generic(CommandContext& ctx, std::string_view dst, size_t numkeys_idx, SetOp op,
                   bool cardinality_only) {
  int64_t setnum;
  if (!arg_int64(ctx, numkeys_idx, &setnum)) return;
  if (setnum < 1) {
    ctx.out.add_error("ERR at least 1 input key is needed for '" + ctx.spec->full_name +
                      "' command");
    return;
  }
  if (setnum > static_cast<int64_t>(ctx.argc() - (numkeys_idx + 1))) {
    ctx.reply_syntax_error();
    return;
  }
  Db db = client_db(ctx);
  std::vector<Source> src(static_cast<size_t>(setnum));
  for (size_t i = 0; i < src.size(); ++i) {
    if (!open_source(ctx, db, ctx.arg(numkeys_idx + 1 + i), dst.empty(), &src[i])) return;
  }
  Aggregate agg = Aggregate::kSum;
  bool withscores = false;
  int64_t limit = 0;
  size_t j = numkeys_idx + 1 + src.size();
  while (j < ctx.argc()) {
    size_t remaining = ctx.argc() - j;
    std::string_view o = ctx.arg(j);
    if (op != SetOp::kDiff && !cardinality_only && remaining >= src.size() + 1 &&
        iequals(o, "weights")) {
      ++j;
      for (size_t i = 0; i < src.size(); ++i, ++j) {
        if (!parse_double(ctx.arg(j), &src[i].weight)) {
          ctx.out.add_error("ERR weight value is not a float");
          return;
        }
      }
    } else if (op != SetOp::kDiff && !cardinality_only && remaining >= 2 &&
               iequals(o, "aggregate")) {
      std::string_view a = ctx.arg(j + 1);
      if (iequals(a, "sum"))
        agg = Aggregate::kSum;
      else if (iequals(a, "min"))
        agg = Aggregate::kMin;
      else if (iequals(a, "max"))
        agg = Aggregate::kMax;
      else {
        ctx.reply_syntax_error();
        return;
      }
      j += 2;
    } else if (dst.empty() && !cardinality_only && iequals(o, "withscores")) {
      withscores = true;
      ++j;
    } else if (cardinality_only && remaining >= 2 && iequals(o, "limit")) {
      if (!parse_int64(ctx.arg(j + 1), &limit)) {
        ctx.reply_not_integer();
        return;
      }
      if (limit < 0) {
        ctx.out.add_error("ERR LIMIT can't be negative");
        return;
      }
      j += 2;
    } else {
      ctx.reply_syntax_error();
      return;
    }
  }
  std::vector<Source*> order;
  for (Source& s : src) order.push_back(&s);
  if (op != SetOp::kDiff) {
    std::stable_sort(order.begin(), order.end(),
                     [](const Source* a, const Source* b) { return a->size < b->size; });
  }

  std::vector<ZElem> result;
  uint64_t card = 0;
  if (op == SetOp::kUnion) {
    std::unordered_map<std::string_view, size_t> index;
    for (Source* s : order) {
      if (!s->present()) continue;
      s->for_each([&](const ZElem& el) {
        double score = s->weight * el.score;
        if (std::isnan(score)) score = 0;
        auto [it, inserted] = index.try_emplace(el.member, result.size());
        if (inserted) {
          result.push_back(ZElem{el.member, score});
        } else {
          aggregate(&result[it->second].score, score, agg);
        }
      });
    }
  } else if (op == SetOp::kInter) {
    if (order[0]->present() && order[0]->size > 0) {
      bool done = false;
      order[0]->for_each([&](const ZElem& el) {
        if (done) return;
        double score = order[0]->weight * el.score;
        if (std::isnan(score)) score = 0;
        size_t k = 1;
        for (; k < order.size(); ++k) {
          double value;
          if (!order[k]->present()) break;
          if (order[k]->entry == order[0]->entry) {
            value = el.score * order[k]->weight;
          } else if (order[k]->score(ctx.tx(), el.member, &value)) {
            value *= order[k]->weight;
          } else {
            break;
          }
          aggregate(&score, value, agg);
        }
        if (k == order.size()) {
          if (cardinality_only) {
            ++card;
            if (limit != 0 && card >= static_cast<uint64_t>(limit)) done = true;
          } else {
            result.push_back(ZElem{el.member, score});
          }
        }
      });
    }
  } else if (order[0]->present()) {
    order[0]->for_each([&](const ZElem& el) {
      for (size_t k = 1; k < order.size(); ++k) {
        double unused;
        if (order[k]->present() && order[k]->score(ctx.tx(), el.member, &unused)) return;
      }
      result.push_back(ZElem{el.member, el.score});
    });
  }

  if (cardinality_only) {
    ctx.out.add_integer(static_cast<long long>(card));
    return;
  }
  std::sort(result.begin(), result.end(), [](const ZElem& a, const ZElem& b) {
    return a.score < b.score || (a.score == b.score && a.member < b.member);
  });
  if (!dst.empty()) {
    store_zset_result(ctx, db, dst, result);
    ctx.out.add_integer(static_cast<long long>(result.size()));
    return;
  }
  ElemReply reply(ctx, withscores);
  for (const ZElem& el : result) reply.add(el);
  reply.finish();
}

void cmd_zunion(CommandContext& ctx) { setop_generic(ctx, {}, 1, SetOp::kUnion, false); }
void cmd_zinter(CommandContext& ctx) { setop_generic(ctx, {}, 1, SetOp::kInter, false); }
void cmd_zdiff(CommandContext& ctx) { setop_generic(ctx, {}, 1, SetOp::kDiff, false); }
void cmd_zintercard(CommandContext& ctx) { setop_generic(ctx, {}, 1, SetOp::kInter, true); }
void cmd_zunionstore(CommandContext& ctx) {
  setop_generic(ctx, ctx.arg(1), 2, SetOp::kUnion, false);
}
void cmd_zinterstore(CommandContext& ctx) {
  setop_generic(ctx, ctx.arg(1), 2, SetOp::kInter, false);
}
void cmd_zdiffstore(CommandContext& ctx) { setop_generic(ctx, ctx.arg(1), 2, SetOp::kDiff, false); }

}  // namespace

void register_zset_setop_family(CommandTable& t) {
  auto add = [&](std::string_view name, int arity, uint32_t flags, int first, uint64_t acl,
                 CommandHandler h, std::string_view since, std::string_view summary,
                 std::string_view complexity, std::string_view syntax) {
    t.add({.name = name,
           .arity = arity,
           .flags = flags | kCmdTx,
           .first_key = first,
           .last_key = first,
           .key_step = first == 0 ? 0 : 1,
           .acl = acl | kAclSortedset,
           .handler = h,
           .group = "sorted-set",
           .since = since,
           .summary = summary,
           .complexity = complexity,
           .syntax = syntax});
  };
  constexpr uint32_t kR = kCmdReadonly, kW = kCmdWrite | kCmdDenyOom;
  constexpr uint64_t aR = kAclRead | kAclSlow, aW = kAclWrite | kAclSlow;
  const char* kUnionCx =
      "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being "
      "the number of elements in the resulting sorted set.";
  const char* kInterCx =
      "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the "
      "number of input sorted sets and M being the number of elements in the resulting sorted "
      "set.";
  const char* kDiffCx =
      "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N "
      "is the size of the first set, and K is the size of the result set.";
  add("zunion", -3, kR, 0, aR, cmd_zunion, "6.2.0", "Add multiple sorted sets", kUnionCx,
      "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] "
      "[WITHSCORES]");
  add("zinter", -3, kR, 0, aR, cmd_zinter, "6.2.0", "Intersect multiple sorted sets", kInterCx,
      "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] "
      "[WITHSCORES]");
  add("zdiff", -3, kR, 0, aR, cmd_zdiff, "6.2.0", "Subtract multiple sorted sets", kDiffCx,
      "numkeys key [key ...] [WITHSCORES]");
  add("zintercard", -3, kR, 0, aR, cmd_zintercard, "7.0.0",
      "Intersect multiple sorted sets and return the cardinality of the result",
      "O(N*K) worst case with N being the smallest input sorted set, K being the number of "
      "input sorted sets.",
      "numkeys key [key ...] [LIMIT limit]");
  add("zunionstore", -4, kW, 1, aW, cmd_zunionstore, "2.0.0",
      "Add multiple sorted sets and store the resulting sorted set in a new key", kUnionCx,
      "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] "
      "[AGGREGATE SUM|MIN|MAX]");
  add("zinterstore", -4, kW, 1, aW, cmd_zinterstore, "2.0.0",
      "Intersect multiple sorted sets and store the resulting sorted set in a new key", kInterCx,
      "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] "
      "[AGGREGATE SUM|MIN|MAX]");
  add("zdiffstore", -4, kW, 1, aW, cmd_zdiffstore, "6.2.0",
      "Subtract multiple sorted sets and store the resulting sorted set in a new key", kDiffCx,
      "destination numkeys key [key ...]");
}

}  // namespace stmkv
