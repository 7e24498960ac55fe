// commands/zset_common.h — what the sorted-set command files share (zset_family.cc,
// zset_range_family.cc, zset_setop_family.cc): opening and storing a zset value, range parsing
// with Redis's error texts, and element replies.
#pragma once

#include <optional>
#include <string_view>

#include "commands/util.h"
#include "ds/keyspace.h"
#include "ds/zset.h"
#include "server/command_table.h"

namespace stmkv {

inline constexpr std::string_view kErrMinMaxNotFloat = "ERR min or max is not a float";
inline constexpr std::string_view kErrLexRange = "ERR min or max not valid string range item";

// The listpack thresholds in force (zset-max-listpack-entries / -value).
ZSetLimits zset_limits(CommandContext& ctx);

// Opens key's sorted set. Returns false (after replying WRONGTYPE) when key holds another type;
// *e is null and *z empty when the key does not exist. `read` counts a keyspace hit or miss.
bool open_zset(CommandContext& ctx, Db& db, std::string_view key, bool read, stm::Ref<Entry>* e,
               std::optional<ZSet>* z);

// Stores a modified zset back into key: deletes the key when the set became empty, swaps in a
// new value (copy-on-write or conversion), or marks the entry written. e may be null (new key).
void store_zset(Db& db, stm::Ref<Entry> e, std::string_view key, ZSet& z);

// Replaces whatever dst holds with the elements (sorted, no duplicates): deletes dst when empty.
void store_zset_result(CommandContext& ctx, Db& db, std::string_view dst,
                       const std::vector<ZElem>& sorted);

// Redis's zslParseRange / zslParseLexRange (false: invalid).
bool parse_score_range(std::string_view min, std::string_view max, ScoreRange* r);
bool parse_lex_range(std::string_view min, std::string_view max, LexRange* r);

// Writes n elements, with scores when withscores: RESP2 a flat array, RESP3 an array of
// [member, score] pairs. Call begin, then emit per element, then finish.
class ElemReply {
 public:
  ElemReply(CommandContext& ctx, bool withscores) : ctx_(ctx), withscores_(withscores) {
    mark_ = ctx.out.begin_deferred_len();
  }
  void add(const ZElem& e) {
    if (withscores_ && ctx_.out.resp() > 2) ctx_.out.add_array_len(2);
    ctx_.out.add_bulk(e.member);
    if (withscores_) ctx_.out.add_double(e.score);
    ++n_;
  }
  void finish() {
    ctx_.out.set_deferred_array_len(mark_, (withscores_ && ctx_.out.resp() == 2) ? 2 * n_ : n_);
  }

 private:
  CommandContext& ctx_;
  bool withscores_;
  size_t mark_;
  size_t n_ = 0;
};

void register_zset_range_family(CommandTable& t);  // zset_range_family.cc
void register_zset_setop_family(CommandTable& t);  // zset_setop_family.cc

}  // namespace stmkv
