#include "stm/allocator.h"

#include <cstring>

namespace stm {
STM_ABI_BEGIN
namespace detail {

int size_class_of(size_t n) {
  // Small table walk: 24 classes, branch-predictable for the common sizes.
  for (int c = 0; c < kNumClasses; ++c) {
    if (n <= kSlotSizes[c]) return c;
  }
  return -1;
}

Extent object_extent(Heap& heap, uint64_t off) {
  uint64_t p = off >> kPageShift;
  PageMeta& m = heap.page(p);
  switch (m.kind.load(std::memory_order_relaxed)) {
    case kSmall: {
      uint64_t sz = kSlotSizes[m.size_class.load(std::memory_order_relaxed)];
      uint64_t base = p << kPageShift;
      return {base + (off - base) / sz * sz, sz};
    }
    case kLargeTail:
      p = m.run.load(std::memory_order_relaxed);
      [[fallthrough]];
    case kLargeHead:
      return {p << kPageShift, uint64_t{heap.page(p).run.load(std::memory_order_relaxed)}
                                   << kPageShift};
    default:   // reserved pages (roots): the page is the object
      return {p << kPageShift, kPageSize};
  }
}

Allocator::~Allocator() = default;

uint64_t Allocator::bump(Arena& a, int cls, bool mutable_path) {
  uint32_t sz = kSlotSizes[cls];
  if (a.next + sz > a.end) {
    uint32_t npages = mutable_path ? kMutableChunkPages : 1;
    uint64_t first = heap_.alloc_pages(npages, kSmall, static_cast<uint8_t>(cls));
    if (mutable_path && STM_BARRIERS) heap_.privatize_fresh(first, npages);
    // Slots never straddle pages: each page holds floor(4096 / sz) slots.
    a.next = first << kPageShift;
    a.end = (first + npages) << kPageShift;
    // Remember the page boundaries by carving page by page below.
  }
  uint64_t off = a.next;
  uint64_t page_end = ((off >> kPageShift) + 1) << kPageShift;
  a.next += sz;
  if (a.next + sz > page_end && a.next < a.end) a.next = page_end;   // skip the page's tail
  return off;
}

uint64_t Allocator::take_shared(int cls) {
  auto& fl = shared_free_[cls];
  if (!fl.empty()) {
    uint64_t off = fl.back();
    fl.pop_back();
    return off;
  }
  return bump(shared_arena_[cls], cls, false);
}

uint64_t Allocator::take_mutable(int cls) {
  auto& fl = mutable_free_[cls];
  if (!fl.empty()) {
    uint64_t off = fl.back();
    fl.pop_back();
    return off;
  }
  return bump(mutable_arena_[cls], cls, true);
}

void Allocator::give_back(uint64_t off, int cls, bool mutable_path) {
  (mutable_path ? mutable_free_ : shared_free_)[cls].push_back(off);
}

void Allocator::reclaim(uint64_t safe_rev) {
  while (!retired_.empty() && retired_.front().rev <= safe_rev) {
    uint64_t off = retired_.front().off;
    retired_.pop_front();
    uint64_t p = off >> kPageShift;
    PageMeta& m = heap_.page(p);
    uint8_t kind = m.kind.load(std::memory_order_relaxed);
    if (kind == kLargeHead) {
      heap_.free_pages(p, m.run.load(std::memory_order_relaxed));
      continue;
    }
    int cls = m.size_class.load(std::memory_order_relaxed);
    bool shared = m.state.load(std::memory_order_acquire) == kShared &&
                  m.no_shared_alloc.load(std::memory_order_relaxed) == 0;
    if (shared && heap_.config().debug_poison) {
      std::memset(heap_.segment_base(0) + off, 0xdb, kSlotSizes[cls]);
    }
    (shared || !STM_BARRIERS ? shared_free_ : mutable_free_)[cls].push_back(off);
  }
}

}  // namespace detail
STM_ABI_END
}  // namespace stm
