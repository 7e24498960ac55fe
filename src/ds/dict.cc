#include "ds/dict.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <vector>

#include "ds/keyspace.h"
#include "ds/objects.h"

namespace stmkv {

namespace {

using stm::RawRef;
using stm::Ref;

constexpr uint64_t kMinBuckets = 16;
constexpr size_t kSlotsOff = sizeof(DictHeader);
constexpr size_t kTableOff = offsetof(DictHeader, table);
// An insert that finds at least this many nodes in its chain checks the load factor.
constexpr int kLongChain = 4;
// A delete that empties its bucket looks at this many following buckets before it reads the
// counters to learn whether the dict became empty.
constexpr uint64_t kEmptyProbe = 8;

struct ChainLink {
  RawRef next;
  uint64_t hash;
};
struct FieldValue {
  RawRef field;
  RawRef value;
};
struct TableRef {
  RawRef table;
  uint64_t nbuckets;
};

Ref<RawRef> head_at(RawRef table, uint64_t i) { return Ref<RawRef>(table.offset() + 16 * i); }

RawRef new_table(stm::Tx& tx, uint64_t nbuckets, char** out = nullptr) {
  char* p;
  RawRef t = tx.alloc_raw(nbuckets * 16, stm::Hint::kMutable, &p);
  std::memset(p, 0, nbuckets * 16);
  if (out != nullptr) *out = p;
  return t;
}

uint64_t rev_bits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
  v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((v & 0x0F0F0F0F0F0F0F0Full) << 4);
  return __builtin_bswap64(v);
}

size_t str_bytes(stm::Tx& tx, RawRef s) {
  return (sizeof(StrHeader) + str_view(tx, s).size() + 15) & ~size_t{15};
}

}  // namespace

uint64_t field_hash(std::string_view field) { return key_hash(field); }

RawRef Dict::create(stm::Tx& tx, uint64_t expected) {
  uint64_t nb = std::max(kMinBuckets, std::bit_ceil(std::max<uint64_t>(expected, 1)));
  uint32_t nslots = static_cast<uint32_t>(tx.heap().nsegments() + 1);
  size_t bytes = sizeof(DictHeader) + nslots * sizeof(DictSlot);
  char* p;
  RawRef h = tx.alloc_raw(bytes, stm::Hint::kMutable, &p);
  std::memset(p, 0, bytes);
  auto* hd = reinterpret_cast<DictHeader*>(p);
  hd->kind = ValueKind::kDict;
  hd->nslots = nslots;
  hd->table = new_table(tx, nb);
  hd->nbuckets = nb;
  return h;
}

Ref<RawRef> Dict::bucket_head(uint64_t hash, uint64_t* nbuckets) {
  TableRef t = *reinterpret_cast<const TableRef*>(tx_.read_bytes(h_, kTableOff, 16));
  if (nbuckets != nullptr) *nbuckets = t.nbuckets;
  return head_at(t.table, hash & (t.nbuckets - 1));
}

uint64_t Dict::bucket_count() {
  return reinterpret_cast<const TableRef*>(tx_.read_bytes(h_, kTableOff, 16))->nbuckets;
}

Ref<DictNode> Dict::find(std::string_view field) {
  uint64_t h = field_hash(field);
  RawRef cur = *tx_.read(bucket_head(h));
  while (!cur.is_null()) {
    Ref<DictNode> n(cur);
    ChainLink cl = *tx_.read(n.cast<ChainLink>());
    if (cl.hash == h && field_of(n) == field) return n;
    cur = cl.next;
  }
  return Ref<DictNode>();
}

RawRef Dict::value_of(Ref<DictNode> n) {
  return reinterpret_cast<const FieldValue*>(tx_.read_bytes(n, 16, 16))->value;
}

std::string_view Dict::field_of(Ref<DictNode> n) {
  return str_view(tx_, reinterpret_cast<const FieldValue*>(tx_.read_bytes(n, 16, 16))->field);
}

void Dict::set_value(Ref<DictNode> n, RawRef value) {
  auto* fv = reinterpret_cast<FieldValue*>(tx_.write_bytes(n, 16, 16));
  if (!fv->value.is_null()) tx_.free(fv->value);
  fv->value = value;
  bump(0);
}

void Dict::bump(int64_t delta) {
  uint32_t nslots = tx_.read_immutable(Ref<DictHeader>(h_))->nslots;
  uint32_t seg = static_cast<uint32_t>(tx_.segment()) % nslots;
  auto* s = reinterpret_cast<DictSlot*>(tx_.write_bytes(h_, kSlotsOff + 16 * seg, 16));
  s->count += delta;
  ++s->stamp;
}

