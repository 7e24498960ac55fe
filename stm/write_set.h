// stm/write_set.h — the per-transaction map from heap offset to the writable address of a
// slice the transaction owns (a young object, or an old slice with an undo copy). Internal.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "stm/abi.h"

namespace stm {
STM_ABI_BEGIN
namespace detail {

// Open addressing, linear probing, cleared in O(1) per transaction by a stamp.
// Single-threaded: owned by one Tx.
class WriteSet {
 public:
  enum Kind : uint8_t { kOldSlice = 1, kYoungShared = 2, kYoungPrivate = 3 };
  struct Slot {
    uint64_t key;
    uint32_t stamp;
    uint32_t len;   // bytes covered from key on (whole object for young objects)
    char* ptr;      // writable address of key
    Kind kind;
  };

  WriteSet() : slots_(kInitial), mask_(kInitial - 1) {}

  // Forgets every entry. A table grown by a big transaction shrinks back once 64 transactions
  // in a row needed a quarter of it at most: a lookup in an oversized table misses the cache
  // (measured: after a resize step had grown it to thousands of slots, the write-set probe
  // was 5% of a SET's CPU).
  void clear() {
    recent_max_ = std::max(recent_max_, size_);
    size_ = 0;
    if (++clears_ % kShrinkPeriod == 0) {
      size_t want = std::max(kInitial, std::bit_ceil(recent_max_ * 4 + 1));
      recent_max_ = 0;
      if (want < slots_.size()) {
        slots_.assign(want, Slot{});
        mask_ = want - 1;
        stamp_ = 1;
        return;
      }
    }
    if (++stamp_ == 0) {
      for (Slot& s : slots_) s.stamp = 0;
      stamp_ = 1;
    }
  }

  Slot* find(uint64_t key) {
    for (size_t i = hash(key) & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.stamp != stamp_) return nullptr;
      if (s.key == key) return &s;
    }
  }

  // Inserts or overwrites. Returns the slot.
  Slot* put(uint64_t key, uint32_t len, char* ptr, Kind kind) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    for (size_t i = hash(key) & mask_;; i = (i + 1) & mask_) {
      Slot& s = slots_[i];
      if (s.stamp != stamp_) {
        s = Slot{key, stamp_, len, ptr, kind};
        ++size_;
        return &s;
      }
      if (s.key == key) {
        s.len = len;
        s.ptr = ptr;
        s.kind = kind;
        return &s;
      }
    }
  }

  size_t size() const { return size_; }

 private:
  static constexpr size_t kInitial = 256;
  static constexpr uint64_t kShrinkPeriod = 64;
  static size_t hash(uint64_t key) { return (key >> 4) * 0x9E3779B97F4A7C15ull >> 20; }

  void grow() {
    std::vector<Slot> old;
    old.swap(slots_);
    slots_.assign(old.size() * 2, Slot{});
    mask_ = slots_.size() - 1;
    uint32_t st = stamp_;
    size_ = 0;
    for (const Slot& s : old) {
      if (s.stamp != st) continue;
      for (size_t i = hash(s.key) & mask_;; i = (i + 1) & mask_) {
        if (slots_[i].stamp != st) {
          slots_[i] = s;
          ++size_;
          break;
        }
      }
    }
  }

  std::vector<Slot> slots_;
  size_t mask_;
  size_t size_ = 0;
  uint32_t stamp_ = 1;
  size_t recent_max_ = 0;   // the largest size_ since the last shrink check
  uint64_t clears_ = 0;
};

}  // namespace detail
STM_ABI_END
}  // namespace stm
