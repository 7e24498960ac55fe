// ds/list.h — the list value type on the STM heap (Redis's quicklist, shaped for the STM).
//
// A list is a header (Hint::kMutable) and a doubly linked chain of nodes (kMutable), each an
// array of element Refs (immutable string objects, kShared) used as a small deque: the live
// elements are the slots [begin, end). Fields touched by operations at the left end (header:
// head + left counter; node: prev + begin) and at the right end (header: tail + right counter;
// node: next + end + cap) sit in different 16-byte granules, so an LPUSH and an RPUSH on a list
// of more than one node touch disjoint granules. LLEN = left + right (the counters are the net
// pushes at each end). Push and pop at either end are O(1); index access walks the nodes.
//
// A list is never left empty by the commands: an operation that removes the last element
// reports it (*emptied) and the caller deletes the key (which frees the list). All functions run
// inside a transaction; Refs they return are valid only in it.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "stm/stm.h"

namespace stmkv::list {

enum class End { kLeft, kRight };

struct Header {
  stm::RawRef head;   // granule 0: the left end
  int64_t left;
  stm::RawRef tail;   // granule 1: the right end
  int64_t right;
  uint64_t left_writes;   // granule 2: count of changes at the left end (WATCH stamp)
  uint64_t pad_l;
  uint64_t right_writes;  // granule 3: the same at the right end
  uint64_t pad_r;
};
static_assert(sizeof(Header) == 64);

struct Node {
  stm::RawRef prev;   // granule 0: left side
  uint32_t begin;
  uint32_t pad;
  stm::RawRef next;   // granule 1: right side
  uint32_t end;
  uint32_t cap;
  // stm::RawRef slots[cap] follow.
};
static_assert(sizeof(Node) == 32);

// Node capacity (elements) for Redis's list-max-listpack-size: N > 0 entries, or -1..-5 for
// 4..64 KB nodes (taken as 64..1024 elements).
uint32_t node_capacity(int64_t list_max_listpack_size);

// A new empty list.
stm::RawRef create(stm::Tx& tx);
// Number of elements.
int64_t length(stm::Tx& tx, stm::RawRef list);
// Adds elem (a string object, now owned by the list) at one end. cap: node capacity.
void push(stm::Tx& tx, stm::RawRef list, End end, stm::RawRef elem, uint32_t cap);
// Removes the element at one end and returns it (the caller frees it). The list must not be
// empty. *emptied is set when it was the last one.
stm::RawRef pop(stm::Tx& tx, stm::RawRef list, End end, bool* emptied);

// A position: a node and an absolute slot index in it.
struct Pos {
  stm::Ref<Node> node;
  uint32_t idx = 0;
  bool valid() const { return !node.is_null(); }
};
// The element at index i (0-based from the left; negative from the right, as Redis), or an
// invalid Pos when out of range. Walks from the nearer end.
Pos seek(stm::Tx& tx, stm::RawRef list, int64_t index);
// The next / previous position (invalid past the end).
Pos next(stm::Tx& tx, Pos p);
Pos prev(stm::Tx& tx, Pos p);
// The element at p, and its replacement (the old element is returned for the caller to free).
stm::RawRef get(stm::Tx& tx, Pos p);
stm::RawRef replace(stm::Tx& tx, Pos p, stm::RawRef elem);
// Inserts elem before (after = false) or after p.
void insert(stm::Tx& tx, stm::RawRef list, Pos p, bool after, stm::RawRef elem, uint32_t cap);
// Removes the elements at the given positions (any order, no duplicates) and frees them.
// Positions are invalid afterwards. *emptied is set when the list became empty.
void erase(stm::Tx& tx, stm::RawRef list, std::vector<Pos> positions, bool* emptied);

// Calls fn(elem) for each element from the left (returning false stops).
void for_each(stm::Tx& tx, stm::RawRef list, const std::function<bool(stm::RawRef)>& fn);

// Frees the list and its elements; a deep copy (the value type's freer and copier).
void destroy(stm::Tx& tx, stm::RawRef list);
stm::RawRef copy(stm::Tx& tx, stm::RawRef list);

// WATCH's stamp of the list's end operations: changes whenever an element is pushed, popped,
// inserted or removed (a write at one end touches only that end's counter, so LPUSH and RPUSH
// do not conflict on it). Replacements in place (LSET) are not counted: callers bump the
// entry's version for those.
uint64_t stamp(stm::Tx& tx, stm::RawRef list);

// Bytes used on the heap (MEMORY USAGE), elements included.
size_t memory_usage(stm::Tx& tx, stm::RawRef list);

}  // namespace stmkv::list
