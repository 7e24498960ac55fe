// ds/zset.h — sorted sets on the STM heap, in Redis's two encodings.
//
// listpack: one immutable blob (Hint::kShared) of (score, member) pairs sorted by score then
//   member; every modifying command decodes it, changes the copy and writes one new blob
//   (copy-on-write). Used while the set has at most zset-max-listpack-entries members of at most
//   zset-max-listpack-value bytes. As Redis's listpack, it stores integral scores as integers:
//   -0 becomes 0.
// skiplist: Redis's skiplist with spans (O(log N) insert, delete, rank and range) plus a
//   member -> node hash table chained through the nodes (O(1) ZSCORE), resized incrementally.
//   Nodes and the root are Hint::kMutable; members are immutable strings. Fields are grouped by
//   16-byte granule (score+member, hash chain, backward, one granule per level's forward+span)
//   so that a transaction conflicts only with writers of the path it actually walked.
//
// A ZSet is a handle used inside one transaction (like Db): views it returns are valid until the
// transaction ends. Conversion listpack -> skiplist happens as in Redis when an insert crosses
// a limit; never back (except when a STORE command builds a new set).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ds/objects.h"
#include "stm/stm.h"

namespace stmkv {

// Redis's defaults for zset-max-listpack-entries / zset-max-listpack-value.
inline constexpr int64_t kZSetMaxListpackEntries = 128;
inline constexpr int64_t kZSetMaxListpackValue = 64;

struct ZSetLimits {
  int64_t max_listpack_entries = kZSetMaxListpackEntries;
  int64_t max_listpack_value = kZSetMaxListpackValue;
};

// A score interval (Redis's zrangespec).
struct ScoreRange {
  double min = 0, max = 0;
  bool minex = false, maxex = false;
  bool value_gte_min(double v) const { return minex ? v > min : v >= min; }
  bool value_lte_max(double v) const { return maxex ? v < max : v <= max; }
};

// A lexicographic interval (Redis's zlexrangespec): "-" and "+" are the infinities.
struct LexBound {
  enum Kind : uint8_t { kNegInf, kPosInf, kValue } kind = kNegInf;
  bool exclusive = false;
  std::string_view value;
};
struct LexRange {
  LexBound min, max;
  bool value_gte_min(std::string_view v) const;
  bool value_lte_max(std::string_view v) const;
  // min > max, or min == max with an exclusive end (Redis's zslIsInLexRange first test).
  bool empty() const;
};

// One element as returned by the iteration functions.
struct ZElem {
  std::string_view member;
  double score;
};

// ZADD's flags (Redis's ZADD_IN_* and ZADD_OUT_*).
enum ZAddIn : int { kZAddIncr = 1, kZAddNx = 2, kZAddXx = 4, kZAddGt = 8, kZAddLt = 16 };
enum ZAddOut : int { kZAddNan = 1, kZAddAdded = 2, kZAddUpdated = 4, kZAddNop = 8 };

using ZVisit = std::function<void(const ZElem&)>;

class ZSet {
 public:
  // Opens the zset value `value` stored with encoding enc (kListpack or kSkiplist).
  ZSet(stm::Tx& tx, stm::RawRef value, Encoding enc, const ZSetLimits& lim);
  // A new empty zset (no heap object until the first insert for a listpack). Redis's choice:
  // skiplist when max_listpack_entries is 0 or the first member is longer than the value limit.
  static ZSet create(stm::Tx& tx, size_t first_member_len, const ZSetLimits& lim);
  // Builds a set from elements sorted by (score, member), with no duplicates. Encoding as
  // Redis's zsetConvertToListpackIfNeeded after a STORE command.
  static ZSet build(stm::Tx& tx, const std::vector<ZElem>& sorted, const ZSetLimits& lim);

  ZSet(ZSet&&) = default;
  ~ZSet();

