// stm/commit_lock.h — the commit lock: one committer (or the inevitable transaction) at a
// time. A futex-based mutex whose waiters wake up periodically, so a waiter can notice that it
// was asked to abort (every wait in the engine is abortable). Internal; thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

#include "stm/abi.h"

namespace stm {
STM_ABI_BEGIN
namespace detail {

class CommitLock {
 public:
  bool try_lock() {
    uint32_t expected = 0;
    return state_.compare_exchange_strong(expected, 1, std::memory_order_acquire);
  }
  // Tries to take the lock for about timeout_us microseconds (sleeping, not spinning).
  bool try_lock_for_us(uint32_t timeout_us);
  void unlock();

 private:
  // 0 free, 1 locked, 2 locked with (possible) waiters.
  std::atomic<uint32_t> state_{0};
};

}  // namespace detail
STM_ABI_END
}  // namespace stm
