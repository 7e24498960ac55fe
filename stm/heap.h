// stm/heap.h — the transactional heap: one memfd mapped once as the committed image
// (segment 0, MAP_SHARED) and once per worker (segments 1..N, MAP_PRIVATE), the page table,
// the page allocator and the commit log.
//
// Thread-safety: all public members of Heap are thread-safe. A Heap must outlive every Worker
// attached to it. See docs/stm.md for the design as built.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "stm/commit_lock.h"
#include "stm/commit_log.h"
#include "stm/config.h"
#include "stm/page_table.h"
#include "stm/ref.h"
#include "stm/stats.h"

namespace stm {
STM_ABI_BEGIN

class Tx;
class Worker;

// The root block: 256 Ref-sized slots at a fixed place, the entry points of the data
// structures on the heap. Read and write it like any object (tx.read_at / tx.write_at).
struct Roots {
  RawRef slot[256];
};

namespace detail {

enum SegmentMode : uint32_t { kIdle = 0, kActive = 1, kBorrowed = 2 };

// Counters owned by one segment: written by its worker (or a borrower holding kBorrowed),
// read by anyone (relaxed).
struct SegmentCounters {
  std::atomic<uint64_t> commits{0}, readonly_commits{0}, inevitable{0};
  std::atomic<uint64_t> aborts[static_cast<int>(AbortCause::kCount)]{};
  std::atomic<uint64_t> retries[kRetryBuckets]{};
  std::atomic<uint64_t> imported_entries{0}, imported_bytes{0}, reshared_pages{0};
  static void bump(std::atomic<uint64_t>& c, uint64_t n = 1) {
    c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};

// What the heap knows about one segment (view) and the worker attached to it.
struct alignas(128) Segment {
  char* base = nullptr;                        // the view's mapping
  std::atomic<bool> attached{false};
  std::atomic<uint32_t> mode{kIdle};           // kIdle / kActive / kBorrowed
  std::atomic<uint64_t> imported_through{0};   // revision this view has imported (snapshot)
  LogEntry* last_imported = nullptr;           // guarded by mode (owner or borrower)
  std::atomic<uint64_t> reshare_epoch_seen{0}; // written by the owner of mode
  std::atomic<bool> doomed{false};             // set by an inevitable tx that waits on us
  SegmentCounters counters;
  // Bytes of live objects (slot or run sizes) allocated minus freed by this segment's committed
  // transactions; may be negative (objects freed by another segment). Never reset.
  std::atomic<uint64_t> live_bytes{0};
  std::mutex conflicts_mu;
  std::unordered_map<uint64_t, ConflictRecord> conflicts;
};

}  // namespace detail

class Heap {
 public:
  explicit Heap(const Config& config = Config());
  ~Heap();
  Heap(const Heap&) = delete;
  Heap& operator=(const Heap&) = delete;

  const Config& config() const { return config_; }

  // The root block (always present, zero-initialized at creation).
  Ref<Roots> roots() const { return Ref<Roots>(detail::kPageSize); }

  // Revision of the last committed write transaction.
  uint64_t last_revision() const { return log_.last_rev(); }

  // Bytes held by live objects (allocated and not freed by committed transactions), counted by
  // slot size (whole pages for large objects). Cheap (one relaxed load per segment): the basis
  // of maxmemory accounting. Approximate while transactions commit.
  uint64_t live_bytes() const;

  // Aggregated statistics (approximate while transactions run). top_n conflicts at most.
  Stats stats(size_t top_n = 10) const;
  void reset_stats();

  // Marks private pages that no commit wrote in the last min_age_revs revisions for
  // re-sharing; each view drops its copy at its next transaction start (idle views are
  // handled by committers). Returns the pages marked. No-op unless config().reshare.
  size_t reshare_cold_pages(uint64_t min_age_revs);

  // Brings idle segments that lag by at least min_lag revisions up to date and truncates the
  // commit log. Committers call it every 16 of their commits with kBorrowLag (idle views are
  // caught up in batches); callers may call it with 0 when the system goes quiet.
  void maintain(uint64_t min_lag = 0);
  static constexpr uint64_t kBorrowLag = 256;

  // --- Internal interface used by Tx / Worker (not for callers) ---
  char* segment_base(int seg) const { return segments_[seg].base; }
  detail::PageMeta& page(uint64_t page_index) { return pages_[page_index]; }
  detail::PageMeta& page_of(uint64_t off) { return pages_[off >> detail::kPageShift]; }
  detail::Segment& segment(int seg) { return segments_[seg]; }
  int nsegments() const { return config_.max_workers; }
  uint64_t full_mask() const { return full_mask_; }
  detail::CommitLog& log() { return log_; }

  // Claims a free segment (1..max_workers); throws std::runtime_error if none.
  int attach_segment();
  void detach_segment(int seg);

  // Commit lock: one committer (or the inevitable transaction) at a time.
  detail::CommitLock& commit_lock() { return commit_mu_; }
  // Lowest revision imported by every segment: entries and frees below it are invisible.
  uint64_t min_imported() const;

  // Page allocator. Returns the first page index of npages consecutive fresh pages (zero
  // filled, SHARED, empty bitmask); throws std::bad_alloc when the heap is full.
  uint64_t alloc_pages(uint32_t npages, detail::PageKind kind, uint8_t size_class);
  // Returns a run to the allocator: drops every private copy, punches the memfd hole.
  // Only for runs no snapshot can reach.
  void free_pages(uint64_t first, uint32_t npages);

  // Populates views (MADV_POPULATE_WRITE) of pages [first, first+n) for segments in mask.
  void populate(uint64_t first, uint64_t n, uint64_t seg_mask);
  // Makes fresh pages [first, first+n) (SHARED, no copies, no pins) PRIVATE_ALL: populates
  // every view and publishes the full bitmask. For mutable arenas and mutable page runs.
  void privatize_fresh(uint64_t first, uint64_t n);
  // Drops the private copy of a page in one view (MADV_DONTNEED).
  void drop_copy(int seg, uint64_t page_index);

  // Imports committed entries into segment seg's view up to the tail. Caller owns the
  // segment (its worker, or a borrower with kBorrowed). Does not validate.
  void import_all(int seg);
  // Drops the copies of RESHARING pages this view may drop now. Caller owns the segment.
  void process_reshare(int seg);

  std::atomic<uint64_t> page_switches{0};
  std::atomic<uint64_t> page_repopulates{0};
  std::atomic<int64_t> private_pages{0};

 private:
  Config config_;
  int memfd_ = -1;
  size_t npages_ = 0;
  uint64_t full_mask_ = 0;
  detail::PageMeta* pages_ = nullptr;
  detail::Segment* segments_ = nullptr;   // index 0 = committed image
  detail::CommitLog log_;
  detail::CommitLock commit_mu_;

  std::mutex pages_mu_;                                  // page allocator
  uint64_t high_water_ = 0;                              // first never-used page
  std::multimap<uint32_t, uint64_t> free_runs_;          // npages -> first page
  std::atomic<uint64_t> pages_in_use_{0};
  std::atomic<uint64_t> punched_pages_{0};

  std::mutex reshare_mu_;
  std::vector<uint64_t> reshare_list_;                   // pages marked RESHARING
  std::atomic<uint64_t> reshare_epoch_{0};
};

STM_ABI_END
}  // namespace stm
