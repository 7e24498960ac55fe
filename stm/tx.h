// stm/tx.h — transactions: barriers, allocation, commit, abort and retry.
//
// A Worker attaches the calling thread to one segment of a Heap and runs transactions on it:
//
//   stm::Worker w(heap);
//   int v = w.atomically([&](stm::Tx& tx) {
//     const Counter* c = tx.read(ref);      // read barrier: marks the granules read
//     tx.write(ref)->value = c->value + 1;  // write barrier: undo copy, page made private
//     return c->value;
//   });
//
// Rules for code inside atomically():
// - Heap bytes are reached only through tx.read / tx.write / tx.read_bytes / tx.write_bytes
//   (or read_immutable for objects never modified after their creating commit).
// - The function may run several times (abort and retry): no I/O, no side effects; put them in
//   tx.on_commit(). Never catch stm::Abort (it does not derive from std::exception) and never
//   use catch (...) there.
// - Pointers returned by the barriers are valid until the transaction ends.
// A Worker and its Tx are used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "stm/allocator.h"
#include "stm/heap.h"
#include "stm/write_set.h"

namespace stm {
STM_ABI_BEGIN

// Thrown to abort the running transaction; caught by Worker::atomically, which rolls back and
// retries. Deliberately not a std::exception.
struct Abort {
  AbortCause cause;
};

// Where a new object goes. kShared: written straight into the committed image (immutable data
// such as keys and values; a later write to it switches its page). kMutable: a page every
// view holds privately (metadata expected to change: index slots, entry headers).
enum class Hint { kShared, kMutable };

class Tx {
 public:
  Tx(Heap& heap, int segment);
  ~Tx();
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;

  // --- Reads ---
  // The object at r, as of this transaction's snapshot; marks the sizeof(T) bytes read.
  template <class T>
  const T* read(Ref<T> r) {
    mark(r.offset(), sizeof(T));
    return reinterpret_cast<const T*>(base_ + r.offset());
  }
  // len bytes at r + off; marks them read.
  const char* read_bytes(RawRef r, size_t off, size_t len) {
    mark(r.offset() + off, len);
    return base_ + r.offset() + off;
  }
  // No barrier: only for objects never written after the commit that created them (their
  // Ref was read with a barrier, so a concurrent replacement is a conflict on the Ref).
  template <class T>
  const T* read_immutable(Ref<T> r) const {
    return reinterpret_cast<const T*>(base_ + r.offset());
  }
  const char* read_immutable_bytes(RawRef r) const { return base_ + r.offset(); }

  // --- Writes ---
  // A writable T at r. The first write to an old object saves an undo copy and makes its page
  // private; later writes and writes to objects allocated by this transaction are a lookup.
  template <class T>
  T* write(Ref<T> r) {
    return reinterpret_cast<T*>(write_bytes(r, 0, sizeof(T)));
  }
  char* write_bytes(RawRef r, size_t off, size_t len) {
    uint64_t o = r.offset() + off;
#if STM_BARRIERS
    if (auto* s = ws_.find(o); s != nullptr && s->len >= len) return s->ptr;
    return write_slow(o, len);
#else
    return base_ + o;
#endif
  }

  // --- Allocation ---
  // n bytes (uninitialized), 16-byte aligned; *out receives a writable pointer. Objects over
  // 2048 bytes get whole pages. Throws std::bad_alloc when the heap is full.
  RawRef alloc_raw(size_t n, Hint hint = Hint::kShared, char** out = nullptr);
  // A T constructed in place from args (T must be trivially copyable).
  template <class T, class... A>
  Ref<T> make(Hint hint, A&&... args) {
    static_assert(std::is_trivially_copyable_v<T>, "heap objects are trivially copyable");
    char* p;
    Ref<T> r(alloc_raw(sizeof(T), hint, &p));
    new (p) T{std::forward<A>(args)...};
    return r;
  }
  // An array of n zeroed T.
  template <class T>
  Ref<T> make_array(size_t n, Hint hint) {
    char* p;
    Ref<T> r(alloc_raw(n * sizeof(T), hint, &p));
    std::memset(p, 0, n * sizeof(T));
    return r;
  }
  // Frees the object at r when this transaction commits; its memory is reused only once no
  // running snapshot can see it.
  void free(RawRef r) { frees_.push_back(r); }

