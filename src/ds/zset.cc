// ds/zset.cc — sorted sets: the listpack blob, the skiplist with spans and its member index.
#include "ds/zset.h"

#include <algorithm>
#include <bit>
#include <climits>
#include <cmath>
#include <cstring>
#include <random>

#include "ds/keyspace.h"
#include "ds/zset_skiplist.h"
#include "protocol/number_format.h"

namespace stmkv {

using stm::RawRef;
using stm::Ref;
using stm::Tx;

using namespace zset_internal;

namespace {

uint32_t value_kind(Tx& tx, RawRef v) {
  return *reinterpret_cast<const uint32_t*>(tx.read_bytes(v, 0, 4));
}

void free_zset_value(Tx& tx, RawRef v) {
  if (value_kind(tx, v) == kKindSkiplist) {
    Skiplist(tx, v).destroy();
  } else {
    tx.free(v);
  }
}

RawRef copy_zset_value(Tx& tx, RawRef v) {
  if (value_kind(tx, v) == kKindSkiplist) {
    Skiplist src(tx, v);
    RawRef out = Skiplist::create(tx);
    Skiplist dst(tx, out);
    for (RawRef n = src.fwd(src.head(), 0); !n.is_null(); n = src.fwd(n, 0)) {
      ZElem e = src.elem(n);
      dst.insert(e.score, e.member);
    }
    return out;
  }
  const LpHeader* h = reinterpret_cast<const LpHeader*>(tx.read_immutable_bytes(v));
  size_t bytes = sizeof(LpHeader) + h->bytes;
  char* p;
  RawRef out = tx.alloc_raw(bytes, stm::Hint::kShared, &p);
  std::memcpy(p, tx.read_immutable_bytes(v), bytes);
  return out;
}

}  // namespace

// --- LexRange ---

bool LexRange::value_gte_min(std::string_view v) const {
  if (min.kind == LexBound::kNegInf) return true;
  if (min.kind == LexBound::kPosInf) return false;
  return min.exclusive ? v > min.value : v >= min.value;
}
bool LexRange::empty() const {
  // Redis's sdscmplex with the infinities as the smallest / largest strings.
  auto rank = [](const LexBound& b) {
    return b.kind == LexBound::kNegInf ? 0 : b.kind == LexBound::kPosInf ? 2 : 1;
  };
  int cmp;
  if (rank(min) != rank(max) || rank(min) != 1) {
    cmp = rank(min) == rank(max) ? 0 : (rank(min) < rank(max) ? -1 : 1);
  } else {
    cmp = min.value.compare(max.value);
  }
  return cmp > 0 || (cmp == 0 && (min.exclusive || max.exclusive));
}

bool LexRange::value_lte_max(std::string_view v) const {
  if (max.kind == LexBound::kPosInf) return true;
  if (max.kind == LexBound::kNegInf) return false;
  return max.exclusive ? v < max.value : v <= max.value;
}

// --- ZSet ---

ZSet::ZSet(Tx& tx, RawRef value, Encoding enc, const ZSetLimits& lim)
    : tx_(tx),
      lim_(lim),
      value_(value),
      orig_value_(value),
      skiplist_(enc == Encoding::kSkiplist) {}

ZSet::~ZSet() = default;

ZSet ZSet::create(Tx& tx, size_t first_member_len, const ZSetLimits& lim) {
  ZSet z(tx, lim);
  z.loaded_ = true;
  if (lim.max_listpack_entries == 0 ||
      first_member_len > static_cast<size_t>(lim.max_listpack_value)) {
    z.value_ = Skiplist::create(tx);
    z.skiplist_ = true;
  }
  return z;
}

ZSet ZSet::build(Tx& tx, const std::vector<ZElem>& sorted, const ZSetLimits& lim) {
  ZSet z(tx, lim);
  z.loaded_ = true;
  size_t maxlen = 0;
  for (const ZElem& e : sorted) maxlen = std::max(maxlen, e.member.size());
  if (sorted.size() <= static_cast<size_t>(lim.max_listpack_entries) &&
      maxlen <= static_cast<size_t>(lim.max_listpack_value)) {
    z.elems_ = sorted;
    for (ZElem& e : z.elems_) e.score = lp_normalize(e.score);
    z.dirty_ = true;
    z.flush();
  } else {
    z.value_ = Skiplist::create(tx);
    z.skiplist_ = true;
    Skiplist sl(tx, z.value_);
    for (const ZElem& e : sorted) sl.insert(e.score, e.member);
  }
  return z;
}

void ZSet::load() {
  if (loaded_ || skiplist_) return;
  loaded_ = true;
  elems_.clear();
  if (value_.is_null()) return;
  const char* p = tx_.read_immutable_bytes(value_);
  const LpHeader* h = reinterpret_cast<const LpHeader*>(p);
  elems_.reserve(h->count);
  p += sizeof(LpHeader);
  for (uint32_t i = 0; i < h->count; ++i) {
    double sc;
    uint32_t len;
    std::memcpy(&sc, p, 8);
    std::memcpy(&len, p + 8, 4);
    elems_.push_back(ZElem{std::string_view(p + 12, len), sc});
    p += 12 + len;
  }
}

RawRef ZSet::flush() {
  if (skiplist_ || !dirty_) return value_;
  dirty_ = false;
  if (value_ != orig_value_ && !value_.is_null()) tx_.free(value_);  // an earlier flush's blob
  if (elems_.empty()) {
    value_ = RawRef();
    return value_;
  }
  size_t payload = 0;
  for (const ZElem& e : elems_) payload += 12 + e.member.size();
  char* p;
  RawRef blob = tx_.alloc_raw(sizeof(LpHeader) + payload, stm::Hint::kShared, &p);
  *reinterpret_cast<LpHeader*>(p) =
      LpHeader{kKindListpack, static_cast<uint32_t>(elems_.size()), payload};
  char* q = p + sizeof(LpHeader);
  std::vector<ZElem> fresh;
  fresh.reserve(elems_.size());
  for (const ZElem& e : elems_) {
    uint32_t len = static_cast<uint32_t>(e.member.size());
    std::memcpy(q, &e.score, 8);
    std::memcpy(q + 8, &len, 4);
    std::memcpy(q + 12, e.member.data(), len);
    fresh.push_back(ZElem{std::string_view(q + 12, len), e.score});
    q += 12 + len;
  }
  value_ = blob;
  // Keep views into the new blob (young: readable through the pointer until the tx ends).
  elems_ = std::move(fresh);
  return value_;
}

void ZSet::discard_new() {
  if (value_ == orig_value_ || value_.is_null()) return;
  if (skiplist_) {
    Skiplist(tx_, value_).destroy();
  } else {
    tx_.free(value_);
  }
  value_ = orig_value_;
}

std::string_view ZSet::own(std::string_view s) {
  owned_.push_back(std::make_unique<std::string>(s));
  return *owned_.back();
}

void ZSet::convert_to_skiplist() {
  load();
  RawRef old = value_;
  RawRef root = Skiplist::create(tx_);
  Skiplist sl(tx_, root);
  for (const ZElem& e : elems_) sl.insert(e.score, e.member);
  if (old != orig_value_ && !old.is_null()) tx_.free(old);
  elems_.clear();
  value_ = root;
  skiplist_ = true;
  dirty_ = false;
}

uint64_t ZSet::size() {
  if (skiplist_) return Skiplist(tx_, value_).length();
  load();
  return elems_.size();
}

size_t ZSet::lp_find(std::string_view member) {
  load();
  for (size_t i = 0; i < elems_.size(); ++i) {
    if (elems_[i].member == member) return i;
  }
  return std::string_view::npos;
}

size_t ZSet::lp_lower_bound(double sc, std::string_view member) {
  return std::lower_bound(elems_.begin(), elems_.end(), ZElem{member, sc},
                          [](const ZElem& a, const ZElem& b) {
                            return less_than(a.score, a.member, b.score, b.member);
                          }) -
         elems_.begin();
}

void ZSet::lp_insert(double sc, std::string_view member) {
  sc = lp_normalize(sc);
  size_t i = lp_lower_bound(sc, member);
  elems_.insert(elems_.begin() + static_cast<ptrdiff_t>(i), ZElem{member, sc});
  dirty_ = true;
}

bool ZSet::score(std::string_view member, double* out) {
  if (skiplist_) {
    Skiplist sl(tx_, value_);
    RawRef n = sl.lookup(member, key_hash(member));
    if (n.is_null()) return false;
    *out = sl.score(n);
    return true;
  }
  size_t i = lp_find(member);
  if (i == std::string_view::npos) return false;
  *out = elems_[i].score;
  return true;
}

bool ZSet::add(double sc, std::string_view member, int in_flags, int* out_flags, double* newscore) {
  bool incr = in_flags & kZAddIncr, nx = in_flags & kZAddNx, xx = in_flags & kZAddXx;
  bool gt = in_flags & kZAddGt, lt = in_flags & kZAddLt;
  *out_flags = 0;
  double cur;
  bool exists = score(member, &cur);
  if (exists) {
    if (nx) {
      *out_flags |= kZAddNop;
      return true;
    }
    if (incr) {
      sc += cur;
      if (std::isnan(sc)) {
        *out_flags |= kZAddNan;
        return false;
      }
    }
    if ((lt && sc >= cur) || (gt && sc <= cur)) {
      *out_flags |= kZAddNop;
      return true;
    }
    if (newscore) *newscore = sc;
    if (sc != cur) {
      if (skiplist_) {
        Skiplist sl(tx_, value_);
        sl.update_score(sl.lookup(member, key_hash(member)), sc);
      } else {
        size_t i = lp_find(member);
        std::string_view m = elems_[i].member;
        elems_.erase(elems_.begin() + static_cast<ptrdiff_t>(i));
        lp_insert(sc, m);
      }
      *out_flags |= kZAddUpdated;
    }
    return true;
  }
  if (xx) {
    *out_flags |= kZAddNop;
    return true;
  }
  if (!skiplist_) {
    load();
    if (elems_.size() + 1 > static_cast<size_t>(lim_.max_listpack_entries) ||
        member.size() > static_cast<size_t>(lim_.max_listpack_value)) {
      convert_to_skiplist();
    }
  }
  if (skiplist_) {
    Skiplist(tx_, value_).insert(sc, member);
  } else {
    lp_insert(sc, own(member));
  }
  if (newscore) *newscore = skiplist_ ? sc : lp_normalize(sc);
  *out_flags |= kZAddAdded;
  return true;
}

bool ZSet::remove(std::string_view member) {
  if (skiplist_) {
    Skiplist sl(tx_, value_);
    RawRef n = sl.lookup(member, key_hash(member));
    if (n.is_null()) return false;
    RawRef update[kMaxLevel];
    ZElem e = sl.elem(n);
    sl.find_update(e.score, e.member, update);
    sl.erase(n, update);
    return true;
  }
  size_t i = lp_find(member);
  if (i == std::string_view::npos) return false;
  elems_.erase(elems_.begin() + static_cast<ptrdiff_t>(i));
  dirty_ = true;
  return true;
}

bool ZSet::rank(std::string_view member, bool reverse, uint64_t* out, double* score_out) {
  uint64_t len = size();
  uint64_t r;  // 0-based ascending
  double sc;
  if (skiplist_) {
    Skiplist sl(tx_, value_);
    RawRef n = sl.lookup(member, key_hash(member));
    if (n.is_null()) return false;
    sc = sl.score(n);
    r = sl.get_rank(sc, member) - 1;
  } else {
    size_t i = lp_find(member);
    if (i == std::string_view::npos) return false;
    r = i;
    sc = elems_[i].score;
  }
  *out = reverse ? len - 1 - r : r;
  if (score_out) *score_out = sc;
  return true;
}

void ZSet::range_by_rank(uint64_t start, uint64_t end, bool reverse, const ZVisit& fn) {
  uint64_t n = end - start + 1;
  if (!skiplist_) {
    load();
    for (uint64_t k = 0; k < n; ++k) {
      fn(elems_[reverse ? elems_.size() - 1 - start - k : start + k]);
    }
    return;
  }
  Skiplist sl(tx_, value_);
  RawRef x = reverse ? sl.by_rank(sl.length() - start) : sl.by_rank(start + 1);
  for (uint64_t k = 0; k < n && !x.is_null(); ++k) {
    fn(sl.elem(x));
    x = reverse ? sl.backward(x) : sl.fwd(x, 0);
  }
}

void ZSet::range_by_score(const ScoreRange& r, bool reverse, int64_t offset, int64_t limit,
                          const ZVisit& fn) {
  if (!skiplist_) {
    load();
    int64_t n = static_cast<int64_t>(elems_.size());
    for (int64_t k = 0; k < n && limit != 0; ++k) {
      const ZElem& e = elems_[reverse ? n - 1 - k : k];
      bool in = r.value_gte_min(e.score) && r.value_lte_max(e.score);
      if (!in) {
        if (reverse ? !r.value_gte_min(e.score) : !r.value_lte_max(e.score)) break;
        continue;
      }
      if (offset > 0) {
        --offset;
        continue;
      }
      fn(e);
      if (limit > 0) --limit;
    }
    return;
  }
  Skiplist sl(tx_, value_);
  RawRef x = reverse ? sl.last_in(r) : sl.first_in(r);
  while (!x.is_null() && offset-- > 0) x = reverse ? sl.backward(x) : sl.fwd(x, 0);
  while (!x.is_null() && limit != 0) {
    ZElem e = sl.elem(x);
    if (reverse ? !r.value_gte_min(e.score) : !r.value_lte_max(e.score)) break;
    fn(e);
    if (limit > 0) --limit;
    x = reverse ? sl.backward(x) : sl.fwd(x, 0);
  }
}

// Listpack lex scans follow Redis's zzl*LexRange exactly (they matter when scores differ, where
// the member order is not lexicographic): the first element >= min starts the range, which
// then runs while elements are <= max (mirrored for reverse).
// Redis's zzlIsInLexRange: a valid range that may overlap [first, last].
static bool lp_in_lex_range(const std::vector<ZElem>& el, const LexRange& r) {
  return !r.empty() && !el.empty() && r.value_gte_min(el.back().member) &&
         r.value_lte_max(el.front().member);
}
static size_t lp_first_lex(const std::vector<ZElem>& el, const LexRange& r) {
  if (!lp_in_lex_range(el, r)) return std::string_view::npos;
  for (size_t i = 0; i < el.size(); ++i) {
    if (r.value_gte_min(el[i].member)) {
      return r.value_lte_max(el[i].member) ? i : std::string_view::npos;
    }
  }
  return std::string_view::npos;
}
static size_t lp_last_lex(const std::vector<ZElem>& el, const LexRange& r) {
  if (!lp_in_lex_range(el, r)) return std::string_view::npos;
  for (size_t i = el.size(); i-- > 0;) {
    if (r.value_lte_max(el[i].member)) {
      return r.value_gte_min(el[i].member) ? i : std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

void ZSet::range_by_lex(const LexRange& r, bool reverse, int64_t offset, int64_t limit,
                        const ZVisit& fn) {
  if (!skiplist_) {
    load();
    size_t i = reverse ? lp_last_lex(elems_, r) : lp_first_lex(elems_, r);
    if (i == std::string_view::npos) return;
    int64_t n = static_cast<int64_t>(elems_.size());
    int64_t k = static_cast<int64_t>(i);
    int64_t step = reverse ? -1 : 1;
    for (; offset > 0 && k >= 0 && k < n; --offset) k += step;
    for (; k >= 0 && k < n && limit != 0; k += step) {
      const ZElem& e = elems_[k];
      if (reverse ? !r.value_gte_min(e.member) : !r.value_lte_max(e.member)) break;
      fn(e);
      if (limit > 0) --limit;
    }
    return;
  }
  Skiplist sl(tx_, value_);
  RawRef x = reverse ? sl.last_in(r) : sl.first_in(r);
  while (!x.is_null() && offset-- > 0) x = reverse ? sl.backward(x) : sl.fwd(x, 0);
  while (!x.is_null() && limit != 0) {
    ZElem e = sl.elem(x);
    if (reverse ? !r.value_gte_min(e.member) : !r.value_lte_max(e.member)) break;
    fn(e);
    if (limit > 0) --limit;
    x = reverse ? sl.backward(x) : sl.fwd(x, 0);
  }
}

uint64_t ZSet::count_by_score(const ScoreRange& r) {
  if (!skiplist_) {
    uint64_t c = 0;
    range_by_score(r, false, 0, -1, [&](const ZElem&) { ++c; });
    return c;
  }
  Skiplist sl(tx_, value_);
  RawRef first = sl.first_in(r);
  if (first.is_null()) return 0;
  ZElem f = sl.elem(first);
  uint64_t rank_first = sl.get_rank(f.score, f.member);
  RawRef last = sl.last_in(r);
  ZElem l = sl.elem(last);
  return sl.get_rank(l.score, l.member) - rank_first + 1;
}

uint64_t ZSet::count_by_lex(const LexRange& r) {
  if (!skiplist_) {
    load();
    size_t i = lp_first_lex(elems_, r);
    if (i == std::string_view::npos) return 0;
    size_t j = i;
    while (j < elems_.size() && r.value_lte_max(elems_[j].member)) ++j;
    return j - i;
  }
  Skiplist sl(tx_, value_);
  RawRef first = sl.first_in(r);
  if (first.is_null()) return 0;
  ZElem f = sl.elem(first);
  uint64_t rank_first = sl.get_rank(f.score, f.member);
  RawRef last = sl.last_in(r);
  if (last.is_null()) return 0;
  ZElem l = sl.elem(last);
  uint64_t rank_last = sl.get_rank(l.score, l.member);
  return rank_last >= rank_first ? rank_last - rank_first + 1 : 0;
}

uint64_t ZSet::remove_range_by_rank(uint64_t start, uint64_t end) {
  if (!skiplist_) {
    load();
    elems_.erase(elems_.begin() + static_cast<ptrdiff_t>(start),
                 elems_.begin() + static_cast<ptrdiff_t>(end + 1));
    dirty_ = true;
    return end - start + 1;
  }
  Skiplist sl(tx_, value_);
  RawRef first = sl.by_rank(start + 1);
  if (first.is_null()) return 0;
  RawRef update[kMaxLevel];
  ZElem fe = sl.elem(first);
  sl.find_update(fe.score, fe.member, update);
  uint64_t removed = 0;
  RawRef x = first;
  for (uint64_t k = start; k <= end && !x.is_null(); ++k) {
    RawRef next = sl.fwd(x, 0);
    sl.erase(x, update);
    ++removed;
    x = next;
  }
  return removed;
}

uint64_t ZSet::remove_range_by_score(const ScoreRange& r) {
  if (!skiplist_) {
    load();
    size_t before = elems_.size();
    std::erase_if(elems_, [&](const ZElem& e) {
      return r.value_gte_min(e.score) && r.value_lte_max(e.score);
    });
    if (elems_.size() != before) dirty_ = true;
    return before - elems_.size();
  }
  Skiplist sl(tx_, value_);
  RawRef x = sl.first_in(r);
  if (x.is_null()) return 0;
  RawRef update[kMaxLevel];
  ZElem fe = sl.elem(x);
  sl.find_update(fe.score, fe.member, update);
  uint64_t removed = 0;
  while (!x.is_null() && r.value_lte_max(sl.score(x))) {
    RawRef next = sl.fwd(x, 0);
    sl.erase(x, update);
    ++removed;
    x = next;
  }
  return removed;
}

uint64_t ZSet::remove_range_by_lex(const LexRange& r) {
  if (!skiplist_) {
    load();
    size_t i = lp_first_lex(elems_, r);
    if (i == std::string_view::npos) return 0;
    size_t j = i;
    while (j < elems_.size() && r.value_lte_max(elems_[j].member)) ++j;
    elems_.erase(elems_.begin() + static_cast<ptrdiff_t>(i),
                 elems_.begin() + static_cast<ptrdiff_t>(j));
    dirty_ = true;
    return j - i;
  }
  Skiplist sl(tx_, value_);
  RawRef x = sl.first_in(r);
  if (x.is_null()) return 0;
  RawRef update[kMaxLevel];
  ZElem fe = sl.elem(x);
  sl.find_update(fe.score, fe.member, update);
  uint64_t removed = 0;
  while (!x.is_null() && r.value_lte_max(sl.member(x))) {
    RawRef next = sl.fwd(x, 0);
    sl.erase(x, update);
    ++removed;
    x = next;
  }
  return removed;
}

ZElem ZSet::at(uint64_t rank) {
  if (!skiplist_) {
    load();
    return elems_[rank];
  }
  Skiplist sl(tx_, value_);
  return sl.elem(sl.by_rank(rank + 1));
}

void ZSet::for_each(const ZVisit& fn) {
  if (!skiplist_) {
    load();
    for (const ZElem& e : elems_) fn(e);
    return;
  }
  Skiplist sl(tx_, value_);
  for (RawRef n = sl.fwd(sl.head(), 0); !n.is_null(); n = sl.fwd(n, 0)) fn(sl.elem(n));
}

uint64_t ZSet::scan(uint64_t cursor, size_t count, const ZVisit& fn) {
  if (!skiplist_) {
    for_each(fn);
    return 0;
  }
  Skiplist sl(tx_, value_);
  size_t visited = 0;
  uint64_t max_iter = count * 10;
  do {
    cursor = sl.scan_step(cursor, fn, &visited);
  } while (cursor != 0 && max_iter-- > 0 && visited < count);
  return cursor;
}

size_t ZSet::memory_usage(size_t samples) {
  if (!skiplist_) {
    if (value_.is_null()) return 0;
    const LpHeader* h = reinterpret_cast<const LpHeader*>(tx_.read_immutable_bytes(value_));
    return (sizeof(LpHeader) + h->bytes + 15) & ~size_t{15};
  }
  Skiplist sl(tx_, value_);
  uint64_t len = sl.length();
  RootDict d = sl.dict();
  size_t total = kRootSize + node_size(kMaxLevel) + sizeof(TableHeader) +
                 tx_.read(Ref<TableHeader>(d.table.offset()))->nbuckets * sizeof(Bucket);
  size_t sampled = 0, bytes = 0;
  for (RawRef n = sl.fwd(sl.head(), 0); !n.is_null() && (samples == 0 || sampled < samples);
       n = sl.fwd(n, 0)) {
    bytes += node_size(sl.levels(n)) + ((sizeof(StrHeader) + sl.member(n).size() + 15) & ~15ul);
    ++sampled;
  }
  if (sampled > 0) total += bytes * len / sampled;
  return total;
}

void register_zset_value_ops() {
  register_value_freer(ObjType::kZSet, free_zset_value);
  register_value_copier(ObjType::kZSet, copy_zset_value);
}

std::string zset_scan_score(double score, Encoding enc) {
  if (enc == Encoding::kListpack) {
    // Integral scores within +-LLONG_MAX/2 are listpack integers (Redis's double2ll).
    if (score >= -static_cast<double>(LLONG_MAX / 2) &&
        score <= static_cast<double>(LLONG_MAX / 2)) {
      auto ll = static_cast<long long>(score);
      if (static_cast<double>(ll) == score) return std::to_string(ll);
    }
  }
  return protocol::format_double(score);
}

}  // namespace stmkv