bool Dict::insert(std::string_view field, RawRef value) {
  uint64_t h = field_hash(field);
  uint64_t nb;
  Ref<RawRef> head = bucket_head(h, &nb);
  RawRef first = *tx_.read(head);
  int chain = 0;
  for (RawRef cur = first; !cur.is_null(); ++chain) {
    Ref<DictNode> n(cur);
    ChainLink cl = *tx_.read(n.cast<ChainLink>());
    if (cl.hash == h && field_of(n) == field) {
      if (!value.is_null()) set_value(n, value);
      return false;
    }
    cur = cl.next;
  }
  char* p;
  Ref<DictNode> n(tx_.alloc_raw(sizeof(DictNode), stm::Hint::kMutable, &p));
  DictNode node{first, h, make_str(tx_, field), value};
  std::memcpy(p, &node, sizeof node);
  *tx_.write(head) = n;
  bump(1);
  if (chain >= kLongChain) {
    int64_t total = size();
    if (uint64_t(total) > nb) resize(std::bit_ceil(uint64_t(total) + 1));
  }
  return true;
}

bool Dict::remove(std::string_view field, bool* now_empty) {
  uint64_t h = field_hash(field);
  uint64_t nb;
  Ref<RawRef> head = bucket_head(h, &nb);
  Ref<RawRef> link = head;
  RawRef cur = *tx_.read(link);
  while (!cur.is_null()) {
    Ref<DictNode> n(cur);
    ChainLink cl = *tx_.read(n.cast<ChainLink>());
    if (cl.hash == h && field_of(n) == field) break;
    link = n.cast<RawRef>();
    cur = cl.next;
  }
  if (cur.is_null()) {
    if (now_empty != nullptr) *now_empty = false;
    return false;
  }
  Ref<DictNode> n(cur);
  FieldValue fv = *reinterpret_cast<const FieldValue*>(tx_.read_bytes(n, 16, 16));
  *tx_.write(link) = tx_.read(n.cast<ChainLink>())->next;
  tx_.free(fv.field);
  if (!fv.value.is_null()) tx_.free(fv.value);
  tx_.free(n);
  bump(-1);
  if (now_empty == nullptr) return true;
  *now_empty = false;
  if (!tx_.read(head)->is_null()) return true;
  RawRef table = RawRef(head.offset() - 16 * (h & (nb - 1)));
  for (uint64_t k = 1; k <= std::min(kEmptyProbe, nb - 1); ++k) {
    if (!tx_.read(head_at(table, (h + k) & (nb - 1)))->is_null()) return true;
  }
  int64_t total = size();
  *now_empty = total <= 0;
  // Redis's htNeedsResize: shrink below 10% fill.
  if (total > 0 && nb > kMinBuckets && uint64_t(total) * 10 < nb) {
    resize(std::max(kMinBuckets, std::bit_ceil(uint64_t(total))));
  }
  return true;
}

void Dict::resize(uint64_t nbuckets) {
  TableRef old = *reinterpret_cast<const TableRef*>(tx_.read_bytes(h_, kTableOff, 16));
  if (nbuckets == old.nbuckets) return;
  char* p;
  RawRef table = new_table(tx_, nbuckets, &p);
  auto* heads = reinterpret_cast<RawRef*>(p);
  for (uint64_t i = 0; i < old.nbuckets; ++i) {
    for (RawRef cur = *tx_.read(head_at(old.table, i)); !cur.is_null();) {
      Ref<ChainLink> n(cur);
      ChainLink* w = tx_.write(n);
      cur = w->next;
      uint64_t j = w->hash & (nbuckets - 1);
      w->next = heads[2 * j];
      heads[2 * j] = n;
    }
  }
  *reinterpret_cast<TableRef*>(tx_.write_bytes(h_, kTableOff, 16)) = TableRef{table, nbuckets};
  tx_.free(old.table);
}

int64_t Dict::size() {
  uint32_t nslots = tx_.read_immutable(Ref<DictHeader>(h_))->nslots;
  int64_t n = 0;
  for (uint32_t i = 0; i < nslots; ++i) {
    n += *reinterpret_cast<const int64_t*>(tx_.read_bytes(h_, kSlotsOff + 16 * i, 8));
  }
  return n;
}

uint64_t Dict::stamp() {
  uint32_t nslots = tx_.read_immutable(Ref<DictHeader>(h_))->nslots;
  uint64_t n = 0;
  for (uint32_t i = 0; i < nslots; ++i) {
    n += *reinterpret_cast<const uint64_t*>(tx_.read_bytes(h_, kSlotsOff + 16 * i + 8, 8));
  }
  return n;
}

void Dict::for_each(const std::function<void(std::string_view, RawRef)>& fn) {
  TableRef t = *reinterpret_cast<const TableRef*>(tx_.read_bytes(h_, kTableOff, 16));
  for (uint64_t i = 0; i < t.nbuckets; ++i) {
    for (RawRef cur = *tx_.read(head_at(t.table, i)); !cur.is_null();) {
      Ref<DictNode> n(cur);
      cur = tx_.read(n.cast<ChainLink>())->next;
      FieldValue fv = *reinterpret_cast<const FieldValue*>(tx_.read_bytes(n, 16, 16));
      fn(str_view(tx_, fv.field), fv.value);
    }
  }
}

