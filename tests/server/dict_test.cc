// Unit tests of ds/dict.h (the hashtable encoding) and ds/small_map.h (packs, intsets), directly
// on an STM heap.
#include "ds/dict.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ds/objects.h"
#include "ds/small_map.h"
#include "stm/stm.h"

namespace {

using stm::RawRef;
using stmkv::Dict;

struct Fixture {
  explicit Fixture(size_t heap_bytes = size_t{1} << 30, int workers = 1) {
    stm::Config cfg;
    cfg.heap_bytes = heap_bytes;
    cfg.max_workers = workers;
    heap = std::make_unique<stm::Heap>(cfg);
  }
  std::unique_ptr<stm::Heap> heap;
};

// The dict lives in root slot 0.
RawRef root(stm::Tx& tx) { return *tx.read(tx.heap().roots().cast<RawRef>()); }

TEST(Dict, InsertFindRemoveResize) {
  Fixture f;
  stm::Worker w(*f.heap);
  w.atomically(
      [&](stm::Tx& tx) { *tx.write(tx.heap().roots().cast<RawRef>()) = Dict::create(tx, 1); });
  constexpr int kN = 1000;
  w.atomically([&](stm::Tx& tx) {
    Dict d(tx, root(tx));
    EXPECT_EQ(d.bucket_count(), 16u);
    for (int i = 0; i < kN; ++i) {
      EXPECT_TRUE(d.insert("f" + std::to_string(i), stmkv::make_str(tx, "v" + std::to_string(i))));
    }
    EXPECT_FALSE(d.insert("f7", stmkv::make_str(tx, "seven")));  // replaces the value
  });
  uint64_t stamp0 = 0;
  w.atomically([&](stm::Tx& tx) {
    Dict d(tx, root(tx));
    EXPECT_EQ(d.size(), kN);
    EXPECT_GE(d.bucket_count(), 512u);  // grew with the load
    EXPECT_LE(d.bucket_count(), 4096u);
    EXPECT_EQ(stmkv::str_view(tx, d.value_of(d.find("f7"))), "seven");
    EXPECT_EQ(stmkv::str_view(tx, d.value_of(d.find("f999"))), "v999");
    EXPECT_TRUE(d.find("f1000").is_null());
    std::set<std::string> seen;
    d.for_each([&](std::string_view k, RawRef) { seen.insert(std::string(k)); });
    EXPECT_EQ(seen.size(), size_t(kN));
    stamp0 = d.stamp();
  });
  w.atomically([&](stm::Tx& tx) {
    Dict d(tx, root(tx));
    bool empty = true;
    for (int i = 0; i < kN - 1; ++i) {
      EXPECT_TRUE(d.remove("f" + std::to_string(i), &empty));
      EXPECT_FALSE(empty);
    }
    EXPECT_FALSE(d.remove("f0", &empty));
    EXPECT_GT(d.stamp(), stamp0);
    EXPECT_EQ(d.size(), 1);
    EXPECT_LE(d.bucket_count(), 64u);  // shrank below 10% fill
    EXPECT_TRUE(d.remove("f999", &empty));
    EXPECT_TRUE(empty);
    d.destroy();
  });
}

TEST(Dict, ScanRandomCopy) {
  Fixture f;
  stm::Worker w(*f.heap);
  w.atomically([&](stm::Tx& tx) {
    RawRef r = Dict::create(tx, 1);
    *tx.write(tx.heap().roots().cast<RawRef>()) = r;
    Dict d(tx, r);
    for (int i = 0; i < 3000; ++i) d.insert("m" + std::to_string(i), RawRef());
  });
  w.atomically([&](stm::Tx& tx) {
    Dict d(tx, root(tx));
    std::multiset<std::string> seen;
    uint64_t cursor = 0;
    int calls = 0;
    do {
      cursor = d.scan(cursor, 100, [&](std::string_view k, RawRef v) {
        EXPECT_TRUE(v.is_null());
        seen.insert(std::string(k));
      });
      ++calls;
    } while (cursor != 0);
    EXPECT_GT(calls, 10);
    EXPECT_EQ(seen.size(), 3000u);
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 3000u);
    std::set<std::string> randoms;
    for (uint64_t s = 1; s < 2000; ++s) randoms.insert(std::string(d.field_of(d.random(s * 7919))));
    EXPECT_GT(randoms.size(), 500u);
    RawRef c = d.copy();
    Dict dc(tx, c);
    EXPECT_EQ(dc.size(), 3000);
    EXPECT_TRUE(dc.contains("m2999"));
    EXPECT_GT(dc.heap_bytes(), 3000u * 48);
    dc.destroy();
  });
}

