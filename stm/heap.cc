#include "stm/heap.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

namespace stm {
STM_ABI_BEGIN

const char* abort_cause_name(AbortCause c) {
  switch (c) {
    case AbortCause::kConflict: return "conflict";
    case AbortCause::kPageSwitch: return "page_switch";
    case AbortCause::kKilled: return "killed";
    case AbortCause::kInjected: return "injected";
    case AbortCause::kExplicit: return "explicit";
    default: return "?";
  }
}

namespace {

[[noreturn]] void sys_fail(const char* what) {
  throw std::runtime_error(std::string("stm: ") + what + ": " + std::strerror(errno));
}

void* map_or_throw(size_t len, int prot, int flags, int fd, const char* what) {
  void* p = mmap(nullptr, len, prot, flags, fd, 0);
  if (p == MAP_FAILED) sys_fail(what);
  return p;
}

}  // namespace

using namespace detail;

Heap::Heap(const Config& config) : config_(config) {
  if (config_.max_workers < 1 || config_.max_workers > 63) {
    throw std::invalid_argument("stm: max_workers must be 1..63");
  }
  if (config_.marker_bits < 8 || config_.marker_bits > 28) {
    throw std::invalid_argument("stm: marker_bits must be 8..28");
  }
  npages_ = (config_.heap_bytes + kPageSize - 1) / kPageSize;
  if (npages_ < 16) npages_ = 16;
  size_t bytes = npages_ * kPageSize;

  memfd_ = memfd_create("stmkv-heap", MFD_CLOEXEC);
  if (memfd_ < 0) sys_fail("memfd_create");
  if (ftruncate(memfd_, static_cast<off_t>(bytes)) != 0) sys_fail("ftruncate");

  pages_ = static_cast<PageMeta*>(map_or_throw(npages_ * sizeof(PageMeta), PROT_READ | PROT_WRITE,
                                               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
                                               "mmap page table"));
  // Zeroed memory is a valid PageMeta (all atomics 0: SHARED, unused, no pins, no copies).

  int nseg = config_.max_workers + 1;
  segments_ = new Segment[nseg];
  segments_[0].base = static_cast<char*>(map_or_throw(
      bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, memfd_, "mmap segment 0"));
  for (int i = 1; i < nseg; ++i) {
    if (STM_BARRIERS) {
      segments_[i].base = static_cast<char*>(map_or_throw(
          bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE, memfd_, "mmap segment"));
    } else {
      segments_[i].base = segments_[0].base;   // one executor, one image
    }
    full_mask_ |= uint64_t{1} << i;
  }
  for (int i = 0; i < nseg; ++i) segments_[i].last_imported = log_.first();

  // Page 0 is the null page; page 1 holds the roots (mutable from the start).
  high_water_ = 2;
  pages_in_use_ = 2;
  pages_[0].kind.store(kReserved);
  pages_[1].kind.store(kReserved);
  if (STM_BARRIERS) privatize_fresh(1, 1);
}

Heap::~Heap() {
  size_t bytes = npages_ * kPageSize;
  int nseg = config_.max_workers + 1;
  for (int i = 0; i < nseg; ++i) {
    if (i == 0 || STM_BARRIERS) munmap(segments_[i].base, bytes);
  }
  delete[] segments_;
  munmap(pages_, npages_ * sizeof(PageMeta));
  close(memfd_);
}

int Heap::attach_segment() {
  for (int i = 1; i <= config_.max_workers; ++i) {
    bool expected = false;
    if (segments_[i].attached.compare_exchange_strong(expected, true)) {
      if (!STM_BARRIERS) {
        // The baseline has one executor: a second concurrent worker is a usage error.
        for (int j = 1; j <= config_.max_workers; ++j) {
          if (j != i && segments_[j].attached.load()) {
            segments_[i].attached.store(false);
            throw std::runtime_error("stm: the barrier-free baseline runs one worker");
          }
        }
      }
      return i;
    }
  }
  throw std::runtime_error("stm: no free segment (raise Config::max_workers)");
}

void Heap::detach_segment(int seg) { segments_[seg].attached.store(false); }

uint64_t Heap::min_imported() const {
  uint64_t m = UINT64_MAX;
  for (int i = 1; i <= config_.max_workers; ++i) {
    m = std::min(m, segments_[i].imported_through.load(std::memory_order_acquire));
  }
  return m;
}

uint64_t Heap::alloc_pages(uint32_t npages, PageKind kind, uint8_t size_class) {
  uint64_t first;
  {
    std::lock_guard<std::mutex> g(pages_mu_);
    auto it = free_runs_.lower_bound(npages);
    if (it != free_runs_.end()) {
      first = it->second;
      uint32_t have = it->first;
      free_runs_.erase(it);
      if (have > npages) free_runs_.emplace(have - npages, first + npages);
    } else {
      if (high_water_ + npages > npages_) throw std::bad_alloc();
      first = high_water_;
      high_water_ += npages;
    }
  }
  pages_in_use_.fetch_add(npages, std::memory_order_relaxed);
  for (uint64_t p = first; p < first + npages; ++p) {
    PageMeta& m = pages_[p];
    m.size_class.store(size_class, std::memory_order_relaxed);
    m.no_shared_alloc.store(0, std::memory_order_relaxed);
    m.lastrev.store(0, std::memory_order_relaxed);
    if (kind == kLargeHead && p != first) {
      m.kind.store(kLargeTail, std::memory_order_relaxed);
      m.run.store(static_cast<uint32_t>(first), std::memory_order_relaxed);
    } else {
      m.kind.store(kind, std::memory_order_relaxed);
      m.run.store(npages, std::memory_order_relaxed);
    }
  }
  std::atomic_thread_fence(std::memory_order_release);
  return first;
}

void Heap::free_pages(uint64_t first, uint32_t npages) {
  size_t off = first * kPageSize, len = size_t{npages} * kPageSize;
  int64_t dropped = 0;
  if (STM_BARRIERS) {
    for (int s = 1; s <= config_.max_workers; ++s) madvise(segments_[s].base + off, len, MADV_DONTNEED);
    for (uint64_t p = first; p < first + npages; ++p) {
      PageMeta& m = pages_[p];
      PageGuard g(m);
      dropped += std::popcount(m.bitmask.load(std::memory_order_relaxed));
      m.bitmask.store(0, std::memory_order_relaxed);
      m.state.store(kShared, std::memory_order_release);
    }
    private_pages.fetch_sub(dropped);
  }
  for (uint64_t p = first; p < first + npages; ++p) {
    pages_[p].kind.store(kUnused, std::memory_order_relaxed);
    pages_[p].run.store(0, std::memory_order_relaxed);
  }
  if (fallocate(memfd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(off),
                static_cast<off_t>(len)) == 0) {
    punched_pages_.fetch_add(npages, std::memory_order_relaxed);
  }
  pages_in_use_.fetch_sub(npages, std::memory_order_relaxed);
  std::lock_guard<std::mutex> g(pages_mu_);
  free_runs_.emplace(npages, first);
}

void Heap::populate(uint64_t first, uint64_t n, uint64_t seg_mask) {
  size_t off = first * kPageSize, len = n * kPageSize;
  for (uint64_t mask = seg_mask; mask != 0; mask &= mask - 1) {
    int s = std::countr_zero(mask);
    char* p = segments_[s].base + off;
    if (madvise(p, len, MADV_POPULATE_WRITE) != 0) {
      // Kernels before 5.14: fault the copies in by rewriting one byte per page. The page is
      // not written by anyone else meanwhile (SWITCHING or RESHARING with no writers).
      for (size_t i = 0; i < len; i += kPageSize) {
        volatile char* b = p + i;
        *b = *b;
      }
    }
  }
}

void Heap::privatize_fresh(uint64_t first, uint64_t n) {
  populate(first, n, full_mask_);
  for (uint64_t p = first; p < first + n; ++p) {
    PageMeta& m = pages_[p];
    PageGuard g(m);
    m.bitmask.store(full_mask_, std::memory_order_relaxed);
    m.state.store(kPrivate, std::memory_order_seq_cst);
  }
  private_pages.fetch_add(int64_t(n) * config_.max_workers);
}

void Heap::drop_copy(int seg, uint64_t page_index) {
  madvise(segments_[seg].base + page_index * kPageSize, kPageSize, MADV_DONTNEED);
}

void Heap::import_all(int seg) {
  Segment& s = segments_[seg];
  char* base = s.base;
  LogEntry* e = s.last_imported;
  uint64_t n = 0, bytes = 0;
  for (LogEntry* next = e->next.load(std::memory_order_acquire); next != nullptr;
       next = next->next.load(std::memory_order_acquire)) {
    e = next;
    LogSlice* sl = e->slices();
    for (uint32_t i = 0; i < e->nslices; ++i) {
      std::memcpy(base + sl[i].off, e->data() + sl[i].data, sl[i].len);
      bytes += sl[i].len;
    }
    ++n;
  }
  if (n == 0) return;
  s.last_imported = e;
  s.imported_through.store(e->rev, std::memory_order_release);
  SegmentCounters::bump(s.counters.imported_entries, n);
  SegmentCounters::bump(s.counters.imported_bytes, bytes);
}

size_t Heap::reshare_cold_pages(uint64_t min_age_revs) {
  if (!config_.reshare || !STM_BARRIERS) return 0;
  uint64_t last = log_.last_rev();
  uint64_t hw;
  {
    std::lock_guard<std::mutex> g(pages_mu_);
    hw = high_water_;
  }
  std::lock_guard<std::mutex> g(reshare_mu_);
  std::vector<uint64_t> still;
  for (uint64_t p : reshare_list_) {
    if (pages_[p].state.load(std::memory_order_acquire) == kResharing) still.push_back(p);
  }
  size_t marked = 0;
  for (uint64_t p = 1; p < hw; ++p) {
    PageMeta& m = pages_[p];
    if (m.state.load(std::memory_order_relaxed) != kPrivate) continue;
    if (m.kind.load(std::memory_order_relaxed) == kUnused) continue;
    PageGuard pg(m);
    if (m.state.load(std::memory_order_relaxed) != kPrivate ||
        m.lastrev.load(std::memory_order_relaxed) + min_age_revs > last) {
      continue;
    }
    // Leave PRIVATE_ALL first (writers' lock-free fast path then fails and queues on the page
    // lock we hold), then make sure no writer got in before.
    m.state.store(kResharing, std::memory_order_seq_cst);
    if (m.writers.load(std::memory_order_seq_cst) != 0) {
      m.state.store(kPrivate, std::memory_order_seq_cst);
      continue;
    }
    // Commits do not write the memfd: bring its copy of the page up to date from a view that
    // has imported the page's last commit. That view's copy is stable: no writer is on the
    // page, and no later entry touches it.
    uint64_t lr = m.lastrev.load(std::memory_order_acquire);
    int src = 0;
    for (int s = 1; s <= config_.max_workers && src == 0; ++s) {
      if (segments_[s].imported_through.load(std::memory_order_acquire) >= lr) src = s;
    }
    if (src == 0) {
      m.state.store(kPrivate, std::memory_order_seq_cst);
      continue;
    }
    std::memcpy(segments_[0].base + p * kPageSize, segments_[src].base + p * kPageSize, kPageSize);
    still.push_back(p);
    ++marked;
  }
  reshare_list_.swap(still);
  reshare_epoch_.fetch_add(1, std::memory_order_acq_rel);
  return marked;
}

void Heap::process_reshare(int seg) {
  Segment& s = segments_[seg];
  uint64_t epoch = reshare_epoch_.load(std::memory_order_acquire);
  if (epoch == s.reshare_epoch_seen) return;
  std::vector<uint64_t> list;
  {
    std::lock_guard<std::mutex> g(reshare_mu_);
    list = reshare_list_;
  }
  uint64_t bit = uint64_t{1} << seg;
  uint64_t snapshot = s.imported_through.load(std::memory_order_relaxed);
  bool pending = false;
  uint64_t dropped = 0;
  for (uint64_t p : list) {
    PageMeta& m = pages_[p];
    PageGuard g(m);
    if (m.state.load(std::memory_order_relaxed) != kResharing) continue;
    uint64_t mask = m.bitmask.load(std::memory_order_relaxed);
    if ((mask & bit) == 0) continue;
    if (m.writers.load(std::memory_order_seq_cst) != 0 ||
        m.lastrev.load(std::memory_order_relaxed) > snapshot) {
      pending = true;
      continue;
    }
    drop_copy(seg, p);
    mask &= ~bit;
    m.bitmask.store(mask, std::memory_order_relaxed);
    if (mask == 0) m.state.store(kShared, std::memory_order_release);
    ++dropped;
  }
  if (dropped != 0) {
    private_pages.fetch_sub(int64_t(dropped));
    SegmentCounters::bump(s.counters.reshared_pages, dropped);
  }
  if (!pending) s.reshare_epoch_seen = epoch;
}

void Heap::maintain(uint64_t min_lag) {
  if (!STM_BARRIERS) return;
  uint64_t last = log_.last_rev();
  for (int i = 1; i <= config_.max_workers; ++i) {
    Segment& s = segments_[i];
    bool lagging = last - s.imported_through.load(std::memory_order_acquire) > min_lag;
    if (!lagging && s.reshare_epoch_seen == reshare_epoch_.load(std::memory_order_relaxed)) {
      continue;
    }
    uint32_t idle = kIdle;
    if (!s.mode.compare_exchange_strong(idle, kBorrowed, std::memory_order_acquire)) continue;
    import_all(i);
    process_reshare(i);
    s.mode.store(kIdle, std::memory_order_release);
  }
  log_.truncate(min_imported());
}

uint64_t Heap::live_bytes() const {
  uint64_t n = 0;
  for (int i = 1; i <= config_.max_workers; ++i) {
    n += segments_[i].live_bytes.load(std::memory_order_relaxed);
  }
  return int64_t(n) < 0 ? 0 : n;
}

Stats Heap::stats(size_t top_n) const {
  Stats st;
  std::unordered_map<uint64_t, ConflictRecord> merged;
  for (int i = 1; i <= config_.max_workers; ++i) {
    Segment& s = segments_[i];
    const SegmentCounters& c = s.counters;
    WorkerStats w;
    w.commits = c.commits.load(std::memory_order_relaxed);
    w.readonly_commits = c.readonly_commits.load(std::memory_order_relaxed);
    w.inevitable = c.inevitable.load(std::memory_order_relaxed);
    for (int a = 0; a < static_cast<int>(AbortCause::kCount); ++a) {
      w.aborts[a] = c.aborts[a].load(std::memory_order_relaxed);
    }
    for (int b = 0; b < kRetryBuckets; ++b) w.retries[b] = c.retries[b].load(std::memory_order_relaxed);
    w.imported_entries = c.imported_entries.load(std::memory_order_relaxed);
    w.imported_bytes = c.imported_bytes.load(std::memory_order_relaxed);
    w.reshared_pages = c.reshared_pages.load(std::memory_order_relaxed);
    st.total.commits += w.commits;
    st.total.readonly_commits += w.readonly_commits;
    st.total.inevitable += w.inevitable;
    for (int a = 0; a < static_cast<int>(AbortCause::kCount); ++a) st.total.aborts[a] += w.aborts[a];
    for (int b = 0; b < kRetryBuckets; ++b) st.total.retries[b] += w.retries[b];
    st.total.imported_entries += w.imported_entries;
    st.total.imported_bytes += w.imported_bytes;
    st.total.reshared_pages += w.reshared_pages;
    st.workers.push_back(w);
    std::lock_guard<std::mutex> g(s.conflicts_mu);
    for (const auto& [off, rec] : s.conflicts) {
      ConflictRecord& m = merged[off];
      m.offset = off;
      m.count += rec.count;
      if (!rec.label.empty()) m.label = rec.label;
    }
  }
  for (auto& [off, rec] : merged) st.top_conflicts.push_back(std::move(rec));
  std::sort(st.top_conflicts.begin(), st.top_conflicts.end(),
            [](const ConflictRecord& a, const ConflictRecord& b) {
              return a.count != b.count ? a.count > b.count : a.offset < b.offset;
            });
  if (st.top_conflicts.size() > top_n) st.top_conflicts.resize(top_n);
  st.page_switches = page_switches.load(std::memory_order_relaxed);
  st.page_repopulates = page_repopulates.load(std::memory_order_relaxed);
  st.private_bytes = uint64_t(std::max<int64_t>(0, private_pages.load())) * kPageSize;
  st.heap_bytes_used = pages_in_use_.load(std::memory_order_relaxed) * kPageSize;
  st.punched_bytes = punched_pages_.load(std::memory_order_relaxed) * kPageSize;
  st.log_length = log_.length();
  st.last_revision = log_.last_rev();
  return st;
}

void Heap::reset_stats() {
  for (int i = 1; i <= config_.max_workers; ++i) {
    Segment& s = segments_[i];
    SegmentCounters& c = s.counters;
    for (auto* a : {&c.commits, &c.readonly_commits, &c.inevitable, &c.imported_entries,
                    &c.imported_bytes, &c.reshared_pages}) {
      a->store(0, std::memory_order_relaxed);
    }
    for (auto& a : c.aborts) a.store(0, std::memory_order_relaxed);
    for (auto& a : c.retries) a.store(0, std::memory_order_relaxed);
    std::lock_guard<std::mutex> g(s.conflicts_mu);
    s.conflicts.clear();
  }
  page_switches.store(0);
  page_repopulates.store(0);
}

STM_ABI_END
}  // namespace stm