uint64_t Dict::scan(uint64_t cursor, size_t count,
                    const std::function<void(std::string_view, RawRef)>& fn) {
  TableRef t = *reinterpret_cast<const TableRef*>(tx_.read_bytes(h_, kTableOff, 16));
  uint64_t m = t.nbuckets - 1;
  size_t found = 0;
  size_t iterations = count > SIZE_MAX / 10 ? SIZE_MAX : count * 10;
  uint64_t v = cursor;
  do {
    for (RawRef cur = *tx_.read(head_at(t.table, v & m)); !cur.is_null();) {
      Ref<DictNode> n(cur);
      cur = tx_.read(n.cast<ChainLink>())->next;
      FieldValue fv = *reinterpret_cast<const FieldValue*>(tx_.read_bytes(n, 16, 16));
      fn(str_view(tx_, fv.field), fv.value);
      ++found;
    }
    v |= ~m;
    v = rev_bits(v);
    ++v;
    v = rev_bits(v);
  } while (v != 0 && found < count && --iterations > 0);
  return v;
}

Ref<DictNode> Dict::random(uint64_t seed) {
  TableRef t = *reinterpret_cast<const TableRef*>(tx_.read_bytes(h_, kTableOff, 16));
  uint64_t x = seed | 1;
  auto next_rand = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  auto pick = [&](uint64_t i) -> Ref<DictNode> {
    std::vector<RawRef> chain;
    for (RawRef cur = *tx_.read(head_at(t.table, i)); !cur.is_null();) {
      chain.push_back(cur);
      cur = tx_.read(Ref<ChainLink>(cur))->next;
    }
    if (chain.empty()) return Ref<DictNode>();
    return Ref<DictNode>(chain[next_rand() % chain.size()]);
  };
  for (int attempt = 0; attempt < 256; ++attempt) {
    Ref<DictNode> n = pick(next_rand() & (t.nbuckets - 1));
    if (!n.is_null()) return n;
  }
  uint64_t start = next_rand();
  for (uint64_t k = 0; k < t.nbuckets; ++k) {
    Ref<DictNode> n = pick((start + k) & (t.nbuckets - 1));
    if (!n.is_null()) return n;
  }
  return Ref<DictNode>();
}

void Dict::destroy() {
  TableRef t = *reinterpret_cast<const TableRef*>(tx_.read_bytes(h_, kTableOff, 16));
  for (uint64_t i = 0; i < t.nbuckets; ++i) {
    for (RawRef cur = *tx_.read(head_at(t.table, i)); !cur.is_null();) {
      Ref<DictNode> n(cur);
      cur = tx_.read(n.cast<ChainLink>())->next;
      FieldValue fv = *reinterpret_cast<const FieldValue*>(tx_.read_bytes(n, 16, 16));
      tx_.free(fv.field);
      if (!fv.value.is_null()) tx_.free(fv.value);
      tx_.free(n);
    }
  }
  tx_.free(t.table);
  tx_.free(h_);
}

RawRef Dict::copy() {
  RawRef c = create(tx_, static_cast<uint64_t>(std::max<int64_t>(size(), 1)));
  Dict d(tx_, c);
  for_each([&](std::string_view f, RawRef v) {
    d.insert(f, v.is_null() ? RawRef() : make_str(tx_, str_view(tx_, v)));
  });
  return c;
}

size_t Dict::heap_bytes(size_t samples) {
  TableRef t = *reinterpret_cast<const TableRef*>(tx_.read_bytes(h_, kTableOff, 16));
  uint32_t nslots = tx_.read_immutable(Ref<DictHeader>(h_))->nslots;
  size_t fixed = sizeof(DictHeader) + nslots * sizeof(DictSlot) + t.nbuckets * 16;
  size_t elements = 0;
  size_t element_bytes = 0;
  for (uint64_t i = 0; i < t.nbuckets && (samples == 0 || elements < samples); ++i) {
    for (RawRef cur = *tx_.read(head_at(t.table, i)); !cur.is_null();) {
      Ref<DictNode> n(cur);
      cur = tx_.read(n.cast<ChainLink>())->next;
      FieldValue fv = *reinterpret_cast<const FieldValue*>(tx_.read_bytes(n, 16, 16));
      element_bytes += sizeof(DictNode) + str_bytes(tx_, fv.field);
      if (!fv.value.is_null()) element_bytes += str_bytes(tx_, fv.value);
      ++elements;
    }
  }
  if (samples == 0 || elements == 0) return fixed + element_bytes;
  int64_t n = size();
  return fixed + static_cast<size_t>(double(element_bytes) / double(elements) * double(n));
}

}  // namespace stmkv
