// A sorted linked list built from heap objects under concurrent insert and delete: readers
// check its invariants inside transactions, and the history replayed in commit order must
// give the same answers and the same final set.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "stm/stm.h"
#include "test_util.h"

namespace {

using stm_test::scaled;
using stm_test::small_config;

struct Node {
  int64_t key;
  stm::RawRef next;
};

struct Op {
  uint64_t rev;
  bool insert;
  int64_t key;
  bool changed;
};

// Inserts key if absent (returns true), or deletes it if present (returns true); false when
// the list was left unchanged (never happens here: each op flips membership).
bool toggle(stm::Tx& tx, stm::Ref<Node> head, int64_t key, stm::Hint hint, bool* inserted) {
  stm::Ref<Node> prev = head;
  stm::Ref<Node> cur(tx.read(prev)->next);
  while (!cur.is_null() && tx.read(cur)->key < key) {
    prev = cur;
    cur = stm::Ref<Node>(tx.read(cur)->next);
  }
  if (!cur.is_null() && tx.read(cur)->key == key) {
    tx.write(prev)->next = tx.read(cur)->next;
    tx.free(cur);
    *inserted = false;
  } else {
    auto n = tx.make<Node>(hint, key, cur);
    tx.write(prev)->next = n;
    *inserted = true;
  }
  return true;
}

void run_list(stm::Config cfg, stm::Hint hint) {
  const int writers = 4, readers = 1;
  const long ops = scaled(30000);
  const int keys = 200;
  stm::Heap heap(cfg);
  stm::Ref<Node> head;
  {
    stm::Worker w(heap);
    head = w.atomically([&](stm::Tx& tx) {
      auto h = tx.make<Node>(stm::Hint::kMutable, INT64_MIN, stm::RawRef());
      tx.write(heap.roots())->slot[0] = h;
      return h;
    });
  }
  std::mutex mu;
  std::vector<Op> history;
  std::atomic<long> broken{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back([&, t] {
      stm::Worker w(heap);
      std::mt19937_64 rng(t + 99);
      std::vector<Op> local;
      for (long i = 0; i < ops; ++i) {
        Op op{0, false, int64_t(rng() % keys), true};
        w.atomically([&](stm::Tx& tx) {
          toggle(tx, head, op.key, hint, &op.insert);
          tx.on_commit([&] { op.rev = tx.commit_revision(); });
        });
        local.push_back(op);
      }
      std::lock_guard<std::mutex> g(mu);
      history.insert(history.end(), local.begin(), local.end());
    });
  }
  for (int t = 0; t < readers; ++t) {
    threads.emplace_back([&] {
      stm::Worker w(heap);
      while (!stop.load()) {
        w.atomically([&](stm::Tx& tx) {
          int64_t last = INT64_MIN;
          int n = 0;
          for (stm::Ref<Node> cur(tx.read(head)->next); !cur.is_null();
               cur = stm::Ref<Node>(tx.read(cur)->next)) {
            int64_t k = tx.read(cur)->key;
            // Sorted, in range, finite: a freed (poisoned) or torn node breaks one of these.
            if (k <= last || k < 0 || k >= keys || ++n > keys) {
              broken.fetch_add(1);
              break;
            }
            last = k;
          }
        });
      }
    });
  }
  for (int t = 0; t < writers; ++t) threads[t].join();
  stop = true;
  for (size_t t = writers; t < threads.size(); ++t) threads[t].join();
  EXPECT_EQ(broken.load(), 0);

  std::sort(history.begin(), history.end(), [](const Op& a, const Op& b) { return a.rev < b.rev; });
  std::set<int64_t> model;
  uint64_t last_rev = 0;
  for (const Op& op : history) {
    ASSERT_GT(op.rev, last_rev);
    last_rev = op.rev;
    bool present = model.count(op.key) != 0;
    ASSERT_EQ(op.insert, !present) << "not serializable at rev " << op.rev;
    if (op.insert) {
      model.insert(op.key);
    } else {
      model.erase(op.key);
    }
  }
  std::vector<int64_t> final_keys;
  stm::Worker w(heap);
  w.atomically([&](stm::Tx& tx) {
    final_keys.clear();
    for (stm::Ref<Node> cur(tx.read(head)->next); !cur.is_null();
         cur = stm::Ref<Node>(tx.read(cur)->next)) {
      final_keys.push_back(tx.read(cur)->key);
    }
  });
  EXPECT_EQ(final_keys, std::vector<int64_t>(model.begin(), model.end()));
}

TEST(LinkedList, ConcurrentInsertDeleteKeepsInvariantsMutableNodes) {
  run_list(small_config(5), stm::Hint::kMutable);
}

TEST(LinkedList, ConcurrentInsertDeleteKeepsInvariantsSharedNodesPoisoned) {
  stm::Config cfg = small_config(5);
  cfg.debug_poison = true;
  cfg.debug_reshare_every = 11;
  run_list(cfg, stm::Hint::kShared);
}

}  // namespace
