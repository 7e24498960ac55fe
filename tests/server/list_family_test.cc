// Unit tests for the list structure (ds/list.h) and the list commands, replies as Redis 7.0.15
// gives them; the blocking registry's FIFO and signalling.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "ds/list.h"
#include "ds/objects.h"
#include "stm/stm.h"
#include "harness.h"

namespace {

using stmkv_test::bulk;
using stmkv_test::error;
using stmkv_test::Harness;
using stmkv_test::integer;
using stmkv_test::kNil;
using stmkv_test::kOk;

std::string arr(std::vector<std::string> items) {
  std::string s = "*" + std::to_string(items.size()) + "\r\n";
  for (auto& i : items) s += bulk(i);
  return s;
}
const std::string kWrongType =
    error("WRONGTYPE Operation against a key holding the wrong kind of value");

TEST(ListFamily, PushPopLenRange) {
  Harness h;
  EXPECT_EQ(h.run({"rpush", "l", "a", "b", "c"}), integer(3));
  EXPECT_EQ(h.run({"lpush", "l", "x", "y"}), integer(5));
  EXPECT_EQ(h.run({"lrange", "l", "0", "-1"}), arr({"y", "x", "a", "b", "c"}));
  EXPECT_EQ(h.run({"llen", "l"}), integer(5));
  EXPECT_EQ(h.run({"lpop", "l"}), bulk("y"));
  EXPECT_EQ(h.run({"rpop", "l"}), bulk("c"));
  EXPECT_EQ(h.run({"lpop", "l", "0"}), "*0\r\n");
  EXPECT_EQ(h.run({"rpop", "l", "5"}), arr({"b", "a", "x"}));
  EXPECT_EQ(h.run({"exists", "l"}), integer(0));
  EXPECT_EQ(h.run({"lpop", "l"}), kNil);
  EXPECT_EQ(h.run({"lpop", "l", "2"}), "*-1\r\n");
  EXPECT_EQ(h.run({"lpop", "l", "-1"}), error("ERR value is out of range, must be positive"));
  EXPECT_EQ(h.run({"lpop", "l", "1", "2"}),
            error("ERR wrong number of arguments for 'lpop' command"));
  EXPECT_EQ(h.run({"lpushx", "l", "a"}), integer(0));
  EXPECT_EQ(h.run({"rpushx", "l", "a"}), integer(0));
  EXPECT_EQ(h.run({"lrange", "l", "0", "-1"}), "*0\r\n");
  EXPECT_EQ(h.run({"set", "s", "v"}), kOk);
  EXPECT_EQ(h.run({"lpush", "s", "a"}), kWrongType);
  EXPECT_EQ(h.run({"llen", "s"}), kWrongType);
  EXPECT_EQ(h.run({"lrange", "s", "a", "1"}), error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"rpush", "l", "1"}), integer(1));
  EXPECT_EQ(h.run({"type", "l"}), "+list\r\n");
  EXPECT_EQ(h.run({"object", "encoding", "l"}), bulk("quicklist"));
}

TEST(ListFamily, IndexSetInsertRemTrim) {
  Harness h;
  h.run({"rpush", "l", "a", "b", "c", "a", "d", "a"});
  EXPECT_EQ(h.run({"lindex", "l", "0"}), bulk("a"));
  EXPECT_EQ(h.run({"lindex", "l", "-2"}), bulk("d"));
  EXPECT_EQ(h.run({"lindex", "l", "6"}), kNil);
  EXPECT_EQ(h.run({"lset", "l", "1", "B"}), kOk);
  EXPECT_EQ(h.run({"lset", "l", "10", "x"}), error("ERR index out of range"));
  EXPECT_EQ(h.run({"lset", "nokey", "0", "x"}), error("ERR no such key"));
  EXPECT_EQ(h.run({"linsert", "l", "before", "c", "C"}), integer(7));
  EXPECT_EQ(h.run({"linsert", "l", "AFTER", "d", "D"}), integer(8));
  EXPECT_EQ(h.run({"linsert", "l", "before", "zz", "x"}), integer(-1));
  EXPECT_EQ(h.run({"linsert", "nokey", "before", "a", "x"}), integer(0));
  EXPECT_EQ(h.run({"linsert", "l", "middle", "a", "x"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"lrange", "l", "0", "-1"}), arr({"a", "B", "C", "c", "a", "d", "D", "a"}));
  EXPECT_EQ(h.run({"lrem", "l", "-1", "a"}), integer(1));
  EXPECT_EQ(h.run({"lrange", "l", "0", "-1"}), arr({"a", "B", "C", "c", "a", "d", "D"}));
  EXPECT_EQ(h.run({"lrem", "l", "0", "a"}), integer(2));
  EXPECT_EQ(h.run({"lrange", "l", "0", "-1"}), arr({"B", "C", "c", "d", "D"}));
  EXPECT_EQ(h.run({"ltrim", "l", "1", "-2"}), kOk);
  EXPECT_EQ(h.run({"lrange", "l", "0", "-1"}), arr({"C", "c", "d"}));
  EXPECT_EQ(h.run({"lrange", "l", "-100", "100"}), arr({"C", "c", "d"}));
  EXPECT_EQ(h.run({"lrange", "l", "2", "1"}), "*0\r\n");
  EXPECT_EQ(h.run({"ltrim", "l", "5", "10"}), kOk);
  EXPECT_EQ(h.run({"exists", "l"}), integer(0));
  EXPECT_EQ(h.run({"rpush", "l", "x"}), integer(1));
  EXPECT_EQ(h.run({"lrem", "l", "1", "x"}), integer(1));
  EXPECT_EQ(h.run({"exists", "l"}), integer(0));
}

