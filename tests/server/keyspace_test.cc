// Tests of the keyspace (ds/keyspace.h) used directly: resizing, lookups from other workers,
// removal, the SCAN guarantee across resizes, flush, swap and expiry sweeps.
#include "ds/keyspace.h"

#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "server/server.h"

namespace {

using stm::Ref;
using stmkv::Db;
using stmkv::Encoding;
using stmkv::Entry;
using stmkv::ObjType;

constexpr int64_t kNow = 1'000'000;

class KeyspaceTest : public ::testing::Test {
 protected:
  KeyspaceTest() {
    stmkv::ServerConfig cfg;
    cfg.workers = 2;
    cfg.heap_size = int64_t{512} << 20;
    cfg.port = 0;
    server_ = std::make_unique<stmkv::Server>(cfg);
  }

  stm::Worker& w(int i) { return *server_->worker(i).stm; }

  // Runs fn(Db&) for database `db` in one transaction on worker i.
  template <class F>
  auto on(int i, int db, F&& fn) {
    return w(i).atomically([&](stm::Tx& tx) {
      Db d(tx, db, kNow);
      return fn(d);
    });
  }

  void set(int worker, int db, const std::string& key, const std::string& value,
           int64_t expire = stmkv::kNoExpire) {
    on(worker, db, [&](Db& d) {
      d.set(key, ObjType::kString, stmkv::make_str(d.tx(), value), Encoding::kEmbstr, expire);
      return 0;
    });
  }

  // Inserts keys [from, to) named prefix+i with value "v"+i, 1000 per transaction.
  void insert_range(int worker, int db, const std::string& prefix, int from, int to) {
    for (int b = from; b < to; b += 1000) {
      on(worker, db, [&](Db& d) {
        for (int i = b; i < std::min(to, b + 1000); ++i) {
          std::string v = "v" + std::to_string(i);
          d.set(prefix + std::to_string(i), ObjType::kString, stmkv::make_str(d.tx(), v),
                Encoding::kEmbstr, stmkv::kNoExpire);
        }
        return 0;
      });
    }
  }

  // Checks that keys [from, to) are all present with their values, 1000 per transaction.
  int count_found(int worker, int db, const std::string& prefix, int from, int to) {
    int found = 0;
    for (int b = from; b < to; b += 1000) {
      found += on(worker, db, [&](Db& d) {
        int n = 0;
        for (int i = b; i < std::min(to, b + 1000); ++i) {
          Ref<Entry> e = d.find(prefix + std::to_string(i));
          if (!e.is_null() && stmkv::str_view(d.tx(), d.read(e).value) == "v" + std::to_string(i)) {
            ++n;
          }
        }
        return n;
      });
    }
    return found;
  }

  // Runs resize steps until no resize is pending; returns the number of steps.
  int resize_all(int worker, int db, int buckets = 256) {
    int steps = 0;
    while (on(worker, db, [&](Db& d) { return d.resize_step(buckets); })) ++steps;
    return steps;
  }

  uint64_t buckets(int db) {
    return on(0, db, [](Db& d) { return d.bucket_count(); });
  }
  int64_t size(int db) {
    return on(1, db, [](Db& d) { return d.size(); });
  }

