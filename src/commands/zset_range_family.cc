// commands/zset_range_family.cc — sorted-set range commands (Redis's t_zset.c): ZCOUNT
// ZLEXCOUNT ZRANGE ZRANGESTORE ZRANGEBYSCORE ZREVRANGEBYSCORE ZRANGEBYLEX ZREVRANGEBYLEX
// ZREVRANGE ZREMRANGEBYRANK ZREMRANGEBYSCORE ZREMRANGEBYLEX.
#include <algorithm>
#include <string>
#include <vector>

#include "commands/zset_common.h"
#include "server/server.h"

namespace stmkv {

using stm::Ref;

namespace {

enum class RangeType { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };

void cmd_zcount(CommandContext& ctx) {
  ScoreRange r;
  if (!parse_score_range(ctx.arg(2), ctx.arg(3), &r)) {
    ctx.out.add_error(kErrMinMaxNotFloat);
    return;
  }
  Db db = client_db(ctx);
  Ref<Entry> e;
  std::optional<ZSet> z;
  if (!open_zset(ctx, db, ctx.arg(1), true, &e, &z)) return;
  ctx.out.add_integer(z ? static_cast<long long>(z->count_by_score(r)) : 0);
}

void cmd_zlexcount(CommandContext& ctx) {
  LexRange r;
  if (!parse_lex_range(ctx.arg(2), ctx.arg(3), &r)) {
    ctx.out.add_error(kErrLexRange);
    return;
  }
  Db db = client_db(ctx);
  Ref<Entry> e;
  std::optional<ZSet> z;
  if (!open_zset(ctx, db, ctx.arg(1), true, &e, &z)) return;
  ctx.out.add_integer(z ? static_cast<long long>(z->count_by_lex(r)) : 0);
}

// Redis's zrangeGenericCommand. argv[first] is the source key (ZRANGESTORE: argv[1] is the
// destination and first is 2); min and max follow; options after them.
void zrange_generic(CommandContext& ctx, size_t first, bool store, RangeType type, Direction dir) {
  bool withscores = false;
  int64_t offset = 0, limit = -1;
  for (size_t j = first + 3; j < ctx.argc(); ++j) {
    std::string_view o = ctx.arg(j);
    size_t left = ctx.argc() - j - 1;
    if (!store && iequals(o, "withscores")) {
      withscores = true;
    } else if (iequals(o, "limit") && left >= 2) {
      if (!arg_int64(ctx, j + 1, &offset) || !arg_int64(ctx, j + 2, &limit)) return;
      j += 2;
    } else if (dir == Direction::kAuto && iequals(o, "rev")) {
      dir = Direction::kReverse;
    } else if (type == RangeType::kAuto && iequals(o, "bylex")) {
      type = RangeType::kLex;
    } else if (type == RangeType::kAuto && iequals(o, "byscore")) {
      type = RangeType::kScore;
    } else {
      ctx.reply_syntax_error();
      return;
    }
  }
  if (withscores && type == RangeType::kLex) {
    ctx.out.add_error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    return;
  }
  if ((offset != 0 || limit != -1) && (type == RangeType::kRank || type == RangeType::kAuto)) {
    ctx.out.add_error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    return;
  }
  if (dir == Direction::kAuto) dir = Direction::kForward;
  if (type == RangeType::kAuto) type = RangeType::kRank;
  bool reverse = dir == Direction::kReverse;
  size_t minidx = first + 1, maxidx = first + 2;
  if (reverse && type != RangeType::kRank) std::swap(minidx, maxidx);
  int64_t start = 0, end = 0;
  ScoreRange sr;
  LexRange lr;
  switch (type) {
    case RangeType::kRank:
      if (!arg_int64(ctx, minidx, &start) || !arg_int64(ctx, maxidx, &end)) return;
      break;
    case RangeType::kScore:
      if (!parse_score_range(ctx.arg(minidx), ctx.arg(maxidx), &sr)) {
        ctx.out.add_error(kErrMinMaxNotFloat);
        return;
      }
      break;
    default:
      if (!parse_lex_range(ctx.arg(minidx), ctx.arg(maxidx), &lr)) {
        ctx.out.add_error(kErrLexRange);
        return;
      }
      break;
  }
  Db db = client_db(ctx);
  Ref<Entry> e;
  std::optional<ZSet> z;
  if (!open_zset(ctx, db, ctx.arg(first), true, &e, &z)) return;
  std::vector<ZElem> stored;
  std::optional<ElemReply> reply;
  if (!store) reply.emplace(ctx, withscores);
  auto emit = [&](const ZElem& el) {
    if (store) {
      stored.push_back(el);
    } else {
      reply->add(el);
    }
  };
  if (z) {
    if (type == RangeType::kRank) {
      int64_t llen = static_cast<int64_t>(z->size());
      if (start < 0) start += llen;
      if (end < 0) end += llen;
      if (start < 0) start = 0;
      if (start <= end && start < llen) {
        if (end >= llen) end = llen - 1;
        z->range_by_rank(static_cast<uint64_t>(start), static_cast<uint64_t>(end), reverse, emit);
      }
    } else if (offset >= 0) {
      if (type == RangeType::kScore) {
        z->range_by_score(sr, reverse, offset, limit, emit);
      } else {
        z->range_by_lex(lr, reverse, offset, limit, emit);
      }
    }
  }
  if (!store) {
    reply->finish();
    return;
  }
  if (reverse) std::reverse(stored.begin(), stored.end());
  store_zset_result(ctx, db, ctx.arg(1), stored);
  ctx.out.add_integer(static_cast<long long>(stored.size()));
}

void cmd_zrange(CommandContext& ctx) {
  zrange_generic(ctx, 1, false, RangeType::kAuto, Direction::kAuto);
}
void cmd_zrangestore(CommandContext& ctx) {
  zrange_generic(ctx, 2, true, RangeType::kAuto, Direction::kAuto);
}
void cmd_zrevrange(CommandContext& ctx) {
  zrange_generic(ctx, 1, false, RangeType::kRank, Direction::kReverse);
}
void cmd_zrangebyscore(CommandContext& ctx) {
  zrange_generic(ctx, 1, false, RangeType::kScore, Direction::kForward);
}
void cmd_zrevrangebyscore(CommandContext& ctx) {
  zrange_generic(ctx, 1, false, RangeType::kScore, Direction::kReverse);
}
void cmd_zrangebylex(CommandContext& ctx) {
  zrange_generic(ctx, 1, false, RangeType::kLex, Direction::kForward);
}
void cmd_zrevrangebylex(CommandContext& ctx) {
  zrange_generic(ctx, 1, false, RangeType::kLex, Direction::kReverse);
}

// Redis's zremrangeGenericCommand.
void zremrange_generic(CommandContext& ctx, RangeType type) {
  int64_t start = 0, end = 0;
  ScoreRange sr;
  LexRange lr;
  if (type == RangeType::kRank) {
    if (!arg_int64(ctx, 2, &start) || !arg_int64(ctx, 3, &end)) return;
  } else if (type == RangeType::kScore) {
    if (!parse_score_range(ctx.arg(2), ctx.arg(3), &sr)) {
      ctx.out.add_error(kErrMinMaxNotFloat);
      return;
    }
  } else if (!parse_lex_range(ctx.arg(2), ctx.arg(3), &lr)) {
    ctx.out.add_error(kErrLexRange);
    return;
  }
  Db db = client_db(ctx);
  std::string_view key = ctx.arg(1);
  Ref<Entry> e;
  std::optional<ZSet> z;
  if (!open_zset(ctx, db, key, false, &e, &z)) return;
  if (!z) {
    ctx.out.add_integer(0);
    return;
  }
  uint64_t removed = 0;
  if (type == RangeType::kRank) {
    int64_t llen = static_cast<int64_t>(z->size());
    if (start < 0) start += llen;
    if (end < 0) end += llen;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
      ctx.out.add_integer(0);
      return;
    }
    if (end >= llen) end = llen - 1;
    removed = z->remove_range_by_rank(static_cast<uint64_t>(start), static_cast<uint64_t>(end));
  } else if (type == RangeType::kScore) {
    removed = z->remove_range_by_score(sr);
  } else {
    removed = z->remove_range_by_lex(lr);
  }
  if (removed > 0) store_zset(db, e, key, *z);
  ctx.out.add_integer(static_cast<long long>(removed));
}

void cmd_zremrangebyrank(CommandContext& ctx) { zremrange_generic(ctx, RangeType::kRank); }
void cmd_zremrangebyscore(CommandContext& ctx) { zremrange_generic(ctx, RangeType::kScore); }
void cmd_zremrangebylex(CommandContext& ctx) { zremrange_generic(ctx, RangeType::kLex); }

}  // namespace

