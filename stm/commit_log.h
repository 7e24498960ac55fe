// stm/commit_log.h — the commit log: an append-only list of committed write transactions,
// each with its revision and the redo bytes of every slice it wrote. Internal.
//
// Appends happen under the heap's commit lock (one appender at a time). Readers follow `next`
// with acquire loads from the last entry they imported; an entry is freed only once every
// segment has imported past it (truncate()).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>

#include "stm/abi.h"

namespace stm {
STM_ABI_BEGIN
namespace detail {

struct LogSlice {
  uint64_t off;      // heap offset
  uint32_t len;      // bytes
  uint32_t is_new;   // a young object published by this commit: import without validating
  uint64_t data;     // position of the bytes in the entry's data area
};

struct LogEntry {
  uint64_t rev = 0;
  std::atomic<LogEntry*> next{nullptr};
  uint32_t nslices = 0;
  uint32_t nbytes = 0;
  const char* label = nullptr;   // points into data area when set (may be null)
  LogSlice* slices() { return reinterpret_cast<LogSlice*>(this + 1); }
  char* data() { return reinterpret_cast<char*>(slices() + nslices); }

  // One allocation holding the entry, its slices and their bytes. rev is set at append.
  static LogEntry* create(uint32_t nslices, uint32_t nbytes);
  static void destroy(LogEntry* e);
};

class CommitLog {
 public:
  CommitLog();
  ~CommitLog();
  CommitLog(const CommitLog&) = delete;
  CommitLog& operator=(const CommitLog&) = delete;

  // The sentinel (rev 0) or any retained entry; a new reader starts here.
  LogEntry* first() { return head_; }
  LogEntry* tail() { return tail_.load(std::memory_order_acquire); }
  uint64_t last_rev() const { return last_rev_.load(std::memory_order_acquire); }

  // Caller holds the commit lock. Publishes e with revision last_rev()+1 (release).
  void append(LogEntry* e);

  // Frees entries with rev < min_rev (never the tail). Thread-safe; one truncator at a time.
  void truncate(uint64_t min_rev);

  size_t length() const {
    return appended_.load(std::memory_order_relaxed) - freed_.load(std::memory_order_relaxed);
  }

 private:
  LogEntry* head_;                         // oldest retained (owned by the truncator)
  std::atomic<LogEntry*> tail_;
  std::atomic<uint64_t> last_rev_{0};
  // Written by one thread each (the appender under the commit lock, the truncator): plain
  // stores, no locked read-modify-write in the commit critical section.
  std::atomic<size_t> appended_{0};
  std::atomic<size_t> freed_{0};
  std::mutex truncate_mu_;
};

}  // namespace detail
STM_ABI_END
}  // namespace stm
