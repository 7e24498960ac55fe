// stm/page_table.h — per-page metadata of the heap: the page mode state machine (SHARED,
// SWITCHING, PRIVATE_ALL, RESHARING) and what the allocator keeps per page. Internal.
//
// State changes happen under the page's spin lock. Readers of `state` outside the lock use
// acquire loads; the allocator's pin protocol (pin, then check state) pairs with the switcher's
// (set SWITCHING, then check pins) through seq_cst operations.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>

#include "stm/abi.h"

namespace stm {
STM_ABI_BEGIN
namespace detail {

inline constexpr size_t kPageSize = 4096;
inline constexpr int kPageShift = 12;
inline constexpr int kGranuleShift = 4;   // 16-byte granules for read markers

enum PageState : uint8_t {
  kShared = 0,      // every view follows the memfd; old objects here are never modified
  kSwitching = 1,   // becoming PRIVATE_ALL: no new pins; views being populated
  kPrivate = 2,     // PRIVATE_ALL: every view holds its own copy (bitmask full)
  kResharing = 3,   // views drop their copies at their own transaction start
};

enum PageKind : uint8_t {
  kUnused = 0,      // never handed out, or returned to the page allocator
  kSmall = 1,       // slots of one size class
  kLargeHead = 2,   // first page of a large object (run of pages)
  kLargeTail = 3,   // later page of a large object
  kReserved = 4,    // heap header / roots
};

// One cache line per page: writers and pins of neighbouring pages (often other workers' arena
// pages) must not share a line.
struct alignas(64) PageMeta {
  std::atomic<uint8_t> lock{0};
  std::atomic<uint8_t> state{kShared};
  std::atomic<uint8_t> kind{kUnused};
  std::atomic<uint8_t> size_class{0};
  // Set when a switch was requested: shared-path allocation stops using the page.
  std::atomic<uint8_t> no_shared_alloc{0};
  // kLargeHead: pages in the run; kLargeTail: page index of the head.
  std::atomic<uint32_t> run{0};
  // Transactions past the write barrier on this page, not yet committed or aborted.
  std::atomic<uint32_t> writers{0};
  // Bit per segment: running transactions with young objects written through segment 0.
  std::atomic<uint64_t> pin_mask{0};
  // Bit per segment: views that hold a private copy.
  std::atomic<uint64_t> bitmask{0};
  // Revision of the last commit that wrote redo bytes here.
  std::atomic<uint64_t> lastrev{0};

  void acquire() {
    for (int spins = 0; lock.exchange(1, std::memory_order_acquire) != 0; ++spins) {
      while (lock.load(std::memory_order_relaxed) != 0) {
        if (++spins > 64) std::this_thread::yield();
      }
    }
  }
  void release() { lock.store(0, std::memory_order_release); }
};

class PageGuard {
 public:
  explicit PageGuard(PageMeta& m) : m_(m) { m_.acquire(); }
  ~PageGuard() { m_.release(); }
  PageGuard(const PageGuard&) = delete;
  PageGuard& operator=(const PageGuard&) = delete;

 private:
  PageMeta& m_;
};

}  // namespace detail
STM_ABI_END
}  // namespace stm
