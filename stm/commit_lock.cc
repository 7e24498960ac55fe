#include "stm/commit_lock.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace stm {
STM_ABI_BEGIN
namespace detail {

namespace {

void futex_wait(std::atomic<uint32_t>* addr, uint32_t val, uint32_t timeout_us) {
  struct timespec ts;
  ts.tv_sec = timeout_us / 1000000;
  ts.tv_nsec = long(timeout_us % 1000000) * 1000;
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(addr), FUTEX_WAIT_PRIVATE, val, &ts, nullptr, 0);
}

void futex_wake_one(std::atomic<uint32_t>* addr) {
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(addr), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr,
          0);
}

}  // namespace

bool CommitLock::try_lock_for_us(uint32_t timeout_us) {
  for (int i = 0; i < 100; ++i) {
    if (state_.load(std::memory_order_relaxed) == 0 && try_lock()) return true;
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  // Announce a waiter (state 2), then sleep until woken or timed out.
  uint32_t s = state_.exchange(2, std::memory_order_acquire);
  if (s == 0) return true;   // we took it (as 2: unlock will issue one spurious wake)
  futex_wait(&state_, 2, timeout_us);
  s = state_.exchange(2, std::memory_order_acquire);
  return s == 0;
}

void CommitLock::unlock() {
  if (state_.exchange(0, std::memory_order_release) == 2) futex_wake_one(&state_);
}

}  // namespace detail
STM_ABI_END
}  // namespace stm
