// ds/dict.h — a hash table on the STM heap from immutable byte strings (fields, set members) to
// immutable byte strings (values; null for sets): the "hashtable" encoding of big hashes and
// sets, with Redis's complexity (O(1) average lookup, insert, delete; O(1) random element).
//
// Laid out for the STM, so that transactions touching different elements do not conflict:
// - the header holds the bucket array (read by all, written only by a resize) and one
//   {count, stamp} slot per segment at a 16-byte stride: an insert or delete writes only its
//   own worker's slot; size() sums them;
// - buckets are 16 bytes (one granule each), so inserts into different buckets are disjoint;
// - nodes {next, hash | field, value} (Hint::kMutable): a chain walk reads granule 0, a value
//   replacement (HSET of an existing field, HINCRBY) writes granule 1 only.
// The table doubles when an insert finds a long chain and the count exceeds the buckets, and
// halves when a delete finds it under 10% full (as Redis's htNeedsResize); the resize runs
// inside that writing transaction (it conflicts with concurrent users of this dict only then).
//
// A Dict is a handle used inside one transaction; it must not outlive it.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

#include "ds/small_map.h"
#include "stm/stm.h"

namespace stmkv {

struct DictNode {
  stm::RawRef next;  // granule 0: chain
  uint64_t hash;
  stm::RawRef field;  // granule 1: immutable string objects (ds/objects.h)
  stm::RawRef value;  // null in sets
};
static_assert(sizeof(DictNode) == 32);

struct DictHeader {
  ValueKind kind;   // granule 0: never written after creation
  uint32_t nslots;  // per-segment slots that follow the header
  uint64_t pad;
  stm::RawRef table;  // granule 1: Bucket[nbuckets] (ds/objects.h's Bucket), kMutable
  uint64_t nbuckets;  // a power of two
  // followed by DictSlot slots[nslots]
};
struct DictSlot {
  int64_t count;   // elements added minus removed by this segment's transactions
  uint64_t stamp;  // writes by this segment's transactions (WATCH-style change detection)
};

class Dict {
 public:
  // A new empty dict sized for about `expected` elements.
  static stm::RawRef create(stm::Tx& tx, uint64_t expected);

  Dict(stm::Tx& tx, stm::RawRef header) : tx_(tx), h_(header) {}

  // The node of field, or a null Ref.
  stm::Ref<DictNode> find(std::string_view field);
  bool contains(std::string_view field) { return !find(field).is_null(); }
  // The value object of a found node (null for sets) and the bytes of its field.
  stm::RawRef value_of(stm::Ref<DictNode> n);
  std::string_view field_of(stm::Ref<DictNode> n);
  // Replaces a node's value with the string object `value` (frees the old one).
  void set_value(stm::Ref<DictNode> n, stm::RawRef value);

  // Adds field (with string object `value`, null for sets) if absent: returns true. If present,
  // replaces its value (unless value is null) and returns false; `value` is then consumed too.
  bool insert(std::string_view field, stm::RawRef value);
  // Removes field; returns whether it was present. *now_empty (optional) tells whether the dict
  // became empty (checked cheaply: it reads the counters only when nearby buckets are empty).
  bool remove(std::string_view field, bool* now_empty = nullptr);

  // Number of elements (reads every segment's slot: conflicts with concurrent inserts).
  int64_t size();
  // Sum of the per-segment write stamps: changes whenever the dict is written.
  uint64_t stamp();
  // Calls fn(field, value) for every element (hash order).
  void for_each(const std::function<void(std::string_view, stm::RawRef)>& fn);
  // Redis's reverse-binary cursor scan; visits buckets until at least `count` elements were
  // seen (or 10*count buckets); returns the next cursor (0: done).
  uint64_t scan(uint64_t cursor, size_t count,
                const std::function<void(std::string_view, stm::RawRef)>& fn);
  // A random node (null when empty), drawn as Redis's dictGetFairRandomKey: a random non-empty
  // bucket, then a random element of its chain.
  stm::Ref<DictNode> random(uint64_t seed);

  // Frees the dict, its nodes and their strings.
  void destroy();
  // A deep copy.
  stm::RawRef copy();
  // Heap bytes used (MEMORY USAGE): header, table, nodes and strings. With samples > 0, only
  // the first `samples` elements are measured and their mean stands for every element (as
  // Redis's MEMORY USAGE SAMPLES); 0 measures all.
  size_t heap_bytes(size_t samples = 0);

  uint64_t bucket_count();

 private:
  stm::Ref<stm::RawRef> bucket_head(uint64_t hash, uint64_t* nbuckets = nullptr);
  void bump(int64_t delta);
  void resize(uint64_t nbuckets);

  stm::Tx& tx_;
  stm::RawRef h_;
};

// The hash of a field (64-bit, as key_hash).
uint64_t field_hash(std::string_view field);

}  // namespace stmkv