void register_zset_range_family(CommandTable& t) {
  auto add = [&](std::string_view name, int arity, uint32_t flags, int first, int last,
                 uint64_t acl, CommandHandler h, std::string_view since, std::string_view summary,
                 std::string_view complexity, std::string_view syntax) {
    t.add({.name = name,
           .arity = arity,
           .flags = flags | kCmdTx,
           .first_key = first,
           .last_key = last,
           .key_step = 1,
           .acl = acl | kAclSortedset,
           .handler = h,
           .group = "sorted-set",
           .since = since,
           .summary = summary,
           .complexity = complexity,
           .syntax = syntax});
  };
  constexpr uint32_t kR = kCmdReadonly, kW = kCmdWrite;
  constexpr uint64_t aR = kAclRead, aW = kAclWrite, aF = kAclFast, aS = kAclSlow;
  const char* kLogN = "O(log(N)) with N being the number of elements in the sorted set.";
  add("zcount", 4, kR | kCmdFast, 1, 1, aR | aF, cmd_zcount, "2.0.0",
      "Count the members in a sorted set with scores within the given values", kLogN,
      "key min max");
  add("zlexcount", 4, kR | kCmdFast, 1, 1, aR | aF, cmd_zlexcount, "2.8.9",
      "Count the number of members in a sorted set between a given lexicographical range", kLogN,
      "key min max");
  const char* kRangeCx =
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements returned.";
  add("zrange", -4, kR, 1, 1, aR | aS, cmd_zrange, "1.2.0",
      "Return a range of members in a sorted set", kRangeCx,
      "key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]");
  add("zrangestore", -5, kW | kCmdDenyOom, 1, 2, aW | aS, cmd_zrangestore, "6.2.0",
      "Store a range of members from sorted set into another key",
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements stored into the destination key.",
      "dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]");
  add("zrangebyscore", -4, kR, 1, 1, aR | aS, cmd_zrangebyscore, "1.0.5",
      "Return a range of members in a sorted set, by score",
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
      "with LIMIT), you can consider it O(log(N)).",
      "key min max [WITHSCORES] [LIMIT offset count]");
  add("zrevrangebyscore", -4, kR, 1, 1, aR | aS, cmd_zrevrangebyscore, "2.2.0",
      "Return a range of members in a sorted set, by score, with scores ordered from high to low",
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
      "with LIMIT), you can consider it O(log(N)).",
      "key max min [WITHSCORES] [LIMIT offset count]");
  add("zrangebylex", -4, kR, 1, 1, aR | aS, cmd_zrangebylex, "2.8.9",
      "Return a range of members in a sorted set, by lexicographical range",
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
      "with LIMIT), you can consider it O(log(N)).",
      "key min max [LIMIT offset count]");
  add("zrevrangebylex", -4, kR, 1, 1, aR | aS, cmd_zrevrangebylex, "2.8.9",
      "Return a range of members in a sorted set, by lexicographical range, ordered from higher "
      "to lower strings.",
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements being returned. If M is constant (e.g. always asking for the first 10 elements "
      "with LIMIT), you can consider it O(log(N)).",
      "key max min [LIMIT offset count]");
  add("zrevrange", -4, kR, 1, 1, aR | aS, cmd_zrevrange, "1.2.0",
      "Return a range of members in a sorted set, by index, with scores ordered from high to low",
      kRangeCx, "key start stop [WITHSCORES]");
  const char* kRemCx =
      "O(log(N)+M) with N being the number of elements in the sorted set and M the number of "
      "elements removed by the operation.";
  add("zremrangebyrank", 4, kW, 1, 1, aW | aS, cmd_zremrangebyrank, "2.0.0",
      "Remove all members in a sorted set within the given indexes", kRemCx, "key start stop");
  add("zremrangebyscore", 4, kW, 1, 1, aW | aS, cmd_zremrangebyscore, "1.2.0",
      "Remove all members in a sorted set within the given scores", kRemCx, "key min max");
  add("zremrangebylex", 4, kW, 1, 1, aW | aS, cmd_zremrangebylex, "2.8.9",
      "Remove all members in a sorted set between the given lexicographical range", kRemCx,
      "key min max");
}

}  // namespace stmkv
