#include "stm/commit_log.h"

#include <cstdlib>
#include <new>

namespace stm {
STM_ABI_BEGIN
namespace detail {

LogEntry* LogEntry::create(uint32_t nslices, uint32_t nbytes) {
  size_t size = sizeof(LogEntry) + nslices * sizeof(LogSlice) + nbytes;
  void* mem = std::malloc(size);
  if (mem == nullptr) throw std::bad_alloc();
  LogEntry* e = new (mem) LogEntry();
  e->nslices = nslices;
  e->nbytes = nbytes;
  return e;
}

void LogEntry::destroy(LogEntry* e) {
  e->~LogEntry();
  std::free(e);
}

CommitLog::CommitLog() {
  head_ = LogEntry::create(0, 0);
  tail_.store(head_, std::memory_order_release);
}

CommitLog::~CommitLog() {
  LogEntry* e = head_;
  while (e != nullptr) {
    LogEntry* n = e->next.load(std::memory_order_relaxed);
    LogEntry::destroy(e);
    e = n;
  }
}

void CommitLog::append(LogEntry* e) {
  uint64_t rev = last_rev_.load(std::memory_order_relaxed) + 1;
  e->rev = rev;
  LogEntry* t = tail_.load(std::memory_order_relaxed);
  t->next.store(e, std::memory_order_release);
  tail_.store(e, std::memory_order_release);
  appended_.store(appended_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  last_rev_.store(rev, std::memory_order_release);
}

void CommitLog::truncate(uint64_t min_rev) {
  std::unique_lock<std::mutex> lock(truncate_mu_, std::try_to_lock);
  if (!lock.owns_lock()) return;
  for (;;) {
    LogEntry* n = head_->next.load(std::memory_order_acquire);
    // Keep the entry every reader may still stand on: rev >= min_rev.
    if (n == nullptr || head_->rev >= min_rev) break;
    LogEntry::destroy(head_);
    head_ = n;
    freed_.store(freed_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
}

}  // namespace detail
STM_ABI_END
}  // namespace stm