TEST(ListFamily, Lpos) {
  Harness h;
  h.run({"rpush", "l", "a", "b", "c", "1", "2", "3", "c", "c"});
  EXPECT_EQ(h.run({"lpos", "l", "c"}), integer(2));
  EXPECT_EQ(h.run({"lpos", "l", "c", "rank", "2"}), integer(6));
  EXPECT_EQ(h.run({"lpos", "l", "c", "rank", "-1"}), integer(7));
  EXPECT_EQ(h.run({"lpos", "l", "c", "count", "0"}), "*3\r\n:2\r\n:6\r\n:7\r\n");
  EXPECT_EQ(h.run({"lpos", "l", "c", "count", "2", "rank", "-1"}), "*2\r\n:7\r\n:6\r\n");
  EXPECT_EQ(h.run({"lpos", "l", "c", "count", "0", "maxlen", "3"}), "*1\r\n:2\r\n");
  EXPECT_EQ(h.run({"lpos", "l", "zz"}), kNil);
  EXPECT_EQ(h.run({"lpos", "l", "zz", "count", "0"}), "*0\r\n");
  EXPECT_EQ(h.run({"lpos", "l", "a", "rank", "0"}),
            error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
                  "second ... or use negative to start from the end of the list"));
  EXPECT_EQ(h.run({"lpos", "l", "a", "count", "-1"}), error("ERR COUNT can't be negative"));
  EXPECT_EQ(h.run({"lpos", "l", "a", "maxlen", "-1"}), error("ERR MAXLEN can't be negative"));
  EXPECT_EQ(h.run({"lpos", "l", "a", "foo"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"lpos", "nokey", "a"}), kNil);
}

TEST(ListFamily, MoveAndMpop) {
  Harness h;
  h.run({"rpush", "src", "a", "b", "c"});
  EXPECT_EQ(h.run({"lmove", "src", "dst", "left", "right"}), bulk("a"));
  EXPECT_EQ(h.run({"rpoplpush", "src", "dst"}), bulk("c"));
  EXPECT_EQ(h.run({"lrange", "dst", "0", "-1"}), arr({"c", "a"}));
  EXPECT_EQ(h.run({"lmove", "dst", "dst", "left", "right"}), bulk("c"));
  EXPECT_EQ(h.run({"lrange", "dst", "0", "-1"}), arr({"a", "c"}));
  EXPECT_EQ(h.run({"lmove", "src", "src", "left", "left"}), bulk("b"));
  EXPECT_EQ(h.run({"lmove", "src", "dst", "up", "left"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"lmove", "nokey", "dst", "left", "left"}), kNil);
  h.run({"set", "str", "x"});
  EXPECT_EQ(h.run({"lmove", "src", "str", "left", "left"}), kWrongType);
  EXPECT_EQ(h.run({"llen", "src"}), integer(1));
  EXPECT_EQ(h.run({"lmpop", "2", "nokey", "dst", "right", "count", "5"}),
            "*2\r\n" + bulk("dst") + arr({"c", "a"}));
  EXPECT_EQ(h.run({"lmpop", "1", "nokey", "left"}), "*-1\r\n");
  EXPECT_EQ(h.run({"lmpop", "0", "l", "left"}), error("ERR numkeys should be greater than 0"));
  EXPECT_EQ(h.run({"lmpop", "1", "l", "left", "count", "0"}),
            error("ERR count should be greater than 0"));
  EXPECT_EQ(h.run({"lmpop", "2", "l", "left"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"lmpop", "1", "l", "left", "count", "1", "count", "2"}),
            error("ERR syntax error"));
  EXPECT_EQ(h.run({"lmpop", "1", "str", "left"}), kWrongType);
}

