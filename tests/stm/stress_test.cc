// Concurrency stress tests of the engine, run with more threads than cores: bank transfers
// (sum invariant, opacity, serializability by replay), counters, forced page switches and
// re-shares with injected aborts, a huge transaction that must become inevitable, and all
// threads hammering one object.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "stm/stm.h"
#include "test_util.h"

namespace {

using stm_test::scaled;
using stm_test::small_config;

struct Account {
  int64_t balance;
  int64_t pad;
};

struct Transfer {
  uint64_t rev;
  int from, to;
  int64_t amount;
  bool done;
};

struct BankResult {
  int64_t final_sum = 0;
  long opacity_violations = 0;
  long transfers = 0;
  std::vector<Transfer> history;
  std::vector<int64_t> final_balances;
  stm::Stats stats;
};

// `writers` threads do conditional transfers (only when the balance allows) between
// `accounts` accounts; `readers` threads sum all accounts inside transactions.
BankResult run_bank(stm::Config cfg, int writers, int readers, long transfers_per_writer,
                    int accounts, stm::Hint hint, bool record_history) {
  constexpr int64_t kInitial = 1000;
  stm::Heap heap(cfg);
  BankResult res;
  stm::Ref<stm::RawRef> table;
  {
    stm::Worker w(heap);
    table = w.atomically([&](stm::Tx& tx) {
      auto t = tx.make_array<stm::RawRef>(accounts, stm::Hint::kMutable);
      for (int i = 0; i < accounts; ++i) {
        *tx.write(t.at(i)) = tx.make<Account>(hint, kInitial, 0);
      }
      tx.write(heap.roots())->slot[0] = t;
      return t;
    });
  }
  std::atomic<long> violations{0};
  std::atomic<bool> stop{false};
  std::mutex hist_mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back([&, t] {
      stm::Worker w(heap);
      std::mt19937_64 rng(t * 1000003 + 1);
      std::vector<Transfer> local;
      for (long i = 0; i < transfers_per_writer; ++i) {
        int from = int(rng() % accounts), to = int(rng() % (accounts - 1));
        if (to >= from) ++to;
        int64_t amount = int64_t(rng() % 300);
        Transfer tr{0, from, to, amount, false};
        w.atomically([&](stm::Tx& tx) {
          stm::Ref<Account> a(*tx.read(table.at(from)));
          stm::Ref<Account> b(*tx.read(table.at(to)));
          tr.done = tx.read(a)->balance >= amount;
          if (tr.done) {
            tx.write(a)->balance -= amount;
            tx.write(b)->balance += amount;
          }
          if (record_history) tx.on_commit([&] { tr.rev = tx.commit_revision(); });
        });
        if (record_history && tr.done) local.push_back(tr);
      }
      std::lock_guard<std::mutex> g(hist_mu);
      res.history.insert(res.history.end(), local.begin(), local.end());
    });
  }
  for (int t = 0; t < readers; ++t) {
    threads.emplace_back([&] {
      stm::Worker w(heap);
      while (!stop.load(std::memory_order_relaxed)) {
        w.atomically([&](stm::Tx& tx) {
          int64_t sum = 0;
          for (int i = 0; i < accounts; ++i) {
            sum += tx.read(stm::Ref<Account>(*tx.read(table.at(i))))->balance;
          }
          // Checked inside the transaction: even a run that later aborts must not see a
          // torn state (opacity).
          if (sum != kInitial * accounts) violations.fetch_add(1);
        });
      }
    });
  }
  for (int t = 0; t < writers; ++t) threads[t].join();
  stop = true;
  for (size_t t = writers; t < threads.size(); ++t) threads[t].join();
  stm::Worker w(heap);
  w.atomically([&](stm::Tx& tx) {
    res.final_balances.clear();
    res.final_sum = 0;
    for (int i = 0; i < accounts; ++i) {
      int64_t b = tx.read(stm::Ref<Account>(*tx.read(table.at(i))))->balance;
      res.final_balances.push_back(b);
      res.final_sum += b;
    }
  });
  res.opacity_violations = violations.load();
  res.transfers = writers * transfers_per_writer;
  res.stats = heap.stats();
  // Replay: the committed transfers in revision order, applied one at a time, must be
  // possible (balance never negative) and must give the same balances.
  if (record_history) {
    std::sort(res.history.begin(), res.history.end(),
              [](const Transfer& a, const Transfer& b) { return a.rev < b.rev; });
  }
  return res;
}

void expect_replay_matches(const BankResult& r, int accounts) {
  std::vector<int64_t> bal(accounts, 1000);
  uint64_t last = 0;
  for (const Transfer& t : r.history) {
    ASSERT_GT(t.rev, last) << "two transfers committed with one revision";
    last = t.rev;
    ASSERT_GE(bal[t.from], t.amount) << "not serializable: transfer at rev " << t.rev;
    bal[t.from] -= t.amount;
    bal[t.to] += t.amount;
  }
  EXPECT_EQ(bal, r.final_balances);
}

TEST(Stress, BankTransfersKeepTheSumAndReadersSeeItAlways) {
  stm::Config cfg = small_config(6);
  long per_writer = scaled(250000);   // 4 writers: 1,000,000 transfers at scale 1
  BankResult r = run_bank(cfg, 4, 2, per_writer, 64, stm::Hint::kMutable, true);
  EXPECT_EQ(r.final_sum, 64 * 1000);
  EXPECT_EQ(r.opacity_violations, 0);
  expect_replay_matches(r, 64);
  EXPECT_GT(r.stats.total.commits, 0u);
  std::printf("bank: %ld transfers, %lu commits, %lu conflicts, %lu inevitable\n", r.transfers,
              (unsigned long)r.stats.total.commits,
              (unsigned long)r.stats.total.aborts[int(stm::AbortCause::kConflict)],
              (unsigned long)r.stats.total.inevitable);
}