  std::unique_ptr<stmkv::Server> server_;
};

TEST_F(KeyspaceTest, HundredThousandKeysResizeAndRemove) {
  constexpr int kKeys = 100'000;
  EXPECT_EQ(buckets(0), 16u);
  // Insert as the server does: the table is resized between batches (maintenance).
  int resizes = 0;
  for (int b = 0; b < kKeys / 2; b += 5000) {
    insert_range(b / 5000 % 2, 0, "key:", b, b + 5000);
    resizes += resize_all(0, 0) > 0;
  }
  EXPECT_GE(resizes, 2);  // 16 -> 16384 at 5k keys, -> 65536 past 16k keys
  // A resize in progress: partly migrated while more keys arrive and lookups run.
  insert_range(1, 0, "key:", kKeys / 2, kKeys * 3 / 4);
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(on(0, 0, [](Db& d) { return d.resize_step(64); }));
  insert_range(1, 0, "key:", kKeys * 3 / 4, kKeys);
  EXPECT_EQ(count_found(1, 0, "key:", 0, kKeys), kKeys);
  resize_all(0, 0);
  resize_all(0, 0);  // grows again if the last resize was sized before all keys arrived
  EXPECT_GE(buckets(0), uint64_t(kKeys));
  EXPECT_EQ(size(0), kKeys);
  EXPECT_EQ(count_found(1, 0, "key:", 0, kKeys), kKeys);
  EXPECT_EQ(count_found(0, 0, "key:", 0, kKeys), kKeys);
  // for_each sees every key once.
  int64_t seen = on(1, 0, [](Db& d) {
    int64_t n = 0;
    d.for_each([&](Ref<Entry>) { ++n; });
    return n;
  });
  EXPECT_EQ(seen, kKeys);
  // Remove all (from both workers), then the table shrinks back.
  for (int b = 0; b < kKeys; b += 1000) {
    int removed = on(b / 1000 % 2, 0, [&](Db& d) {
      int n = 0;
      for (int i = b; i < b + 1000; ++i) n += d.remove("key:" + std::to_string(i));
      return n;
    });
    ASSERT_EQ(removed, 1000);
  }
  EXPECT_EQ(size(0), 0);
  EXPECT_FALSE(on(0, 0, [](Db& d) { return d.remove("key:1"); }));
  resize_all(0, 0);
  EXPECT_EQ(buckets(0), 16u);
  EXPECT_EQ(count_found(1, 0, "key:", 0, 1000), 0);
  EXPECT_TRUE(on(0, 0, [](Db& d) { return d.random_entry(42).is_null(); }));
}

// Redis's SCAN guarantee: a key present from the start of an iteration to its end is returned
// at least once, whatever happens between the calls (writes, deletes, growth, shrinking).
TEST_F(KeyspaceTest, ScanGuaranteeAcrossResizes) {
  constexpr int kStable = 2000;
  insert_range(0, 0, "stable:", 0, kStable);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0, churn = 0, resizes_seen = 0;
  do {
    cursor = on(calls % 2, 0, [&](Db& d) {
      return d.scan(cursor, 10, [&](Ref<Entry> e) { seen.insert(std::string(d.key_of(e))); });
    });
    // Phases: grow (many inserts), shrink (delete them), each with partial resize steps so
    // that SCAN also runs while two tables exist.
    int phase = (calls / 20) % 2;
    if (phase == 0) {
      insert_range(1, 0, "churn:", churn, churn + 500);
      churn += 500;
    } else if (churn > 0) {
      on(1, 0, [&](Db& d) {
        for (int i = std::max(0, churn - 500); i < churn; ++i)
          d.remove("churn:" + std::to_string(i));
        return 0;
      });
      churn = std::max(0, churn - 500);
    }
    // Delete and re-add some stable keys' neighbours: unrelated keys come and go.
    set(1, 0, "other:" + std::to_string(calls), "x");
    if (calls > 3) on(0, 0, [&](Db& d) { return d.remove("other:" + std::to_string(calls - 3)); });
    if (on(0, 0, [](Db& d) { return d.resize_step(64); })) ++resizes_seen;
    ++calls;
  } while (cursor != 0 && calls < 1'000'000);
  int missing = 0;
  for (int i = 0; i < kStable; ++i) missing += seen.count("stable:" + std::to_string(i)) ? 0 : 1;
  EXPECT_EQ(missing, 0);
  EXPECT_GT(resizes_seen, 10);
}

TEST_F(KeyspaceTest, FlushEvenDuringResize) {
  insert_range(0, 0, "k", 0, 5000);
  ASSERT_TRUE(on(0, 0, [](Db& d) { return d.resize_step(8); }));  // resize in progress
  set(0, 0, "ttl", "v", kNow + 1000);
  on(1, 0, [](Db& d) {
    EXPECT_EQ(d.expires_count(), 1);
    d.flush();
    return 0;
  });
  EXPECT_EQ(size(0), 0);
  EXPECT_EQ(on(0, 0, [](Db& d) { return d.expires_count(); }), 0);
  EXPECT_EQ(buckets(0), 16u);
  EXPECT_EQ(count_found(0, 0, "k", 0, 5000), 0);
  EXPECT_FALSE(on(0, 0, [](Db& d) { return d.resize_step(8); }));
  insert_range(0, 0, "k", 0, 100);
  EXPECT_EQ(count_found(1, 0, "k", 0, 100), 100);
}

TEST_F(KeyspaceTest, SwapDatabases) {
  insert_range(0, 1, "one:", 0, 300);
  insert_range(0, 2, "two:", 0, 10);
  resize_all(0, 1);
  w(0).atomically([](stm::Tx& tx) { Db::swap(tx, 1, 2); });
  EXPECT_EQ(size(1), 10);
  EXPECT_EQ(size(2), 300);
  EXPECT_EQ(count_found(1, 2, "one:", 0, 300), 300);
  EXPECT_EQ(count_found(1, 1, "two:", 0, 10), 10);
  EXPECT_EQ(count_found(1, 1, "one:", 0, 300), 0);
}

TEST_F(KeyspaceTest, ExpiredKeysAreAbsentAndSwept) {
  for (int i = 0; i < 100; ++i) {
    set(i % 2, 0, "exp" + std::to_string(i), "v", i < 60 ? kNow - 1 : kNow + 100000);
  }
  set(0, 0, "plain", "v");
  EXPECT_EQ(size(0), 101);
  EXPECT_EQ(on(0, 0, [](Db& d) { return d.expires_count(); }), 100);
  EXPECT_TRUE(on(1, 0, [](Db& d) { return d.find("exp0").is_null(); }));
  EXPECT_FALSE(on(1, 0, [](Db& d) { return d.find("exp99").is_null(); }));
  // remove() of an expired key deletes it but reports it absent.
  EXPECT_FALSE(on(0, 0, [](Db& d) { return d.remove("exp0"); }));
  uint64_t cursor = 0;
  int removed = 0, with_ttl = 0;
  for (int k = 0; k < 4; ++k) {
    on(0, 0, [&](Db& d) {
      int t = 0;
      removed += d.expire_some(&cursor, 4, &t);
      with_ttl += t;
      return 0;
    });
  }
  EXPECT_EQ(removed, 59);
  EXPECT_EQ(with_ttl, 99);
  EXPECT_EQ(size(0), 41);
  EXPECT_EQ(on(0, 0, [](Db& d) { return d.expires_count(); }), 40);
}

TEST_F(KeyspaceTest, DetachKeepsTheValue) {
  set(0, 0, "src", "value", kNow + 5000);
  int64_t expire = on(1, 0, [](Db& d) {
    Entry e;
    EXPECT_TRUE(d.detach("src", &e));
    d.set("dst", ObjType::kString, e.value, Encoding::kEmbstr, e.expire_ms);
    return e.expire_ms;
  });
  EXPECT_EQ(expire, kNow + 5000);
  EXPECT_EQ(size(0), 1);
  EXPECT_EQ(on(0, 0, [](Db& d) { return d.expires_count(); }), 1);
  std::string v = on(0, 0, [](Db& d) {
    return std::string(stmkv::str_view(d.tx(), d.read(d.find("dst")).value));
  });
  EXPECT_EQ(v, "value");
  EXPECT_TRUE(on(0, 0, [](Db& d) { return d.find("src").is_null(); }));
}

}  // namespace