TEST(ListFamily, BlockingCommandsAnswerAtOnceWithData) {
  Harness h;
  h.run({"rpush", "l", "a", "b"});
  EXPECT_EQ(h.run({"blpop", "nokey", "l", "0"}), arr({"l", "a"}));
  EXPECT_EQ(h.run({"brpop", "l", "0.5"}), arr({"l", "b"}));
  EXPECT_EQ(h.run({"blpop", "l", "x"}), error("ERR timeout is not a float or out of range"));
  EXPECT_EQ(h.run({"blpop", "l", "-1"}), error("ERR timeout is negative"));
  EXPECT_EQ(h.run({"blpop", "l", "1e400"}), error("ERR timeout is negative"));
  h.run({"rpush", "l", "a", "b"});
  EXPECT_EQ(h.run({"blmove", "l", "m", "right", "left", "0"}), bulk("b"));
  EXPECT_EQ(h.run({"brpoplpush", "l", "m", "0"}), bulk("a"));
  EXPECT_EQ(h.run({"blmpop", "0", "1", "m", "left", "count", "10"}),
            "*2\r\n" + bulk("m") + arr({"a", "b"}));
  h.run({"set", "s", "x"});
  EXPECT_EQ(h.run({"blpop", "s", "0"}), kWrongType);
  // Without data the command replies nothing and asks the connection to block.
  EXPECT_EQ(h.run({"blpop", "l", "1.5"}), "");
  EXPECT_TRUE(h.client(0).block_pending);
  EXPECT_EQ(h.client(0).block_timeout_ms, 1500);
  EXPECT_EQ(h.client(0).block_keys, std::vector<std::string>{"l"});
  h.client(0).block_pending = false;
}

TEST(ListFamily, BlockingRegistryFifoAndSignal) {
  stmkv::BlockingRegistry reg;
  std::vector<int> woken;
  reg.set_waker([&](int w) { woken.push_back(w); });
  stmkv::Waiter a, b;
  a.worker = 0;
  a.keys = {"k", "j"};
  b.worker = 1;
  b.keys = {"k"};
  reg.add(&a);
  reg.add(&b);
  EXPECT_EQ(reg.blocked_clients(), 2);
  EXPECT_EQ(reg.waiters(0, "k"), 2u);
  reg.signal(0, "k");
  reg.signal(0, "k");   // a is already ready: nobody else is woken
  EXPECT_EQ(woken, std::vector<int>{0});
  EXPECT_EQ(reg.take_ready(1).size(), 0u);
  auto r = reg.take_ready(0);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], &a);
  reg.remove(&a);   // served: the next signal goes to b
  reg.signal(0, "k");
  EXPECT_EQ(woken, (std::vector<int>{0, 1}));
  reg.signal(1, "k");   // another database: nobody
  reg.remove(&b);
  EXPECT_EQ(reg.blocked_clients(), 0);
  EXPECT_EQ(reg.waiters(0, "k"), 0u);
  EXPECT_EQ(reg.take_ready(1).size(), 0u);   // removal also left the ready list
}

TEST(ListFamily, CopyRenameDelAndEncodingConfig) {
  Harness h;
  h.run({"rpush", "l", "a", "b", "c"});
  EXPECT_EQ(h.run({"copy", "l", "l2"}), integer(1));
  EXPECT_EQ(h.run({"rpush", "l2", "d"}), integer(4));
  EXPECT_EQ(h.run({"lrange", "l", "0", "-1"}), arr({"a", "b", "c"}));
  EXPECT_EQ(h.run({"rename", "l2", "l3"}), kOk);
  EXPECT_EQ(h.run({"lrange", "l3", "0", "-1"}), arr({"a", "b", "c", "d"}));
  EXPECT_EQ(h.run({"del", "l", "l3"}), integer(2));
}