// Every allocation on shared pages (every first write switches a page), re-sharing of all
// cold pages every 7 commits, and 2% injected aborts at barriers, allocations and commits.
TEST(Stress, BankWithForcedPageSwitchesResharesAndInjectedAborts) {
  stm::Config cfg = small_config(6);
  cfg.debug_no_mutable_pages = true;
  cfg.debug_reshare_every = 7;
  cfg.inject_abort_rate = 0.02;
  cfg.debug_poison = true;
  long per_writer = scaled(40000);
  BankResult r = run_bank(cfg, 4, 2, per_writer, 256, stm::Hint::kShared, true);
  EXPECT_EQ(r.final_sum, 256 * 1000);
  EXPECT_EQ(r.opacity_violations, 0);
  expect_replay_matches(r, 256);
  EXPECT_GT(r.stats.page_switches, 0u);
  EXPECT_GT(r.stats.total.reshared_pages, 0u);
  EXPECT_GT(r.stats.page_repopulates + r.stats.page_switches, r.stats.page_switches / 2);
  EXPECT_GT(r.stats.total.aborts[int(stm::AbortCause::kInjected)], 0u);
}

TEST(Stress, CountersGiveExactlyNTimesM) {
  const int n = 4;
  const long m = scaled(50000);
  stm::Heap heap(small_config(n));
  struct Counters {
    int64_t shared;
    int64_t pad;
    int64_t mine[n * 2];   // 16 bytes apart: one granule per thread
  };
  stm::Ref<Counters> c;
  {
    stm::Worker w(heap);
    c = w.atomically([&](stm::Tx& tx) { return tx.make<Counters>(stm::Hint::kMutable); });
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < n; ++t) {
    threads.emplace_back([&, t] {
      stm::Worker w(heap);
      for (long i = 0; i < m; ++i) {
        w.atomically([&](stm::Tx& tx) {
          tx.write(c)->shared += 1;
          int64_t* mine = reinterpret_cast<int64_t*>(tx.write_bytes(c, 16 + 16 * t, 8));
          *mine += 1;
        });
      }
    });
  }
  for (auto& th : threads) th.join();
  stm::Worker w(heap);
  w.atomically([&](stm::Tx& tx) {
    EXPECT_EQ(tx.read(c)->shared, n * m);
    for (int t = 0; t < n; ++t) EXPECT_EQ(tx.read(c)->mine[2 * t], m);
  });
}

TEST(Stress, AllThreadsHammerOneObjectWithBoundedRetries) {
  const int n = 6;
  const long m = scaled(20000);
  stm::Config cfg = small_config(n);
  cfg.inevitable_after = 8;
  stm::Heap heap(cfg);
  struct Hot {
    int64_t v;
    int64_t pad;
  };
  stm::Ref<Hot> hot;
  {
    stm::Worker w(heap);
    hot = w.atomically([&](stm::Tx& tx) { return tx.make<Hot>(stm::Hint::kShared, 0, 0); });
  }
  std::atomic<int> max_attempts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < n; ++t) {
    threads.emplace_back([&] {
      stm::Worker w(heap);
      for (long i = 0; i < m; ++i) {
        int a = w.atomically([&](stm::Tx& tx) {
          tx.write(hot)->v += 1;
          return tx.attempt();
        });
        int prev = max_attempts.load();
        while (a > prev && !max_attempts.compare_exchange_weak(prev, a)) {
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  stm::Worker w(heap);
  EXPECT_EQ(w.atomically([&](stm::Tx& tx) { return tx.read(hot)->v; }), n * m);
  // The contention manager bounds retries: attempt k+1 runs inevitable and cannot abort.
  EXPECT_LE(max_attempts.load(), cfg.inevitable_after + 1);
}

TEST(Stress, HugeTransactionBecomesInevitableAndCompletes) {
  const int cells = 20000;
  stm::Config cfg = small_config(4);
  cfg.inevitable_after = 4;
  stm::Heap heap(cfg);
  stm::Ref<int64_t> arr;
  {
    stm::Worker w(heap);
    arr = w.atomically([&](stm::Tx& tx) { return tx.make_array<int64_t>(cells * 2, stm::Hint::kMutable); });
  }
  std::atomic<bool> stop{false};
  std::atomic<long> small_commits{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      stm::Worker w(heap);
      std::mt19937 rng(t);
      while (!stop.load()) {
        int i = int(rng() % cells);
        w.atomically([&](stm::Tx& tx) { *tx.write(arr.at(2 * i)) += 1; });
        small_commits.fetch_add(1);
      }
    });
  }
  while (small_commits.load() < 1000) std::this_thread::yield();
  stm::Worker w(heap);
  int attempts = 0;
  int64_t seen = w.atomically([&](stm::Tx& tx) {
    attempts = tx.attempt();
    int64_t sum = 0;
    for (int i = 0; i < cells; ++i) {
      sum += *tx.read(arr.at(2 * i));
      *tx.write(arr.at(2 * i + 1)) = sum;   // a prefix sum: reads everything, writes a lot
    }
    return sum;
  });
  stop = true;
  for (auto& th : threads) th.join();
  EXPECT_GE(attempts, 1);
  EXPECT_LE(attempts, cfg.inevitable_after + 1);
  // Consistency: the stored prefix sums end at the sum the transaction saw.
  w.atomically([&](stm::Tx& tx) { EXPECT_EQ(*tx.read(arr.at(2 * cells - 1)), seen); });
  std::printf("huge tx: %d attempts, %lu inevitable\n", attempts,
              (unsigned long)heap.stats().total.inevitable);
}

}  // namespace
