// stm/stats.h — what the engine counts. A snapshot; summing is done by Heap::stats().
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "stm/abi.h"

namespace stm {
STM_ABI_BEGIN

enum class AbortCause : int {
  kConflict = 0,     // backward validation found a committed write to something we read
  kPageSwitch,       // a page switch could not complete (pinned by us, or timed out)
  kKilled,           // an inevitable transaction needed us out of its way
  kInjected,         // test hook
  kExplicit,         // Tx::retry()
  kCount
};
const char* abort_cause_name(AbortCause c);

// Attempts per committed transaction: 1, 2, 3-4, 5-8, 9-16, 17-32, 33-64, >64.
inline constexpr int kRetryBuckets = 8;

struct ConflictRecord {
  uint64_t offset = 0;   // the contended object (slice) on the heap
  uint64_t count = 0;    // aborts it caused
  std::string label;     // label of the last transaction aborted on it (Tx::set_label)
};

struct WorkerStats {
  uint64_t commits = 0;            // write transactions committed
  uint64_t readonly_commits = 0;   // read-only transactions (commit for free)
  std::array<uint64_t, static_cast<int>(AbortCause::kCount)> aborts{};
  std::array<uint64_t, kRetryBuckets> retries{};
  uint64_t inevitable = 0;         // transactions that ran inevitable
  uint64_t imported_entries = 0;   // commit-log entries copied into this view
  uint64_t imported_bytes = 0;
  uint64_t reshared_pages = 0;     // private copies this view dropped
  uint64_t tx_time_ns = 0;         // not measured (reserved)
};

struct Stats {
  WorkerStats total;
  std::vector<WorkerStats> workers;   // per segment, index 0 = segment 1
  uint64_t page_switches = 0;         // SHARED -> PRIVATE_ALL transitions (pages)
  uint64_t page_repopulates = 0;      // RESHARING -> PRIVATE_ALL restorations (pages)
  uint64_t private_bytes = 0;         // bytes held as private page copies, all views
  uint64_t heap_bytes_used = 0;       // pages handed out by the page allocator
  uint64_t punched_bytes = 0;         // returned to the OS with PUNCH_HOLE so far
  uint64_t log_length = 0;            // commit-log entries not yet truncated
  uint64_t last_revision = 0;
  std::vector<ConflictRecord> top_conflicts;  // most contended objects first
};

STM_ABI_END
}  // namespace stm