// Pushes n elements with RPUSH in batches (of up to 1000) and returns the running checksum.
void fill(Harness& h, const std::string& key, int n, bool left = false) {
  for (int i = 0; i < n;) {
    std::vector<std::string> argv = {left ? "lpush" : "rpush", key};
    for (int j = 0; j < 1000 && i < n; ++j, ++i) argv.push_back(std::to_string(i));
    h.run(argv);
  }
}

TEST(ListFamily, MillionElements) {
  Harness h(1, 1);
  fill(h, "big", 1000000);
  EXPECT_EQ(h.run({"llen", "big"}), integer(1000000));
  EXPECT_EQ(h.run({"lindex", "big", "0"}), bulk("0"));
  EXPECT_EQ(h.run({"lindex", "big", "-1"}), bulk("999999"));
  EXPECT_EQ(h.run({"lindex", "big", "500000"}), bulk("500000"));
  EXPECT_EQ(h.run({"lrange", "big", "499999", "500001"}), arr({"499999", "500000", "500001"}));
  EXPECT_EQ(h.run({"lset", "big", "700000", "x"}), kOk);
  EXPECT_EQ(h.run({"lindex", "big", "700000"}), bulk("x"));
  EXPECT_EQ(h.run({"linsert", "big", "before", "x", "y"}), integer(1000001));
  EXPECT_EQ(h.run({"lindex", "big", "700000"}), bulk("y"));
  EXPECT_EQ(h.run({"lrem", "big", "0", "y"}), integer(1));
  EXPECT_EQ(h.run({"lpos", "big", "999999"}), integer(999999));
  EXPECT_EQ(h.run({"lpop", "big"}), bulk("0"));
  EXPECT_EQ(h.run({"rpop", "big"}), bulk("999999"));
  EXPECT_EQ(h.run({"lpush", "big", "L"}), integer(999999));
  EXPECT_EQ(h.run({"ltrim", "big", "0", "9"}), kOk);
  EXPECT_EQ(h.run({"lrange", "big", "0", "2"}), arr({"L", "1", "2"}));
  EXPECT_EQ(h.run({"del", "big"}), integer(1));
}

TEST(ListStructure, RandomOpsMatchDeque) {
  Harness h(1, 1);
  std::vector<std::string> model;
  uint64_t seed = 12345;
  auto rnd = [&] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return seed >> 33;
  };
  h.run({"config", "set", "list-max-listpack-size", "4"});
  for (int step = 0; step < 3000; ++step) {
    std::string v = std::to_string(rnd() % 50);
    switch (rnd() % 7) {
      case 0:
        h.run({"lpush", "l", v});
        model.insert(model.begin(), v);
        break;
      case 1:
        h.run({"rpush", "l", v});
        model.push_back(v);
        break;
      case 2:
        if (!model.empty()) {
          EXPECT_EQ(h.run({"lpop", "l"}), bulk(model.front()));
          model.erase(model.begin());
        }
        break;
      case 3:
        if (!model.empty()) {
          EXPECT_EQ(h.run({"rpop", "l"}), bulk(model.back()));
          model.pop_back();
        }
        break;
      case 4: {
        std::string pivot = std::to_string(rnd() % 50);
        auto it = std::find(model.begin(), model.end(), pivot);
        long long expect = model.empty() ? 0 : -1;
        if (it != model.end()) {
          model.insert(it, v);
          expect = static_cast<long long>(model.size());
        }
        EXPECT_EQ(h.run({"linsert", "l", "before", pivot, v}), integer(expect));
        break;
      }
      case 5: {
        long long removed = 0;
        for (auto it = model.begin(); it != model.end() && removed < 2;) {
          if (*it == v) {
            it = model.erase(it);
            ++removed;
          } else {
            ++it;
          }
        }
        EXPECT_EQ(h.run({"lrem", "l", "2", v}), integer(removed));
        break;
      }
      case 6:
        if (!model.empty()) {
          size_t i = rnd() % model.size();
          EXPECT_EQ(h.run({"lindex", "l", std::to_string(i)}), bulk(model[i]));
        }
        break;
    }
    if (step % 100 == 0) {
      EXPECT_EQ(h.run({"lrange", "l", "0", "-1"}), arr(model)) << "step " << step;
    }
  }
  EXPECT_EQ(h.run({"lrange", "l", "0", "-1"}), arr(model));
}

