// ds/small_map.h — the compact encodings of small collections on the STM heap, as Redis's
// listpack and intset: one immutable object (Hint::kShared) holding every element, replaced as a
// whole (copy on write) by each modification, so a write is O(n) as Redis's listpack inserts are.
//
// Every collection value (compact or dict) starts with a 4-byte ValueKind tag that is never
// written after creation, so value_kind() reads it without a barrier. Objects here are built
// outside the heap (PackBuilder / a sorted vector) and published with one allocation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stm/stm.h"

namespace stmkv {

// What a collection value object is.
enum class ValueKind : uint32_t {
  kPairs = 0x50414952,    // pack of field, value, field, value ... (hash listpack)
  kMembers = 0x4d454d42,  // pack of members (small set of strings)
  kIntset = 0x494e5453,   // sorted int64 array (set intset)
  kDict = 0x44494354,     // ds/dict.h hash table
};
// The kind of a collection value (its first 4 bytes).
inline ValueKind value_kind(stm::Tx& tx, stm::RawRef v) {
  return *reinterpret_cast<const ValueKind*>(tx.read_immutable_bytes(v));
}

// Layout of a pack: [PackHeader][items], an item = [uint32 len][bytes], unpadded.
struct PackHeader {
  ValueKind kind;
  uint32_t count;  // items (a pairs pack holds 2 items per element)
  uint64_t bytes;  // size of the item area
};
// Layout of an intset: [PackHeader (count = elements, bytes = 8*count)][int64 sorted].

// Reads the items of a pack in order. Views stay valid until the transaction ends.
class PackReader {
 public:
  PackReader(stm::Tx& tx, stm::RawRef pack);
  uint32_t count() const { return count_; }
  // The next item; false at the end.
  bool next(std::string_view* item);
  // All items.
  std::vector<std::string_view> all();

 private:
  const char* p_;
  const char* end_;
  uint32_t count_;
};

// Accumulates items, then publishes them as a new pack.
class PackBuilder {
 public:
  void add(std::string_view item);
  uint32_t count() const { return count_; }
  stm::RawRef finish(stm::Tx& tx, ValueKind kind) const;

 private:
  std::string buf_;
  uint32_t count_ = 0;
};

// Bytes a pack of these items occupies on the heap (MEMORY USAGE).
size_t pack_heap_bytes(stm::Tx& tx, stm::RawRef pack);

// --- intsets ---
// A view of an intset's sorted values (valid until the transaction ends).
struct IntsetView {
  const int64_t* data;
  uint32_t count;
  // Whether v is a member (binary search).
  bool contains(int64_t v) const;
};
IntsetView intset_view(stm::Tx& tx, stm::RawRef set);
// A new intset holding `values` (sorted and unique).
stm::RawRef make_intset(stm::Tx& tx, const std::vector<int64_t>& values);

// A deep copy of a compact value (COPY): one object copied byte for byte.
stm::RawRef copy_compact(stm::Tx& tx, stm::RawRef v);

}  // namespace stmkv
