// Unit tests of transactions: barriers, validation, abort/undo, markers, inevitability,
// on-commit hooks, reclamation.
#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <stdexcept>
#include <thread>
#include <vector>

#include "stm/stm.h"
#include "test_util.h"

namespace {

using stm_test::small_config;

struct Cell {
  int64_t v;
  int64_t pad;
};

stm::Ref<Cell> make_cell(stm::Worker& w, int slot, int64_t v) {
  return w.atomically([&](stm::Tx& tx) {
    auto c = tx.make<Cell>(stm::Hint::kMutable, v, 0);
    tx.write(w.heap().roots())->slot[slot] = c;
    return c;
  });
}

TEST(Tx, ReadsOwnWrites) {
  stm::Heap heap(small_config(1));
  stm::Worker w(heap);
  auto c = make_cell(w, 0, 1);
  w.atomically([&](stm::Tx& tx) {
    tx.write(c)->v = 2;
    EXPECT_EQ(tx.read(c)->v, 2);
    tx.write(c)->v += 3;
    EXPECT_EQ(tx.read(c)->v, 5);
  });
  EXPECT_EQ(w.atomically([&](stm::Tx& tx) { return tx.read(c)->v; }), 5);
}

TEST(Tx, RetryRestoresUndoAndSkipsHooks) {
  stm::Heap heap(small_config(1));
  stm::Worker w(heap);
  auto c = make_cell(w, 0, 10);
  int hooks = 0, runs = 0;
  w.atomically([&](stm::Tx& tx) {
    ++runs;
    EXPECT_EQ(tx.read(c)->v, 10);   // the first attempt's write was undone
    tx.write(c)->v = 99;
    tx.on_commit([&] { ++hooks; });
    if (runs == 1) tx.retry();
    tx.write(c)->v = 11;
  });
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(hooks, 1);
  EXPECT_EQ(w.atomically([&](stm::Tx& tx) { return tx.read(c)->v; }), 11);
  EXPECT_EQ(heap.stats().total.aborts[int(stm::AbortCause::kExplicit)], 1u);
}

TEST(Tx, OtherExceptionsRollBackAndPropagate) {
  stm::Heap heap(small_config(1));
  stm::Worker w(heap);
  auto c = make_cell(w, 0, 7);
  EXPECT_THROW(w.atomically([&](stm::Tx& tx) {
    tx.write(c)->v = 8;
    tx.make<Cell>(stm::Hint::kShared, 1, 1);
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  EXPECT_EQ(w.atomically([&](stm::Tx& tx) { return tx.read(c)->v; }), 7);
}

TEST(Tx, ReadOnlyTransactionsCommitForFree) {
  stm::Heap heap(small_config(1));
  stm::Worker w(heap);
  auto c = make_cell(w, 0, 1);
  uint64_t rev = heap.last_revision();
  for (int i = 0; i < 100; ++i) w.atomically([&](stm::Tx& tx) { tx.read(c); });
  EXPECT_EQ(heap.last_revision(), rev);
  EXPECT_EQ(heap.stats().total.readonly_commits, 100u);
}

// Locked hooks run once per committed writer, in revision order, one at a time; never for
// read-only or aborted attempts. The hook appends the counter value it committed: the log must
// read 1, 2, 3, ... (commit order = the order of the values).
struct HookLog {
  std::vector<uint64_t> revs;
  std::vector<int64_t> values;
};
struct HookArg {
  HookLog* log;
  int64_t value;
};
void append_hook(void* arg, uint64_t rev) {
  auto* a = static_cast<HookArg*>(arg);
  a->log->revs.push_back(rev);
  a->log->values.push_back(a->value);
}

TEST(Tx, LockedHooksRunInCommitOrder) {
  constexpr int kThreads = 4, kPerThread = 2000;
  stm::Heap heap(small_config(kThreads + 1));
  stm::Worker w0(heap);
  auto c = make_cell(w0, 0, 0);
  HookLog log;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      stm::Worker w(heap);
      HookArg arg{&log, 0};
      for (int i = 0; i < kPerThread; ++i) {
        w.atomically([&](stm::Tx& tx) {
          EXPECT_FALSE(tx.has_writes());
          int64_t v = tx.read(c)->v + 1;
          tx.write(c)->v = v;
          EXPECT_TRUE(tx.has_writes());
          arg.value = v;
          tx.on_commit_locked(append_hook, &arg);
        });
        w.atomically([&](stm::Tx& tx) {   // read-only: its hook never runs
          tx.read(c);
          tx.on_commit_locked(append_hook, &arg);
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(log.values.size(), size_t(kThreads * kPerThread));
  for (size_t i = 0; i < log.values.size(); ++i) {
    EXPECT_EQ(log.values[i], int64_t(i + 1));
    if (i > 0) {
      EXPECT_GT(log.revs[i], log.revs[i - 1]);
    }
  }
}

// A reads x, then B commits a write to x, then A writes y and commits: A must abort once and
// see B's value on its retry.
TEST(Tx, ConflictAbortsTheReaderAndNamesTheObject) {
  stm::Heap heap(small_config(2));
  stm::Worker wa(heap);
  auto x = make_cell(wa, 0, 1);
  auto y = make_cell(wa, 1, 0);
  std::latch a_read(1), b_done(1);
  std::thread tb([&] {
    stm::Worker wb(heap);
    a_read.wait();
    wb.atomically([&](stm::Tx& tx) { tx.write(x)->v = 2; });
    b_done.count_down();
  });
  int attempts = 0;
  wa.atomically([&](stm::Tx& tx) {
    tx.set_label("copy x to y");
    ++attempts;
    int64_t v = tx.read(x)->v;
    if (attempts == 1) {
      a_read.count_down();
      b_done.wait();
    }
    tx.write(y)->v = v;
  });
  tb.join();
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(wa.atomically([&](stm::Tx& tx) { return tx.read(y)->v; }), 2);
  stm::Stats st = heap.stats();
  EXPECT_EQ(st.total.aborts[int(stm::AbortCause::kConflict)], 1u);
  ASSERT_FALSE(st.top_conflicts.empty());
  EXPECT_EQ(st.top_conflicts[0].offset, x.offset());
  EXPECT_EQ(st.top_conflicts[0].label, "copy x to y");
}

// Same interleaving, but B writes another granule of the same array: no conflict.
TEST(Tx, DifferentGranulesOfOneArrayDoNotConflict) {
  stm::Heap heap(small_config(2));
  stm::Worker wa(heap);
  auto arr = wa.atomically([&](stm::Tx& tx) { return tx.make_array<Cell>(64, stm::Hint::kMutable); });
  std::latch a_read(1), b_done(1);
  std::thread tb([&] {
    stm::Worker wb(heap);
    a_read.wait();
    wb.atomically([&](stm::Tx& tx) { tx.write(arr.at(5))->v = 5; });
    b_done.count_down();
  });
  int attempts = 0;
  wa.atomically([&](stm::Tx& tx) {
    ++attempts;
    int64_t v = tx.read(arr.at(3))->v;
    if (attempts == 1) {
      a_read.count_down();
      b_done.wait();
    }
    tx.write(arr.at(4))->v = v + 1;
  });
  tb.join();
  EXPECT_EQ(attempts, 1);
  wa.atomically([&](stm::Tx& tx) {
    EXPECT_EQ(tx.read(arr.at(4))->v, 1);
    EXPECT_EQ(tx.read(arr.at(5))->v, 5);
  });
}

// Blind writes of the same object conflict too (write-write), so no update is lost.
TEST(Tx, BlindWriteWriteConflicts) {
  stm::Heap heap(small_config(2));
  stm::Worker wa(heap);
  auto x = make_cell(wa, 0, 0);
  std::latch a_wrote(1), b_done(1);
  std::thread tb([&] {
    stm::Worker wb(heap);
    a_wrote.wait();
    wb.atomically([&](stm::Tx& tx) { tx.write(x)->v = 2; });
    b_done.count_down();
  });
  int attempts = 0;
  wa.atomically([&](stm::Tx& tx) {
    ++attempts;
    tx.write(x)->pad = 1;
    if (attempts == 1) {
      a_wrote.count_down();
      b_done.wait();
    }
  });
  tb.join();
  EXPECT_EQ(attempts, 2);
  wa.atomically([&](stm::Tx& tx) {
    EXPECT_EQ(tx.read(x)->v, 2);
    EXPECT_EQ(tx.read(x)->pad, 1);
  });
}

TEST(Tx, MarkerVersionWrapsWithoutFalseConflictsOrMissedOnes) {
  stm::Config cfg = small_config(2);
  cfg.marker_bits = 10;   // small table: also exercises aliasing
  stm::Heap heap(cfg);
  stm::Worker wa(heap);
  auto x = make_cell(wa, 0, 0);
  auto y = make_cell(wa, 1, 0);
  for (int i = 0; i < 70000; ++i) wa.atomically([&](stm::Tx& tx) { tx.read(x); });
  // After the wrap a stale marker must not look live: B writes x, A (reading only y) commits.
  std::thread([&] {
    stm::Worker wb(heap);
    wb.atomically([&](stm::Tx& tx) { tx.write(x)->v = 1; });
  }).join();
  wa.atomically([&](stm::Tx& tx) { tx.write(y)->v = tx.read(y)->v + 1; });
  EXPECT_EQ(heap.stats().total.aborts[int(stm::AbortCause::kConflict)], 0u);
  // And a real conflict is still caught after the wrap.
  std::latch a_read(1), b_done(1);
  std::thread tb([&] {
    stm::Worker wb(heap);
    a_read.wait();
    wb.atomically([&](stm::Tx& tx) { tx.write(x)->v = 7; });
    b_done.count_down();
  });
  int attempts = 0;
  wa.atomically([&](stm::Tx& tx) {
    ++attempts;
    int64_t v = tx.read(x)->v;
    if (attempts == 1) {
      a_read.count_down();
      b_done.wait();
    }
    tx.write(y)->v = v;
  });
  tb.join();
  EXPECT_EQ(attempts, 2);
}

TEST(Tx, YoungObjectsNeedNoUndo) {
  stm::Heap heap(small_config(1));
  stm::Worker w(heap);
  auto arr = w.atomically([&](stm::Tx& tx) {
    auto a = tx.make_array<Cell>(1000, stm::Hint::kShared);   // a page run, pinned
    for (int i = 0; i < 1000; ++i) tx.write(a.at(i))->v = i;
    auto b = tx.make_array<Cell>(8, stm::Hint::kMutable);
    for (int i = 0; i < 8; ++i) tx.write(b.at(i))->v = -i;
    tx.write(heap.roots())->slot[0] = a;
    tx.write(heap.roots())->slot[1] = b;
    return a;
  });
  w.atomically([&](stm::Tx& tx) {
    int64_t sum = 0;
    for (int i = 0; i < 1000; ++i) sum += tx.read(arr.at(i))->v;
    EXPECT_EQ(sum, 999 * 1000 / 2);
    stm::Ref<Cell> b(tx.read(heap.roots())->slot[1]);
    EXPECT_EQ(tx.read(b.at(7))->v, -7);
  });
}

TEST(Tx, InevitableTransactionCannotBeAbortedAndHoldsOffWriters) {
  stm::Heap heap(small_config(2));
  stm::Worker wa(heap);
  auto x = make_cell(wa, 0, 0);
  std::latch inev(1);
  std::atomic<uint64_t> b_rev{0};
  std::thread tb([&] {
    stm::Worker wb(heap);
    inev.wait();
    wb.atomically([&](stm::Tx& tx) {
      tx.write(x)->v += 100;
      tx.on_commit([&] { b_rev = tx.commit_revision(); });
    });
  });
  int attempts = 0;
  uint64_t a_rev = 0;
  wa.atomically([&](stm::Tx& tx) {
    ++attempts;
    tx.become_inevitable();
    EXPECT_TRUE(tx.is_inevitable());
    int64_t v = tx.read(x)->v;
    inev.count_down();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    tx.write(x)->v = v + 1;
    tx.on_commit([&] { a_rev = tx.commit_revision(); });
  });
  tb.join();
  EXPECT_EQ(attempts, 1);
  // B started its write while A was inevitable: it could only commit after A.
  EXPECT_GT(b_rev.load(), a_rev);
  EXPECT_EQ(wa.atomically([&](stm::Tx& tx) { return tx.read(x)->v; }), 101);
  EXPECT_EQ(heap.stats().total.inevitable, 1u);
}

// A freed object is not reused while a running snapshot can still reach it.
TEST(Tx, ReclamationWaitsForOlderSnapshots) {
  stm::Config cfg = small_config(2);
  cfg.debug_poison = true;
  stm::Heap heap(cfg);
  stm::Worker wa(heap);
  auto victim = wa.atomically([&](stm::Tx& tx) {
    auto v = tx.make<Cell>(stm::Hint::kShared, 4242, 4343);
    tx.write(heap.roots())->slot[0] = v;
    return v;
  });
  std::latch reader_in(1), writer_done(1);
  std::atomic<bool> reused{false};
  std::thread tb([&] {
    stm::Worker wb(heap);
    reader_in.wait();
    wb.atomically([&](stm::Tx& tx) {
      tx.free(victim);
      tx.write(heap.roots())->slot[0] = stm::RawRef();
    });
    // Allocate plenty of same-sized objects: none may land on the victim.
    for (int i = 0; i < 200; ++i) {
      wb.atomically([&](stm::Tx& tx) {
        auto c = tx.make<Cell>(stm::Hint::kShared, -1, -1);
        if (c.offset() == victim.offset()) reused = true;
        tx.write(heap.roots())->slot[1] = c;
      });
    }
    writer_done.count_down();
  });
  wa.atomically([&](stm::Tx& tx) {
    stm::Ref<Cell> v(tx.read(heap.roots())->slot[0]);
    if (v.is_null()) return;   // a retry after the free: nothing to check
    reader_in.count_down();
    writer_done.wait();
    EXPECT_EQ(tx.read(v)->v, 4242);
    EXPECT_EQ(tx.read(v)->pad, 4343);
  });
  tb.join();
  EXPECT_FALSE(reused.load());
}

}  // namespace