// An LPUSH and an RPUSH on a list of several nodes touch disjoint granules: a push at the right
// end committed while a left push is in flight does not abort it. The list's WATCH stamp
// changes with each.
TEST(ListStructure, PushesAtBothEndsDoNotConflict) {
  stm::Config cfg;
  cfg.heap_bytes = size_t{1} << 28;
  cfg.max_workers = 2;
  stm::Heap heap(cfg);
  stm::Worker w0(heap), w1(heap);
  auto list_root = [](stm::Tx& tx) { return tx.heap().roots().cast<stm::RawRef>(); };
  uint64_t stamp0 = w0.atomically([&](stm::Tx& tx) {
    stm::RawRef l = stmkv::list::create(tx);
    for (int i = 0; i < 40; ++i) {
      stmkv::list::push(tx, l, stmkv::list::End::kRight, stmkv::make_str(tx, "e"), 8);
    }
    *tx.write(list_root(tx)) = l;
    return stmkv::list::stamp(tx, l);
  });
  std::atomic<int> phase{0};
  std::thread right([&] {
    while (phase.load() != 1) std::this_thread::yield();
    w1.atomically([&](stm::Tx& tx) {
      stm::RawRef l = *tx.read(list_root(tx));
      stmkv::list::push(tx, l, stmkv::list::End::kRight, stmkv::make_str(tx, "r"), 8);
    });
    phase.store(2);
  });
  int runs = 0;
  w0.atomically([&](stm::Tx& tx) {
    ++runs;
    stm::RawRef l = *tx.read(list_root(tx));
    stmkv::list::push(tx, l, stmkv::list::End::kLeft, stmkv::make_str(tx, "l"), 8);
    if (phase.load() == 0) {
      phase.store(1);
      while (phase.load() != 2) std::this_thread::yield();
    }
  });
  right.join();
  EXPECT_EQ(runs, 1);
  w0.atomically([&](stm::Tx& tx) {
    stm::RawRef l = *tx.read(list_root(tx));
    EXPECT_EQ(stmkv::list::length(tx, l), 42);
    EXPECT_EQ(stmkv::list::stamp(tx, l), stamp0 + 2);
  });
}

// WATCH sees pushes and pops, which no longer write the key's entry.
TEST(ListFamily, WatchSeesPushAndPop) {
  Harness h(1, 2);
  h.run({"RPUSH", "l", "a", "b"});
  for (const char* cmd : {"LPUSH", "RPOP", "LPOP", "RPUSH"}) {
    EXPECT_EQ(h.run({"WATCH", "l"}), kOk);
    std::vector<std::string> argv = {cmd, "l"};
    if (cmd[1] == 'P' && cmd[2] == 'U') argv.push_back("x");
    h.run(argv, 1);
    EXPECT_EQ(h.run({"MULTI"}), kOk);
    EXPECT_EQ(h.run({"LLEN", "l"}), "+QUEUED\r\n");
    EXPECT_EQ(h.run({"EXEC"}), "*-1\r\n") << cmd;
  }
}

TEST(ListFamily, ConcurrentPushPopLoseNothing) {
  Harness h(4, 4);   // one worker per thread (a worker runs one transaction at a time)
  constexpr int kPerThread = 3000;
  std::atomic<long long> popped_sum{0};
  std::atomic<int> popped{0};
  std::vector<std::thread> ts;
  // Two pushers (one per end) on two workers, two poppers.
  for (int t = 0; t < 2; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        h.run({t == 0 ? "lpush" : "rpush", "q", std::to_string(t * kPerThread + i + 1)}, t);
      }
    });
  }
  for (int t = 2; t < 4; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string r = h.run({t == 2 ? "lpop" : "rpop", "q"}, t);
        if (r[0] == '$' && r != kNil) {
          size_t p = r.find("\r\n");
          popped_sum += std::stoll(r.substr(p + 2));
          ++popped;
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  // Drain the rest.
  for (;;) {
    std::string r = h.run({"lpop", "q"});
    if (r == kNil) break;
    size_t p = r.find("\r\n");
    popped_sum += std::stoll(r.substr(p + 2));
    ++popped;
  }
  long long n = 2 * kPerThread;
  EXPECT_EQ(popped.load(), n);
  EXPECT_EQ(popped_sum.load(), n * (n + 1) / 2);
}

}  // namespace