  // --- Control ---
  // Runs fn after this transaction commits (in order), never if it aborts.
  void on_commit(std::function<void()> fn) { hooks_.push_back(std::move(fn)); }
  // Runs fn(arg, rev) inside the commit critical section of this transaction if it commits as
  // a writer, once its revision rev is assigned: such hooks run one at a time, in revision
  // order, across all workers (e.g. appending to a log in commit order). fn holds up every
  // committing writer: keep it short; it must not touch the heap, throw or block. Not run for
  // read-only or aborted attempts; one per attempt (a later call replaces it).
  using LockedHook = void (*)(void* arg, uint64_t rev);
  void on_commit_locked(LockedHook fn, void* arg) {
    locked_hook_ = fn;
    locked_hook_arg_ = arg;
  }
  // True once this attempt has written, allocated or freed heap memory (it commits as a writer).
  bool has_writes() const { return !undo_.empty() || !young_.empty() || !frees_.empty(); }
  // Makes the rest of this transaction unabortable (waits for the token; may abort once more
  // while waiting). At most one inevitable transaction runs at a time; other writers wait at
  // their commit meanwhile.
  void become_inevitable();
  bool is_inevitable() const { return inevitable_; }
  // Aborts and retries the transaction.
  [[noreturn]] void retry();
  // Throws Abort if another transaction asked this one to abort.
  void check();
  // Names this transaction in conflict reports (e.g. the command and its key).
  void set_label(std::string_view label) { label_.assign(label); }
  // The same, computed only when a conflict is recorded: fn(arg) is called on this thread
  // while the transaction runs (arg must stay valid until it ends). Costs nothing otherwise.
  using LabelFn = std::string (*)(const void* arg);
  void set_label_fn(LabelFn fn, const void* arg) {
    label_fn_ = fn;
    label_arg_ = arg;
  }
  // Revision of the snapshot this transaction reads.
  uint64_t snapshot() const;
  // In on_commit hooks: the revision this transaction committed as (its snapshot if it was
  // read-only). Committed write transactions are serialized in revision order.
  uint64_t commit_revision() const { return commit_rev_; }
  int segment() const { return seg_; }
  // Attempts so far of the current transaction (1 on the first run).
  int attempt() const { return attempt_; }
  Heap& heap() { return heap_; }

 private:
  friend class Worker;

  void mark(uint64_t off, size_t len) {
#if STM_BARRIERS
    uint64_t g = off >> detail::kGranuleShift;
    uint64_t e = (off + len - 1) >> detail::kGranuleShift;
    do {
      markers_[g & marker_mask_] = ver_;
    } while (++g <= e);
#endif
  }
  bool marked(uint64_t off, size_t len) const;

  void begin();
  void commit();
  void rollback();
  void backoff();
  char* write_slow(uint64_t off, size_t len);
  void ensure_writable(uint64_t page);
  void ensure_writable_slow(uint64_t page);
  bool pin(uint64_t page);
  void wait_unpinned(detail::PageMeta& m);
  void lock_commit();
  void validate_and_import(bool validate);
  void finish(bool committed, uint64_t rev);
  [[noreturn]] void abort_now(AbortCause cause);
  void maybe_inject();
  void record_conflict(uint64_t off);

  Heap& heap_;
  int seg_;
  detail::Segment& segrec_;
  char* base_;    // this segment's view
  char* base0_;   // the committed image
  uint64_t my_bit_;
  std::unique_ptr<uint16_t[]> markers_;
  uint64_t marker_mask_;
  uint16_t ver_ = 0;

  detail::WriteSet ws_;
  detail::WriteSet writer_pages_set_;
  detail::WriteSet pinned_set_;
  detail::WriteSet young_pages_;   // pages holding objects allocated by this transaction
  struct Undo {
    uint64_t off;
    uint32_t len;
    uint32_t pos;
  };
  std::vector<Undo> undo_;
  std::vector<char> undo_buf_;
  struct Young {
    uint64_t off;
    uint32_t len;     // bytes published (requested size rounded to 16)
    int16_t cls;      // size class, -1 for a page run
    bool priv;        // written through the own view (published as a new slice)
  };
  std::vector<Young> young_;
  std::vector<uint64_t> writer_pages_;
  std::vector<uint64_t> pinned_;
  std::vector<RawRef> frees_;
  std::vector<std::function<void()>> hooks_;
  LockedHook locked_hook_ = nullptr;
  void* locked_hook_arg_ = nullptr;
  std::string label_;
  LabelFn label_fn_ = nullptr;
  const void* label_arg_ = nullptr;
  bool inevitable_ = false;
  bool holds_lock_ = false;
  int attempt_ = 0;
  uint64_t tx_count_ = 0;
  uint64_t commit_rev_ = 0;
  uint64_t commits_ = 0;     // write commits by this transaction object
  uint64_t safe_rev_ = 0;    // cached Heap::min_imported() for reclamation
  detail::Allocator alloc_;
  std::minstd_rand rng_;
};

// A thread's attachment to a Heap: one segment, one reusable Tx.
class Worker {
 public:
  // Attaches to a free segment. Throws std::runtime_error if all are taken.
  explicit Worker(Heap& heap);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Runs fn(Tx&) as one transaction until it commits, retrying on aborts (after
  // Config::inevitable_after consecutive aborts it runs inevitable), and returns fn's result
  // from the committed run. Exceptions other than stm::Abort roll back and propagate.
  template <class F>
  decltype(auto) atomically(F&& fn) {
    using R = std::invoke_result_t<F&, Tx&>;
    tx_->attempt_ = 0;
    for (;;) {
      try {
        tx_->begin();
        if constexpr (std::is_void_v<R>) {
          fn(*tx_);
          tx_->commit();
          return;
        } else {
          R result = fn(*tx_);
          tx_->commit();
          return result;
        }
      } catch (const Abort&) {
        tx_->rollback();
        tx_->backoff();
      } catch (...) {   // engine boundary: undo, then let the caller's exception through
        tx_->rollback();
        throw;
      }
    }
  }

  int segment() const { return tx_->seg_; }
  Heap& heap() { return heap_; }

 private:
  Heap& heap_;
  std::unique_ptr<Tx> tx_;
};

STM_ABI_END
}  // namespace stm
