#include "stm/tx.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace stm {
STM_ABI_BEGIN

using namespace detail;

namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

#if defined(STM_DEBUG_CHECKS)
#define STM_ASSERT(cond, msg)                                                        \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "stm: assertion failed: %s (%s:%d)\n", msg, __FILE__, __LINE__); \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)
#else
#define STM_ASSERT(cond, msg) \
  do {                        \
  } while (0)
#endif

struct EntryDeleter {
  void operator()(LogEntry* e) const { LogEntry::destroy(e); }
};

using Clock = std::chrono::steady_clock;

}  // namespace

Tx::Tx(Heap& heap, int segment)
    : heap_(heap),
      seg_(segment),
      segrec_(heap.segment(segment)),
      base_(heap.segment_base(segment)),
      base0_(heap.segment_base(0)),
      my_bit_(uint64_t{1} << segment),
      alloc_(heap),
      rng_(static_cast<unsigned>(segment * 7919 + 17)) {
  size_t n = STM_BARRIERS ? size_t{1} << heap.config().marker_bits : 1;
  markers_.reset(new uint16_t[n]());
  marker_mask_ = n - 1;
}

Tx::~Tx() = default;

uint64_t Tx::snapshot() const { return segrec_.imported_through.load(std::memory_order_relaxed); }

bool Tx::marked(uint64_t off, size_t len) const {
  uint64_t g = off >> kGranuleShift;
  uint64_t e = (off + len - 1) >> kGranuleShift;
  do {
    if (markers_[g & marker_mask_] == ver_) return true;
  } while (++g <= e);
  return false;
}

void Tx::begin() {
  ++attempt_;
  ++tx_count_;
#if STM_BARRIERS
  uint32_t idle = kIdle;
  while (!segrec_.mode.compare_exchange_weak(idle, kActive, std::memory_order_acquire)) {
    idle = kIdle;
    std::this_thread::yield();
  }
  segrec_.doomed.store(false, std::memory_order_relaxed);
  if (++ver_ == 0) {   // version wrap: 0 is never live
    std::fill(markers_.get(), markers_.get() + marker_mask_ + 1, uint16_t{0});
    ver_ = 1;
  }
  heap_.process_reshare(seg_);
  heap_.import_all(seg_);
  if (alloc_.has_retired()) {
    // Reading every segment's imported_through touches lines other workers write: refresh the
    // cached minimum only every 16 transactions.
    if ((tx_count_ & 15) == 0) safe_rev_ = heap_.min_imported();
    alloc_.reclaim(safe_rev_);
  }
  ws_.clear();
  writer_pages_set_.clear();
  pinned_set_.clear();
  young_pages_.clear();
  if (attempt_ > heap_.config().inevitable_after) become_inevitable();
#else
  if (alloc_.has_retired()) alloc_.reclaim(UINT64_MAX);
#endif
}

void Tx::check() {
  if (!inevitable_ && segrec_.doomed.load(std::memory_order_relaxed)) abort_now(AbortCause::kKilled);
}

void Tx::retry() { abort_now(AbortCause::kExplicit); }

void Tx::abort_now(AbortCause cause) {
  SegmentCounters::bump(segrec_.counters.aborts[static_cast<int>(cause)]);
  throw Abort{cause};
}

void Tx::maybe_inject() {
  double rate = heap_.config().inject_abort_rate;
  if (rate > 0 && !inevitable_ &&
      static_cast<double>(rng_() - rng_.min()) / (rng_.max() - rng_.min()) < rate) {
    abort_now(AbortCause::kInjected);
  }
}

void Tx::backoff() {
  int a = attempt_;
  if (a <= 1) return;
  unsigned spins = rng_() % (1u << std::min(a + 3, 14));
  for (unsigned i = 0; i < spins; ++i) cpu_relax();
  if (a > 3) std::this_thread::yield();
}

void Tx::record_conflict(uint64_t off) {
  std::lock_guard<std::mutex> g(segrec_.conflicts_mu);
  auto it = segrec_.conflicts.find(off);
  if (it == segrec_.conflicts.end()) {
    if (segrec_.conflicts.size() >= 4096) return;
    it = segrec_.conflicts.emplace(off, ConflictRecord{off, 0, {}}).first;
  }
  ++it->second.count;
  if (!label_.empty()) {
    it->second.label = label_;
  } else if (label_fn_ != nullptr) {
    it->second.label = label_fn_(label_arg_);
  }
}

