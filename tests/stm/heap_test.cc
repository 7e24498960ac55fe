// Unit tests of the heap: mappings, page modes, page allocator, commit log.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include <cstring>
#include <thread>

#include "stm/stm.h"
#include "test_util.h"

namespace {

using stm_test::small_config;

struct Pair {
  int64_t a;
  int64_t b;
};

TEST(Heap, RootsAreZeroAndPrivateInEveryView) {
  stm::Heap heap(small_config(3));
  stm::Worker w(heap);
  w.atomically([&](stm::Tx& tx) {
    for (int i = 0; i < 256; ++i) EXPECT_TRUE(tx.read(heap.roots())->slot[i].is_null());
  });
  auto& m = heap.page_of(heap.roots().offset());
  EXPECT_EQ(m.state.load(), stm::detail::kPrivate);
  EXPECT_EQ(m.bitmask.load(), heap.full_mask());
}

TEST(Heap, SharedAllocationIsVisibleInEveryViewWithoutCopies) {
  stm::Heap heap(small_config(2));
  stm::Worker w1(heap), w2(heap);
  stm::Ref<Pair> r = w1.atomically([&](stm::Tx& tx) {
    auto p = tx.make<Pair>(stm::Hint::kShared, 7, 9);
    tx.write(heap.roots())->slot[0] = p;
    return p;
  });
  // The bytes went into segment 0 and every view follows them; the page stays SHARED.
  auto& m = heap.page_of(r.offset());
  EXPECT_EQ(m.state.load(), stm::detail::kShared);
  EXPECT_EQ(m.bitmask.load(), 0u);
  for (int s = 0; s <= 2; ++s) {
    auto* p = reinterpret_cast<Pair*>(heap.segment_base(s) + r.offset());
    EXPECT_EQ(p->a, 7);
    EXPECT_EQ(p->b, 9);
  }
  int64_t b = w2.atomically([&](stm::Tx& tx) {
    stm::Ref<Pair> p(tx.read(heap.roots())->slot[0]);
    return tx.read(p)->b;
  });
  EXPECT_EQ(b, 9);
}

TEST(Heap, FirstWriteToOldSharedObjectSwitchesItsPage) {
  stm::Heap heap(small_config(2));
  stm::Worker w1(heap), w2(heap);
  stm::Ref<Pair> r = w1.atomically([&](stm::Tx& tx) {
    auto p = tx.make<Pair>(stm::Hint::kShared, 1, 2);
    tx.write(heap.roots())->slot[0] = p;
    return p;
  });
  EXPECT_EQ(heap.stats().page_switches, 0u);
  w1.atomically([&](stm::Tx& tx) { tx.write(r)->a = 100; });
  auto& m = heap.page_of(r.offset());
  EXPECT_EQ(m.state.load(), stm::detail::kPrivate);
  EXPECT_EQ(m.bitmask.load(), heap.full_mask());
  EXPECT_EQ(heap.stats().page_switches, 1u);
  // Commits do not write the memfd (every view has a copy); marking the page for re-sharing
  // brings the memfd's copy up to date before any view may follow it again.
  EXPECT_EQ(reinterpret_cast<Pair*>(heap.segment_base(0) + r.offset())->a, 1);
  heap.reshare_cold_pages(0);
  EXPECT_EQ(reinterpret_cast<Pair*>(heap.segment_base(0) + r.offset())->a, 100);
  int64_t a = w2.atomically([&](stm::Tx& tx) { return tx.read(r)->a; });
  EXPECT_EQ(a, 100);
}

TEST(Heap, ViewsAreIsolatedUntilImport) {
  stm::Heap heap(small_config(2));
  stm::Worker w1(heap), w2(heap);
  auto r = w1.atomically([&](stm::Tx& tx) {
    auto p = tx.make<Pair>(stm::Hint::kMutable, 1, 1);
    tx.write(heap.roots())->slot[1] = p;
    return p;
  });
  w2.atomically([&](stm::Tx& tx) { EXPECT_EQ(tx.read(r)->a, 1); });
  w1.atomically([&](stm::Tx& tx) { tx.write(r)->a = 5; });
  // Without a transaction start, w2's view still holds its snapshot.
  EXPECT_EQ(reinterpret_cast<Pair*>(heap.segment_base(w2.segment()) + r.offset())->a, 1);
  w2.atomically([&](stm::Tx& tx) { EXPECT_EQ(tx.read(r)->a, 5); });
}

TEST(Heap, ReshareDropsCopiesAndRestoresOnWrite) {
  stm::Heap heap(small_config(2));
  stm::Worker w1(heap), w2(heap);
  auto r = w1.atomically([&](stm::Tx& tx) {
    auto p = tx.make<Pair>(stm::Hint::kMutable, 3, 4);
    tx.write(heap.roots())->slot[2] = p;
    return p;
  });
  uint64_t page = r.offset() >> stm::detail::kPageShift;
  EXPECT_GT(heap.reshare_cold_pages(0), 0u);
  EXPECT_EQ(heap.page(page).state.load(), stm::detail::kResharing);
  // Each view drops at its own transaction start; the idle ones through maintain().
  w1.atomically([&](stm::Tx&) {});
  w2.atomically([&](stm::Tx&) {});
  heap.maintain();
  EXPECT_EQ(heap.page(page).state.load(), stm::detail::kShared);
  EXPECT_EQ(heap.page(page).bitmask.load(), 0u);
  EXPECT_GT(heap.stats().total.reshared_pages, 0u);
  // Reads still see the data (now through the memfd).
  w2.atomically([&](stm::Tx& tx) { EXPECT_EQ(tx.read(r)->b, 4); });
  // A write switches the page back to private.
  w2.atomically([&](stm::Tx& tx) { tx.write(r)->b = 40; });
  EXPECT_EQ(heap.page(page).state.load(), stm::detail::kPrivate);
  w1.atomically([&](stm::Tx& tx) { EXPECT_EQ(tx.read(r)->b, 40); });
}

TEST(Heap, ReshareRepopulatesWhenAWriterArrivesHalfway) {
  stm::Heap heap(small_config(2));
  stm::Worker w1(heap), w2(heap);
  auto r = w1.atomically([&](stm::Tx& tx) {
    auto p = tx.make<Pair>(stm::Hint::kMutable, 3, 4);
    tx.write(heap.roots())->slot[2] = p;
    return p;
  });
  uint64_t page = r.offset() >> stm::detail::kPageShift;
  heap.reshare_cold_pages(0);
  w1.atomically([&](stm::Tx&) {});   // w1 drops its copy; w2 still holds one
  EXPECT_EQ(heap.page(page).state.load(), stm::detail::kResharing);
  w2.atomically([&](stm::Tx& tx) { tx.write(r)->a = 33; });
  EXPECT_EQ(heap.page(page).state.load(), stm::detail::kPrivate);
  EXPECT_EQ(heap.page(page).bitmask.load(), heap.full_mask());
  EXPECT_EQ(heap.stats().page_repopulates, 1u);
  w1.atomically([&](stm::Tx& tx) { EXPECT_EQ(tx.read(r)->a, 33); });
}

TEST(Heap, LargeObjectsAreFreedAndPunched) {
  stm::Heap heap(small_config(2));
  stm::Worker w1(heap), w2(heap);
  auto r = w1.atomically([&](stm::Tx& tx) {
    auto a = tx.make_array<int64_t>(100000, stm::Hint::kMutable);
    tx.write(a.at(99999))[0] = 42;
    tx.write(heap.roots())->slot[3] = a;
    return a;
  });
  w2.atomically([&](stm::Tx& tx) { EXPECT_EQ(*tx.read(r.at(99999)), 42); });
  uint64_t used = heap.stats().heap_bytes_used;
  w1.atomically([&](stm::Tx& tx) {
    tx.free(r);
    tx.write(heap.roots())->slot[3] = stm::RawRef();
  });
  // Reclaimed once every view imported the free: a few more transactions on both workers.
  for (int i = 0; i < 20; ++i) {
    w1.atomically([&](stm::Tx& tx) { tx.read(heap.roots()); });
    w2.atomically([&](stm::Tx& tx) { tx.read(heap.roots()); });
  }
  EXPECT_LT(heap.stats().heap_bytes_used, used);
  EXPECT_GE(heap.stats().punched_bytes, 100000u * 8);
}

TEST(Heap, CommitLogIsTruncated) {
  stm::Heap heap(small_config(2));
  stm::Worker w1(heap), w2(heap);
  auto r = w1.atomically([&](stm::Tx& tx) { return tx.make<Pair>(stm::Hint::kMutable, 0, 0); });
  for (int i = 0; i < 1000; ++i) w1.atomically([&](stm::Tx& tx) { tx.write(r)->a++; });
  // w2 never ran a transaction: committers bring its idle view up to date in batches.
  EXPECT_LT(heap.stats().log_length, stm::Heap::kBorrowLag + 40);
  EXPECT_GE(heap.segment(w2.segment()).imported_through.load(), 1000 - stm::Heap::kBorrowLag - 40);
  heap.maintain();   // a quiet system: everything caught up, the log truncated
  EXPECT_LE(heap.stats().log_length, 1u);
  w2.atomically([&](stm::Tx& tx) { EXPECT_EQ(tx.read(r)->a, 1000); });
}

TEST(Heap, TooManyWorkersIsAnError) {
  stm::Heap heap(small_config(1));
  stm::Worker w1(heap);
  EXPECT_THROW(stm::Worker w2(heap), std::runtime_error);
}

TEST(Heap, HeapFullThrowsBadAllocAndRollsBack) {
  stm::Config c = small_config(1);
  c.heap_bytes = 1 << 20;
  stm::Heap heap(c);
  stm::Worker w(heap);
  auto r = w.atomically([&](stm::Tx& tx) { return tx.make<Pair>(stm::Hint::kMutable, 1, 1); });
  EXPECT_THROW(w.atomically([&](stm::Tx& tx) {
    tx.write(r)->a = 2;
    tx.alloc_raw(4 << 20);
  }),
               std::bad_alloc);
  w.atomically([&](stm::Tx& tx) { EXPECT_EQ(tx.read(r)->a, 1); });
}

}  // namespace