  // The current value object and encoding (they change on copy-on-write and conversion; call
  // flush() first). value() is null for an empty listpack.
  stm::RawRef value() const { return value_; }
  Encoding encoding() const { return skiplist_ ? Encoding::kSkiplist : Encoding::kListpack; }
  // Writes pending listpack changes into a new blob (the old blob is not freed: the entry's
  // set_value frees it). Returns the value to store (null when empty).
  stm::RawRef flush();
  // Frees the value objects this handle created that were never stored (empty results).
  void discard_new();
  // Whether the handle's value differs from the one it was opened with.
  bool value_changed() const { return value_ != orig_value_ || dirty_; }

  uint64_t size();
  // The score of member; false when absent.
  bool score(std::string_view member, double* out);
  // Redis's zsetAdd: adds or updates member with score (or increments with kZAddIncr).
  // *out_flags receives kZAdd{Nan,Added,Updated,Nop}; *newscore the resulting score.
  // Returns false only for a NaN result (nothing changed).
  bool add(double score, std::string_view member, int in_flags, int* out_flags, double* newscore);
  // Removes member; false when absent.
  bool remove(std::string_view member);
  // 0-based rank of member (from the lowest, or from the highest when reverse); false when
  // absent. *score_out (optional) receives its score.
  bool rank(std::string_view member, bool reverse, uint64_t* out, double* score_out = nullptr);
  // Calls fn for the elements of ranks [start, end] (0-based, valid, start <= end), in
  // ascending order, or descending (ranks counted from the highest) when reverse.
  void range_by_rank(uint64_t start, uint64_t end, bool reverse, const ZVisit& fn);
  // Elements in a score / lex range, skipping `offset`, at most `limit` (< 0: all).
  void range_by_score(const ScoreRange& r, bool reverse, int64_t offset, int64_t limit,
                      const ZVisit& fn);
  void range_by_lex(const LexRange& r, bool reverse, int64_t offset, int64_t limit,
                    const ZVisit& fn);
  uint64_t count_by_score(const ScoreRange& r);
  uint64_t count_by_lex(const LexRange& r);
  // Deletions; return the number of removed elements.
  uint64_t remove_range_by_rank(uint64_t start, uint64_t end);
  uint64_t remove_range_by_score(const ScoreRange& r);
  uint64_t remove_range_by_lex(const LexRange& r);
  // The element of 0-based rank (ascending).
  ZElem at(uint64_t rank);
  // Every element, ascending.
  void for_each(const ZVisit& fn);
  // ZSCAN: a listpack returns everything (cursor 0); a skiplist walks its member index with
  // Redis's reverse-binary cursor (every element present for the whole scan is returned, across
  // resizes), visiting at least `count` elements' worth of buckets. Returns the next cursor.
  uint64_t scan(uint64_t cursor, size_t count, const ZVisit& fn);

  // The value's heap footprint (MEMORY USAGE), sampling at most `samples` elements (0: all).
  size_t memory_usage(size_t samples);

 private:
  ZSet(stm::Tx& tx, const ZSetLimits& lim) : tx_(tx), lim_(lim) {}
  void load();  // decodes the listpack blob into elems_
  void convert_to_skiplist();
  size_t lp_find(std::string_view member);  // index in elems_ or npos
  size_t lp_lower_bound(double score, std::string_view member);
  void lp_insert(double score, std::string_view member);
  std::string_view own(std::string_view s);  // keeps a copy alive for this handle

  stm::Tx& tx_;
  ZSetLimits lim_;
  stm::RawRef value_;
  stm::RawRef orig_value_;
  bool skiplist_ = false;
  bool loaded_ = false;
  bool dirty_ = false;
  std::vector<ZElem> elems_;  // listpack contents (when loaded_)
  std::vector<std::unique_ptr<std::string>> owned_;
};

// Registers the zset value freer and copier with the keyspace (start-up).
void register_zset_value_ops();

// Score formatting of ZSCAN for a listpack (integral scores as integers, as Redis stores them)
// and for a skiplist (%.17g).
std::string zset_scan_score(double score, Encoding enc);

}  // namespace stmkv