// ---------------------------------------------------------------------------------------------
// Write barrier slow path and page modes

char* Tx::write_slow(uint64_t o, size_t len) {
  if (!inevitable_ && segrec_.doomed.load(std::memory_order_relaxed)) abort_now(AbortCause::kKilled);
  maybe_inject();
  if (young_pages_.find(o >> kPageShift) != nullptr) {   // inside one of our young objects?
    Extent ext = object_extent(heap_, o);
    STM_ASSERT(o + len <= ext.start + ext.len, "write beyond the object");
    if (auto* y = ws_.find(ext.start); y != nullptr && y->kind != WriteSet::kOldSlice) {
      char* p = y->ptr + (o - ext.start);
      ws_.put(o, static_cast<uint32_t>(ext.start + ext.len - o), p, y->kind);
      return p;
    }
  }
  auto* s = ws_.find(o);
  uint32_t have = s != nullptr ? s->len : 0;
  uint64_t lo = o + have;
  uint32_t n = static_cast<uint32_t>(len - have);
  mark(lo, n);   // read what we overwrite: blind write-write conflicts are caught too
  for (uint64_t p = lo >> kPageShift; p <= (lo + n - 1) >> kPageShift; ++p) ensure_writable(p);
  undo_.push_back(Undo{lo, n, static_cast<uint32_t>(undo_buf_.size())});
  undo_buf_.insert(undo_buf_.end(), base_ + lo, base_ + lo + n);
  ws_.put(o, static_cast<uint32_t>(len), base_ + o, WriteSet::kOldSlice);
  return base_ + o;
}

bool Tx::pin(uint64_t p) {
  if (pinned_set_.find(p) != nullptr) return true;
  PageMeta& m = heap_.page(p);
  m.pin_mask.fetch_or(my_bit_, std::memory_order_seq_cst);
  if (m.state.load(std::memory_order_seq_cst) != kShared ||
      m.no_shared_alloc.load(std::memory_order_seq_cst) != 0) {
    m.pin_mask.fetch_and(~my_bit_, std::memory_order_release);
    return false;
  }
  pinned_set_.put(p, 0, nullptr, WriteSet::kYoungShared);
  pinned_.push_back(p);
  return true;
}

void Tx::wait_unpinned(PageMeta& m) {
  auto deadline = Clock::now() + std::chrono::microseconds(heap_.config().switch_wait_us);
  for (int i = 0;; ++i) {
    uint64_t pins = m.pin_mask.load(std::memory_order_seq_cst);
    if (pins == 0) return;
    if (inevitable_) {
      // Ask every pinner to abort: they drop their young objects and unpin.
      for (uint64_t b = pins; b != 0; b &= b - 1) {
        heap_.segment(std::countr_zero(b)).doomed.store(true, std::memory_order_relaxed);
      }
    } else if (segrec_.doomed.load(std::memory_order_relaxed) || Clock::now() > deadline) {
      throw Abort{AbortCause::kPageSwitch};   // caller reverts the page first
    }
    if (i < 64) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }
}

void Tx::ensure_writable(uint64_t p) {
  if (writer_pages_set_.find(p) != nullptr) return;
  PageMeta& m = heap_.page(p);
  // Fast path, no page lock: register as a writer, then check the page is still PRIVATE_ALL.
  // Pairs with the re-share marker (reads writers, then sets RESHARING) and the views' drop
  // (checks writers under the lock): with seq_cst, either they see us or we see them.
  if (m.state.load(std::memory_order_acquire) == kPrivate) {
    m.writers.fetch_add(1, std::memory_order_seq_cst);
    if (m.state.load(std::memory_order_seq_cst) == kPrivate) {
      writer_pages_set_.put(p, 0, nullptr, WriteSet::kOldSlice);
      writer_pages_.push_back(p);
      return;
    }
    m.writers.fetch_sub(1, std::memory_order_seq_cst);
  }
  ensure_writable_slow(p);
}