// One million elements: inserts in transactions of 10,000, lookups, then deletes.
TEST(Dict, MillionElements) {
  Fixture f(size_t{2} << 30);
  stm::Worker w(*f.heap);
  w.atomically(
      [&](stm::Tx& tx) { *tx.write(tx.heap().roots().cast<RawRef>()) = Dict::create(tx, 1); });
  constexpr int kN = 1000000, kBatch = 10000;
  for (int b = 0; b < kN; b += kBatch) {
    w.atomically([&](stm::Tx& tx) {
      Dict d(tx, root(tx));
      for (int i = b; i < b + kBatch; ++i) d.insert(std::to_string(i), RawRef());
    });
  }
  w.atomically([&](stm::Tx& tx) {
    Dict d(tx, root(tx));
    EXPECT_EQ(d.size(), kN);
    EXPECT_GE(d.bucket_count(), uint64_t(kN) / 2);
    for (int i = 0; i < kN; i += 997) EXPECT_TRUE(d.contains(std::to_string(i)));
    EXPECT_FALSE(d.contains("-1"));
  });
  for (int b = 0; b < kN; b += 10 * kBatch) {
    w.atomically([&](stm::Tx& tx) {
      Dict d(tx, root(tx));
      for (int i = b; i < b + kBatch; ++i) EXPECT_TRUE(d.remove(std::to_string(i)));
    });
  }
  w.atomically([&](stm::Tx& tx) {
    Dict d(tx, root(tx));
    EXPECT_EQ(d.size(), kN - kN / 10);
    d.destroy();
  });
}

// Inserts of different elements from several threads: nothing lost, counts exact.
TEST(Dict, ConcurrentInserts) {
  constexpr int kThreads = 4, kPer = 5000;
  Fixture f(size_t{1} << 30, kThreads);
  {
    stm::Worker w(*f.heap);
    w.atomically(
        [&](stm::Tx& tx) { *tx.write(tx.heap().roots().cast<RawRef>()) = Dict::create(tx, 1024); });
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      stm::Worker w(*f.heap);
      for (int i = 0; i < kPer; ++i) {
        w.atomically([&](stm::Tx& tx) {
          Dict d(tx, root(tx));
          d.insert(std::to_string(t) + "/" + std::to_string(i), RawRef());
          if (i % 3 == 0) d.remove(std::to_string(t) + "/" + std::to_string(i - 1));
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  stm::Worker w(*f.heap);
  w.atomically([&](stm::Tx& tx) {
    Dict d(tx, root(tx));
    int64_t n = 0;
    d.for_each([&](std::string_view, RawRef) { ++n; });
    EXPECT_EQ(n, d.size());
    EXPECT_EQ(n, int64_t(kThreads) * (kPer - (kPer - 1) / 3));
  });
}

TEST(SmallMap, PackAndIntset) {
  Fixture f(size_t{64} << 20);
  stm::Worker w(*f.heap);
  w.atomically([&](stm::Tx& tx) {
    stmkv::PackBuilder b;
    b.add("a");
    b.add("");
    b.add(std::string(300, 'x'));
    RawRef p = b.finish(tx, stmkv::ValueKind::kMembers);
    EXPECT_EQ(stmkv::value_kind(tx, p), stmkv::ValueKind::kMembers);
    std::vector<std::string_view> items = stmkv::PackReader(tx, p).all();
    ASSERT_EQ(items.size(), 3u);
    EXPECT_EQ(items[0], "a");
    EXPECT_EQ(items[1], "");
    EXPECT_EQ(items[2].size(), 300u);
    RawRef c = stmkv::copy_compact(tx, p);
    EXPECT_EQ(stmkv::PackReader(tx, c).all(), items);
    RawRef is = stmkv::make_intset(tx, {-5, 0, 7, 1000000000000});
    EXPECT_EQ(stmkv::value_kind(tx, is), stmkv::ValueKind::kIntset);
    stmkv::IntsetView v = stmkv::intset_view(tx, is);
    EXPECT_EQ(v.count, 4u);
    EXPECT_TRUE(v.contains(7));
    EXPECT_TRUE(v.contains(1000000000000));
    EXPECT_FALSE(v.contains(6));
  });
}

}  // namespace
