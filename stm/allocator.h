// stm/allocator.h — a worker's object allocator: size-classed slots carved from pages of the
// heap, bump arenas per size class for shared and for mutable pages, free lists, and the
// retire queue of objects freed by committed transactions (epoch-based reuse). Internal; owned
// by one Tx, single-threaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

#include "stm/heap.h"

namespace stm {
STM_ABI_BEGIN
namespace detail {

inline constexpr uint32_t kSlotSizes[] = {16,  32,  48,  64,  80,  96,   112,  128,
                                          160, 192, 224, 256, 320, 384,  448,  512,
                                          640, 768, 896, 1024, 1280, 1536, 1792, 2048};
inline constexpr int kNumClasses = sizeof(kSlotSizes) / sizeof(kSlotSizes[0]);
inline constexpr uint32_t kMaxSmall = 2048;
// Pages taken at once for a mutable arena (all switched to PRIVATE_ALL in one populate call).
inline constexpr uint32_t kMutableChunkPages = 4;

// Size class index for n bytes (1 <= n <= kMaxSmall).
int size_class_of(size_t n);

// Where an object lives: its first byte and its extent (slot size, or run bytes).
struct Extent {
  uint64_t start;
  uint64_t len;
};
// The object containing heap offset `off` (which must lie in an allocated slot or run).
Extent object_extent(Heap& heap, uint64_t off);

class Allocator {
 public:
  explicit Allocator(Heap& heap) : heap_(heap) {}
  ~Allocator();

  // A candidate slot of class cls for the shared path (SHARED page) or mutable path. The
  // caller checks the page (pin / ensure private) and hands back rejected slots with
  // reroute(). Fresh arena pages are allocated as needed (mutable ones already PRIVATE_ALL).
  uint64_t take_shared(int cls);
  uint64_t take_mutable(int cls);
  // A slot rejected by the shared path (its page is no longer SHARED) joins the mutable list.
  void reroute(uint64_t off, int cls) { mutable_free_[cls].push_back(off); }
  // A slot taken by an aborted transaction goes back unused.
  void give_back(uint64_t off, int cls, bool mutable_path);

  // Objects freed by the transaction committed at `rev`.
  void retire(uint64_t off, uint64_t rev) { retired_.push_back({rev, off}); }
  // Makes retired objects with rev <= safe_rev reusable (large runs go back to the heap).
  void reclaim(uint64_t safe_rev);
  bool has_retired() const { return !retired_.empty(); }

 private:
  struct Arena {
    uint64_t next = 0;
    uint64_t end = 0;
  };
  struct Retired {
    uint64_t rev;
    uint64_t off;
  };
  uint64_t bump(Arena& a, int cls, bool mutable_path);

  Heap& heap_;
  std::vector<uint64_t> shared_free_[kNumClasses];
  std::vector<uint64_t> mutable_free_[kNumClasses];
  Arena shared_arena_[kNumClasses];
  Arena mutable_arena_[kNumClasses];
  std::deque<Retired> retired_;
};

}  // namespace detail
STM_ABI_END
}  // namespace stm