void Tx::ensure_writable_slow(uint64_t p) {
  PageMeta& m = heap_.page(p);
  const uint64_t full = heap_.full_mask();
  Clock::time_point deadline{};
  for (int spins = 0;; ++spins) {
    m.acquire();
    uint8_t st = m.state.load(std::memory_order_relaxed);
    if (st == kPrivate) {
      m.writers.fetch_add(1, std::memory_order_seq_cst);
      m.release();
      writer_pages_set_.put(p, 0, nullptr, WriteSet::kOldSlice);
      writer_pages_.push_back(p);
      return;
    }
    if (st == kResharing) {
      // Some views dropped their copies: give them one again (memfd holds lastrev, which
      // every view that dropped had imported).
      uint64_t missing = full & ~m.bitmask.load(std::memory_order_relaxed);
      heap_.populate(p, 1, missing);
      m.bitmask.store(full, std::memory_order_relaxed);
      m.state.store(kPrivate, std::memory_order_seq_cst);
      m.release();
      heap_.private_pages.fetch_add(std::popcount(missing));
      heap_.page_repopulates.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    if (st == kShared) {
      m.no_shared_alloc.store(1, std::memory_order_seq_cst);
      if (m.pin_mask.load(std::memory_order_seq_cst) & my_bit_) {
        // Our own young objects are on it (written through segment 0): retry without them.
        m.release();
        abort_now(AbortCause::kPageSwitch);
      }
      m.state.store(kSwitching, std::memory_order_seq_cst);
      m.release();
      try {
        wait_unpinned(m);
      } catch (const Abort&) {
        m.acquire();
        m.state.store(kShared, std::memory_order_seq_cst);
        m.release();
        abort_now(AbortCause::kPageSwitch);
      }
      heap_.populate(p, 1, full);
      m.acquire();
      m.bitmask.store(full, std::memory_order_relaxed);
      m.state.store(kPrivate, std::memory_order_seq_cst);
      m.release();
      heap_.private_pages.fetch_add(std::popcount(full));
      heap_.page_switches.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    // kSwitching: another transaction is populating the views; wait for it.
    m.release();
    if (!inevitable_) {
      if (spins == 0) {
        deadline = Clock::now() + std::chrono::microseconds(heap_.config().switch_wait_us);
      } else if (segrec_.doomed.load(std::memory_order_relaxed) || Clock::now() > deadline) {
        abort_now(AbortCause::kPageSwitch);
      }
    }
    if (spins < 64) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Allocation

RawRef Tx::alloc_raw(size_t n, Hint hint, char** out) {
  if (n == 0) n = 1;
#if STM_BARRIERS
  if (!inevitable_ && segrec_.doomed.load(std::memory_order_relaxed)) abort_now(AbortCause::kKilled);
  maybe_inject();
  const bool mut = hint == Hint::kMutable && !heap_.config().debug_no_mutable_pages;
#else
  const bool mut = false;
#endif
  uint32_t len = static_cast<uint32_t>((n + 15) & ~size_t{15});
  uint64_t off;
  char* ptr;
  if (n > kMaxSmall) {
    uint32_t np = static_cast<uint32_t>((n + kPageSize - 1) / kPageSize);
    uint64_t first = heap_.alloc_pages(np, kLargeHead, 0);
    off = first << kPageShift;
#if STM_BARRIERS
    young_.push_back(Young{off, len, -1, mut});
    if (mut) {
      heap_.privatize_fresh(first, np);
      for (uint64_t p = first; p < first + np; ++p) ensure_writable(p);
    } else {
      for (uint64_t p = first; p < first + np; ++p) pin(p);   // fresh pages: always succeeds
    }
    ptr = (mut ? base_ : base0_) + off;
    ws_.put(off, np * uint32_t(kPageSize), ptr,
            mut ? WriteSet::kYoungPrivate : WriteSet::kYoungShared);
    for (uint64_t p = first; p < first + np; ++p) {
      young_pages_.put(p, 0, nullptr, WriteSet::kYoungShared);
    }
#else
    ptr = base_ + off;
    // No young list without barriers: account the run here (the baseline cannot abort).
    SegmentCounters::bump(segrec_.live_bytes, uint64_t(np) * kPageSize);
#endif
  } else {
    int cls = size_class_of(n);
    for (;;) {
      if (mut) {
        off = alloc_.take_mutable(cls);
        young_.push_back(Young{off, len, int16_t(cls), true});
        ensure_writable(off >> kPageShift);
        ptr = base_ + off;
        break;
      }
      off = alloc_.take_shared(cls);
#if STM_BARRIERS
      if (!pin(off >> kPageShift)) {
        alloc_.reroute(off, cls);
        continue;
      }
      young_.push_back(Young{off, len, int16_t(cls), false});
      ptr = base0_ + off;
#else
      ptr = base_ + off;
      SegmentCounters::bump(segrec_.live_bytes, kSlotSizes[cls]);
#endif
      break;
    }
#if STM_BARRIERS
    ws_.put(off, kSlotSizes[cls], ptr, mut ? WriteSet::kYoungPrivate : WriteSet::kYoungShared);
    young_pages_.put(off >> kPageShift, 0, nullptr, WriteSet::kYoungShared);
#endif
  }
  if (out != nullptr) *out = ptr;
  return RawRef(off);
}

// ---------------------------------------------------------------------------------------------
// Commit and abort

void Tx::lock_commit() {
  if (holds_lock_) return;
  auto& mu = heap_.commit_lock();
  while (!mu.try_lock_for_us(100)) {
    if (!inevitable_ && segrec_.doomed.load(std::memory_order_relaxed)) {
      abort_now(AbortCause::kKilled);
    }
  }
  holds_lock_ = true;
}

void Tx::become_inevitable() {
#if STM_BARRIERS
  if (inevitable_) return;
  lock_commit();
  validate_and_import(true);
  inevitable_ = true;
  SegmentCounters::bump(segrec_.counters.inevitable);
#endif
}

void Tx::validate_and_import(bool validate) {
  LogEntry* e = segrec_.last_imported;
  uint64_t n = 0, bytes = 0;
  for (LogEntry* next = e->next.load(std::memory_order_acquire); next != nullptr;
       next = next->next.load(std::memory_order_acquire)) {
    LogSlice* sl = next->slices();
    if (validate) {
      for (uint32_t i = 0; i < next->nslices; ++i) {
        if (!sl[i].is_new && marked(sl[i].off, sl[i].len)) {
          record_conflict(sl[i].off);
          abort_now(AbortCause::kConflict);
        }
      }
    }
    for (uint32_t i = 0; i < next->nslices; ++i) {
      std::memcpy(base_ + sl[i].off, next->data() + sl[i].data, sl[i].len);
      bytes += sl[i].len;
    }
    e = next;
    segrec_.last_imported = e;
    segrec_.imported_through.store(e->rev, std::memory_order_release);
    ++n;
  }
  if (n != 0) {
    SegmentCounters::bump(segrec_.counters.imported_entries, n);
    SegmentCounters::bump(segrec_.counters.imported_bytes, bytes);
  }
}

void Tx::commit() {
  if (!inevitable_ && segrec_.doomed.load(std::memory_order_relaxed)) abort_now(AbortCause::kKilled);
#if STM_BARRIERS
  maybe_inject();
#endif
  auto& ctr = segrec_.counters;
  int bucket = std::min(kRetryBuckets - 1, int(std::bit_width(unsigned(attempt_ - 1))));
  SegmentCounters::bump(ctr.retries[bucket]);
  if (!has_writes()) {   // read-only: free
    SegmentCounters::bump(ctr.readonly_commits);
    finish(true, snapshot());
    return;
  }
  uint64_t rev = 0;
#if STM_BARRIERS
  // Build the redo entry outside the lock: the bytes are final in our own view.
  uint32_t nsl = 0;
  uint64_t nbytes = 0;
  for (const Undo& u : undo_) nbytes += u.len, ++nsl;
  for (const Young& y : young_) {
    if (y.priv) nbytes += y.len, ++nsl;
  }
  std::unique_ptr<LogEntry, EntryDeleter> entry(LogEntry::create(nsl, uint32_t(nbytes)));
  LogSlice* sl = entry->slices();
  char* data = entry->data();
  uint64_t pos = 0;
  uint32_t i = 0;
  for (const Undo& u : undo_) {
    sl[i++] = LogSlice{u.off, u.len, 0, pos};
    std::memcpy(data + pos, base_ + u.off, u.len);
    pos += u.len;
  }
  for (const Young& y : young_) {
    if (!y.priv) continue;
    sl[i++] = LogSlice{y.off, y.len, 1, pos};
    std::memcpy(data + pos, base_ + y.off, y.len);
    pos += y.len;
  }
  if (!inevitable_) {
    validate_and_import(true);
    lock_commit();
    validate_and_import(true);
  }
  // Commit critical section: stamp the pages, publish the entry. The redo bytes are not
  // written into the memfd here: every view holds a private copy of these pages, and the
  // memfd copy of a page is brought up to date only when the page is re-shared
  // (Heap::reshare_cold_pages), which is the only time anyone reads it again.
  rev = heap_.log().last_rev() + 1;
  for (uint32_t k = 0; k < nsl; ++k) {
    for (uint64_t p = sl[k].off >> kPageShift; p <= (sl[k].off + sl[k].len - 1) >> kPageShift; ++p) {
      PageMeta& m = heap_.page(p);
      STM_ASSERT(m.bitmask.load(std::memory_order_relaxed) == heap_.full_mask(),
                 "commit to a page not private in every view");
      [[maybe_unused]] uint8_t st = m.state.load(std::memory_order_relaxed);   // load once
      STM_ASSERT(st == kPrivate || st == kResharing, "commit to a shared page");
      m.lastrev.store(rev, std::memory_order_release);
    }
  }
  LogEntry* e = entry.release();
  heap_.log().append(e);
  segrec_.last_imported = e;
  segrec_.imported_through.store(rev, std::memory_order_release);
  if (locked_hook_ != nullptr) locked_hook_(locked_hook_arg_, rev);
  holds_lock_ = false;
  heap_.commit_lock().unlock();
#else
  // One executor: commits are already serialized.
  if (locked_hook_ != nullptr) locked_hook_(locked_hook_arg_, rev);
#endif
  SegmentCounters::bump(ctr.commits);
  finish(true, rev);
#if STM_BARRIERS
  if ((++commits_ & 15) == 0) heap_.maintain(Heap::kBorrowLag);
  uint32_t every = heap_.config().debug_reshare_every;
  if (every != 0 && rev % every == 0) heap_.reshare_cold_pages(0);
#endif
}

void Tx::finish(bool committed, uint64_t rev) {
#if STM_BARRIERS
  for (uint64_t p : writer_pages_) heap_.page(p).writers.fetch_sub(1, std::memory_order_release);
  for (uint64_t p : pinned_) heap_.page(p).pin_mask.fetch_and(~my_bit_, std::memory_order_release);
  writer_pages_.clear();
  pinned_.clear();
#endif
  if (committed) {
    // Live-byte accounting (Heap::live_bytes): what this transaction allocated minus freed.
    uint64_t delta = 0;
    for (const Young& y : young_) {
      delta += y.cls < 0 ? (uint64_t(y.len) + kPageSize - 1) & ~uint64_t(kPageSize - 1)
                         : kSlotSizes[y.cls];
    }
    for (RawRef f : frees_) {
      delta -= object_extent(heap_, f.offset()).len;
      alloc_.retire(f.offset(), rev);
    }
    if (delta != 0) SegmentCounters::bump(segrec_.live_bytes, delta);
  } else {
    for (const Young& y : young_) {
      if (y.cls < 0) {
        heap_.free_pages(y.off >> kPageShift,
                         uint32_t((y.len + kPageSize - 1) / kPageSize));
      } else {
        alloc_.give_back(y.off, y.cls, y.priv);
      }
    }
  }
  young_.clear();
  frees_.clear();
  undo_.clear();
  undo_buf_.clear();
  if (holds_lock_) {
    holds_lock_ = false;
    heap_.commit_lock().unlock();
  }
  inevitable_ = false;
  label_.clear();
  label_fn_ = nullptr;
  locked_hook_ = nullptr;
  locked_hook_arg_ = nullptr;
  std::vector<std::function<void()>> hooks;
  hooks.swap(hooks_);
#if STM_BARRIERS
  segrec_.mode.store(kIdle, std::memory_order_release);
#endif
  if (committed) {
    commit_rev_ = rev;
    for (auto& h : hooks) h();
  }
}

void Tx::rollback() {
#if STM_BARRIERS
  for (auto it = undo_.rbegin(); it != undo_.rend(); ++it) {
    std::memcpy(base_ + it->off, undo_buf_.data() + it->pos, it->len);
  }
#else
  if (!undo_.empty() || !young_.empty()) {
    std::fprintf(stderr, "stm: the barrier-free baseline cannot abort\n");
    std::abort();
  }
#endif
  finish(false, 0);
}

Worker::Worker(Heap& heap) : heap_(heap) {
  int seg = heap.attach_segment();
  tx_ = std::make_unique<Tx>(heap, seg);
}

Worker::~Worker() {
  int seg = tx_->seg_;
  tx_.reset();
  heap_.detach_segment(seg);
}

STM_ABI_END
}  // namespace stm
