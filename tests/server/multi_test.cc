// Tests of MULTI / EXEC / DISCARD / WATCH / UNWATCH, STM CONFLICTS / STATS and SLOWLOG through
// the command dispatcher. Expected replies were taken from redis-server 7.0.15.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace {

using namespace stmkv_test;

const std::string kQueued = "+QUEUED\r\n";
const std::string kNullArray = "*-1\r\n";

std::string arr(size_t n) { return "*" + std::to_string(n) + "\r\n"; }

TEST(Multi, ErrorsOutsideAndNested) {
  Harness h;
  EXPECT_EQ(h.run({"EXEC"}), error("ERR EXEC without MULTI"));
  EXPECT_EQ(h.run({"DISCARD"}), error("ERR DISCARD without MULTI"));
  EXPECT_EQ(h.run({"WATCH"}), error("ERR wrong number of arguments for 'watch' command"));
  EXPECT_EQ(h.run({"UNWATCH", "x"}), error("ERR wrong number of arguments for 'unwatch' command"));
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"MULTI"}), error("ERR MULTI calls can not be nested"));
  EXPECT_EQ(h.run({"SET", "a", "1"}), kQueued);
  EXPECT_EQ(h.run({"WATCH", "a"}), error("ERR WATCH inside MULTI is not allowed"));
  // Neither error flags the transaction.
  EXPECT_EQ(h.run({"EXEC"}), arr(1) + kOk);
  EXPECT_EQ(h.run({"GET", "a"}), bulk("1"));
}

TEST(Multi, EmptyAndDiscard) {
  Harness h;
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"EXEC"}), arr(0));
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"SET", "a", "1"}), kQueued);
  EXPECT_EQ(h.run({"DISCARD"}), kOk);
  EXPECT_EQ(h.run({"GET", "a"}), kNil);
  EXPECT_EQ(h.run({"EXEC"}), error("ERR EXEC without MULTI"));
}

TEST(Multi, QueueTimeErrorsAbortExec) {
  Harness h;
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"SET", "x"}), error("ERR wrong number of arguments for 'set' command"));
  EXPECT_EQ(h.run({"SET", "y", "1"}), kQueued);
  EXPECT_EQ(h.run({"EXEC"}),
            error("EXECABORT Transaction discarded because of previous errors."));
  EXPECT_EQ(h.run({"GET", "y"}), kNil);
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"FOO"}), error("ERR unknown command 'FOO', with args beginning with: "));
  EXPECT_EQ(h.run({"EXEC"}),
            error("EXECABORT Transaction discarded because of previous errors."));
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"CLIENT", "NOPE"}),
            error("ERR unknown subcommand 'NOPE'. Try CLIENT HELP."));
  EXPECT_EQ(h.run({"EXEC"}),
            error("EXECABORT Transaction discarded because of previous errors."));
  // A no-multi command is refused and flags the transaction.
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"SHUTDOWN"}), error("ERR Command not allowed inside a transaction"));
  EXPECT_EQ(h.run({"EXEC"}),
            error("EXECABORT Transaction discarded because of previous errors."));
  EXPECT_EQ(h.run({"EXEC"}), error("ERR EXEC without MULTI"));
}

TEST(Multi, RuntimeErrorsDoNotRollBack) {
  Harness h;
  EXPECT_EQ(h.run({"SET", "s", "str"}), kOk);
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"INCR", "s"}), kQueued);
  EXPECT_EQ(h.run({"SET", "b", "2"}), kQueued);
  EXPECT_EQ(h.run({"GET", "b"}), kQueued);
  EXPECT_EQ(h.run({"EXEC"}),
            arr(3) + error("ERR value is not an integer or out of range") + kOk + bulk("2"));
  EXPECT_EQ(h.run({"GET", "b"}), bulk("2"));
}

TEST(Multi, SelectInsideMulti) {
  Harness h;
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"SELECT", "1"}), kQueued);
  EXPECT_EQ(h.run({"SET", "a", "2"}), kQueued);
  EXPECT_EQ(h.run({"SELECT", "0"}), kQueued);
  EXPECT_EQ(h.run({"GET", "a"}), kQueued);
  EXPECT_EQ(h.run({"SELECT", "100"}), kQueued);
  EXPECT_EQ(h.run({"SELECT", "1"}), kQueued);
  EXPECT_EQ(h.run({"GET", "a"}), kQueued);
  EXPECT_EQ(h.run({"EXEC"}), arr(7) + kOk + kOk + kOk + kNil +
                                 error("ERR DB index is out of range") + kOk + bulk("2"));
  EXPECT_EQ(h.client(0).db, 1);  // SELECT took effect
  EXPECT_EQ(h.run({"GET", "a"}), bulk("2"));
}

TEST(Multi, NonTransactionalCommandsKeepTheirOrder) {
  Harness h;
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"SET", "a", "1"}), kQueued);
  EXPECT_EQ(h.run({"PING"}), kQueued);
  EXPECT_EQ(h.run({"CLIENT", "SETNAME", "n1"}), kQueued);
  EXPECT_EQ(h.run({"ECHO", "hi"}), kQueued);
  EXPECT_EQ(h.run({"CLIENT", "GETNAME"}), kQueued);
  EXPECT_EQ(h.run({"UNWATCH"}), kQueued);
  EXPECT_EQ(h.run({"GET", "a"}), kQueued);
  EXPECT_EQ(h.run({"EXEC"}),
            arr(7) + kOk + "+PONG\r\n" + kOk + bulk("hi") + bulk("n1") + kOk + bulk("1"));
  EXPECT_EQ(h.run({"CLIENT", "GETNAME"}), bulk("n1"));
}

TEST(Multi, WatchSameClientAndOtherClient) {
  Harness h;
  EXPECT_EQ(h.run({"SET", "w", "1"}), kOk);
  // Touched by the same client.
  EXPECT_EQ(h.run({"WATCH", "w"}), kOk);
  EXPECT_EQ(h.run({"SET", "w", "2"}), kOk);
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"SET", "x", "1"}), kQueued);
  EXPECT_EQ(h.run({"EXEC"}), kNullArray);
  EXPECT_EQ(h.run({"GET", "x"}), kNil);
  // The watch is gone after EXEC.
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"SET", "x", "1"}), kQueued);
  EXPECT_EQ(h.run({"EXEC"}), arr(1) + kOk);
  // Touched by another client (on the other worker).
  EXPECT_EQ(h.run({"WATCH", "w", "absent"}), kOk);
  EXPECT_EQ(h.run({"SET", "absent", "now"}, 1), kOk);
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"GET", "w"}), kQueued);
  EXPECT_EQ(h.run({"EXEC"}), kNullArray);
  // Writes to other keys don't break a WATCH; reading the key doesn't either.
  EXPECT_EQ(h.run({"WATCH", "w"}), kOk);
  EXPECT_EQ(h.run({"SET", "other", "1"}, 1), kOk);
  EXPECT_EQ(h.run({"GET", "w"}, 1), bulk("2"));
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"INCR", "w"}), kQueued);
  EXPECT_EQ(h.run({"EXEC"}), arr(1) + integer(3));
  // UNWATCH and DISCARD forget the watched keys.
  EXPECT_EQ(h.run({"WATCH", "w"}), kOk);
  EXPECT_EQ(h.run({"UNWATCH"}), kOk);
  EXPECT_EQ(h.run({"SET", "w", "9"}, 1), kOk);
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"EXEC"}), arr(0));
  EXPECT_EQ(h.run({"WATCH", "w"}), kOk);
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"DISCARD"}), kOk);
  EXPECT_EQ(h.run({"SET", "w", "10"}, 1), kOk);
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"EXEC"}), arr(0));
}

TEST(Multi, WatchBrokenByKeyspaceCommands) {
  Harness h;
  auto broken_by = [&](std::vector<std::string> setup, std::vector<std::string> cmd,
                       const std::string& key) {
    h.run({"FLUSHALL"});
    if (!setup.empty()) h.run(setup);
    EXPECT_EQ(h.run({"WATCH", key}), kOk);
    h.run(cmd, 1);
    EXPECT_EQ(h.run({"MULTI"}), kOk);
    EXPECT_EQ(h.run({"PING"}), kQueued);
    return h.run({"EXEC"}) == kNullArray;
  };
  EXPECT_TRUE(broken_by({"SET", "k", "v"}, {"FLUSHDB"}, "k"));
  EXPECT_TRUE(broken_by({"SET", "k", "v"}, {"FLUSHALL"}, "k"));
  EXPECT_TRUE(broken_by({"SET", "k", "v"}, {"SWAPDB", "0", "1"}, "k"));
  EXPECT_TRUE(broken_by({"SET", "k", "v"}, {"MOVE", "k", "1"}, "k"));
  EXPECT_TRUE(broken_by({"SET", "k", "v"}, {"RENAME", "k", "k2"}, "k"));
  EXPECT_TRUE(broken_by({"SET", "k", "v"}, {"RENAME", "k", "k2"}, "k2"));
  EXPECT_TRUE(broken_by({"SET", "k", "v"}, {"EXPIRE", "k", "100"}, "k"));
  EXPECT_TRUE(broken_by({"SET", "k", "v"}, {"DEL", "k"}, "k"));
  EXPECT_TRUE(broken_by({"SET", "k", "v"}, {"SET", "k", "v"}, "k"));  // same value too
  // Redis touches only keys that exist: flushing an empty database leaves the WATCH intact.
  EXPECT_FALSE(broken_by({}, {"FLUSHALL"}, "k"));
  EXPECT_FALSE(broken_by({"SET", "k", "v"}, {"SET", "other", "v"}, "k"));
}

TEST(Multi, WatchBrokenByExpiry) {
  Harness h;
  EXPECT_EQ(h.run({"SET", "e", "v", "PX", "30"}), kOk);
  EXPECT_EQ(h.run({"WATCH", "e"}), kOk);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"PING"}), kQueued);
  EXPECT_EQ(h.run({"EXEC"}), kNullArray);
  // A key already expired when watched is absent: its deletion is no change.
  EXPECT_EQ(h.run({"SET", "e2", "v", "PX", "1"}), kOk);
  std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(h.run({"WATCH", "e2"}), kOk);
  EXPECT_EQ(h.run({"DEL", "e2"}, 1), integer(0));
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"PING"}), kQueued);
  EXPECT_EQ(h.run({"EXEC"}), arr(1) + "+PONG\r\n");
}

TEST(Multi, ResetDiscards) {
  Harness h;
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"SET", "a", "1"}), kQueued);
  EXPECT_EQ(h.run({"RESET"}), "+RESET\r\n");
  EXPECT_EQ(h.run({"EXEC"}), error("ERR EXEC without MULTI"));
  EXPECT_EQ(h.run({"GET", "a"}), kNil);
}

TEST(Multi, CommandStatsCountQueuedCommands) {
  Harness h;
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"INCR", "n"}), kQueued);
  EXPECT_EQ(h.run({"INCR", "n"}), kQueued);
  EXPECT_EQ(h.run({"EXEC"}), arr(2) + integer(1) + integer(2));
  std::string info = h.run({"INFO", "commandstats"});
  EXPECT_NE(info.find("cmdstat_incr:calls=2,"), std::string::npos) << info;
  EXPECT_NE(info.find("cmdstat_exec:calls=1,"), std::string::npos) << info;
}

// 100,000 queued commands complete, also while another client keeps writing the same keys
// (the block becomes inevitable after Config::inevitable_after aborts).
TEST(Multi, HugeBlockCompletesUnderContention) {
  Harness h;
  constexpr int kCommands = 100000;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    int i = 0;
    while (!stop.load()) h.run({"INCR", "h" + std::to_string(i++ % 16)}, 1);
  });
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  for (int i = 0; i < kCommands; ++i) {
    ASSERT_EQ(h.run({"INCR", "h" + std::to_string(i % 16)}), kQueued);
  }
  std::string reply = h.run({"EXEC"});
  stop = true;
  writer.join();
  EXPECT_EQ(reply.substr(0, 9), "*100000\r\n");
  size_t integers = 0;
  for (size_t p = reply.find("\r\n:"); p != std::string::npos; p = reply.find("\r\n:", p + 1)) {
    ++integers;
  }
  EXPECT_EQ(integers, size_t(kCommands));
}

// Bank transfers by 4 threads on 2 workers keep the sum exact; a reader's MGET in a block
// never sees a broken sum.
TEST(Multi, TransfersKeepTheSum) {
  Harness h(2, 5);
  constexpr int kAccounts = 20;
  for (int i = 0; i < kAccounts; ++i) h.run({"SET", "acct" + std::to_string(i), "100"});
  std::atomic<bool> bad{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      uint32_t r = 12345 + t;
      for (int i = 0; i < 1000; ++i) {
        r = r * 1103515245 + 12345;
        int a = int(r >> 8) % kAccounts, b = int(r >> 20) % kAccounts;
        h.run({"MULTI"}, t);
        h.run({"DECRBY", "acct" + std::to_string(a), "7"}, t);
        h.run({"INCRBY", "acct" + std::to_string(b), "7"}, t);
        if (h.run({"EXEC"}, t).substr(0, 4) != "*2\r\n") bad = true;
      }
    });
  }
  std::thread reader([&] {
    std::vector<std::string> mget = {"MGET"};
    for (int i = 0; i < kAccounts; ++i) mget.push_back("acct" + std::to_string(i));
    for (int i = 0; i < 300; ++i) {
      h.run({"MULTI"}, 4);
      h.run(mget, 4);
      std::string r = h.run({"EXEC"}, 4);
      long sum = 0;
      size_t p = 0;
      while ((p = r.find("$", p)) != std::string::npos) {
        size_t eol = r.find("\r\n", p);
        sum += std::stol(r.substr(eol + 2));
        p = eol;
      }
      if (sum != 100 * kAccounts) bad = true;
    }
  });
  for (auto& th : threads) th.join();
  reader.join();
  EXPECT_FALSE(bad);
  long sum = 0;
  for (int i = 0; i < kAccounts; ++i) {
    std::string r = h.run({"GET", "acct" + std::to_string(i)});
    sum += std::stol(r.substr(r.find("\r\n") + 2));
  }
  EXPECT_EQ(sum, 100 * kAccounts);
}

// Two clients incrementing one hot key: the conflict report names it.
TEST(Stm, ConflictsNameTheHotKey) {
  Harness h(2, 2);
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20000; ++i) h.run({"INCR", "hot"}, t);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(h.run({"GET", "hot"}), bulk("40000"));
  std::string report = h.run({"STM", "CONFLICTS", "1"});
  std::string stats = h.run({"STM", "STATS"});
  uint64_t aborts = 0;
  size_t p = stats.find("$8\r\nconflict\r\n:");
  ASSERT_NE(p, std::string::npos) << stats;
  aborts = std::stoull(stats.substr(p + 15));
  if (aborts == 0) GTEST_SKIP() << "no conflict happened in this run";
  EXPECT_EQ(report.substr(0, 4), "*1\r\n") << report;
  EXPECT_NE(report.find(bulk("key") + bulk("hot")), std::string::npos) << report;
  EXPECT_NE(report.find(bulk("incr")), std::string::npos) << report;
  EXPECT_NE(report.find(bulk("string")), std::string::npos) << report;
  EXPECT_NE(report.find(bulk("INCR hot")), std::string::npos) << report;
  EXPECT_EQ(h.run({"STM", "RESET"}), kOk);
  EXPECT_EQ(h.run({"STM", "CONFLICTS"}), arr(0));
  EXPECT_EQ(h.run({"STM", "CONFLICTS", "-1"}),
            error("ERR count should be greater than or equal to 0"));
  EXPECT_EQ(h.run({"STM", "NOPE"}), error("ERR unknown subcommand 'NOPE'. Try STM HELP."));
}

TEST(Stm, StatsRecordExecIntervals) {
  Harness h(2, 2);
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"SET", "a", "1"}), kQueued);
  EXPECT_EQ(h.run({"EXEC"}), arr(1) + kOk);
  std::string stats = h.run({"STM", "STATS"});
  EXPECT_NE(stats.find(bulk("execs") + integer(1)), std::string::npos) << stats;
  size_t p = stats.find(bulk("last_exec_start_us"));
  ASSERT_NE(p, std::string::npos);
  long long start = std::stoll(stats.substr(p + bulk("last_exec_start_us").size() + 1));
  p = stats.find(bulk("last_exec_end_us"), p);
  long long end = std::stoll(stats.substr(p + bulk("last_exec_end_us").size() + 1));
  EXPECT_GT(start, 0);
  EXPECT_GE(end, start);
}

TEST(Slowlog, GetLenReset) {
  Harness h;
  EXPECT_EQ(h.run({"SLOWLOG", "LEN"}), integer(0));
  EXPECT_EQ(h.run({"CONFIG", "SET", "slowlog-log-slower-than", "0"}), kOk);
  EXPECT_EQ(h.run({"SET", "a", "b"}), kOk);
  std::string r = h.run({"SLOWLOG", "GET", "1"});
  EXPECT_EQ(r.substr(0, 8), "*1\r\n*7\r\n") << r;
  EXPECT_NE(r.find("*3\r\n" + bulk("SET") + bulk("a") + bulk("b") + bulk("127.0.0.1:40000") +
                   bulk("") + integer(0)),
            std::string::npos)
      << r;
  EXPECT_EQ(h.run({"SLOWLOG", "GET", "-2"}),
            error("ERR count should be greater than or equal to -1"));
  EXPECT_EQ(h.run({"SLOWLOG", "GET", "abc"}),
            error("ERR count should be greater than or equal to -1"));
  EXPECT_EQ(h.run({"SLOWLOG", "GET", "1", "2"}),
            error("ERR unknown subcommand or wrong number of arguments for 'GET'. Try SLOWLOG "
                  "HELP."));
  EXPECT_EQ(h.run({"SLOWLOG", "LEN", "x"}),
            error("ERR wrong number of arguments for 'slowlog|len' command"));
  EXPECT_EQ(h.run({"SLOWLOG", "RESET"}), kOk);
  // The RESET itself is logged (as in Redis).
  EXPECT_EQ(h.run({"SLOWLOG", "LEN"}), integer(1));
  // Long arguments and argument lists are trimmed as Redis does.
  std::vector<std::string> big = {"MSET"};
  for (int i = 0; i < 20; ++i) {
    big.push_back("k" + std::to_string(i));
    big.push_back(std::string(200, 'v'));
  }
  EXPECT_EQ(h.run(big), kOk);
  r = h.run({"SLOWLOG", "GET", "1"});
  EXPECT_NE(r.find(bulk(std::string(128, 'v') + "... (72 more bytes)")), std::string::npos);
  EXPECT_NE(r.find("*32\r\n"), std::string::npos);
  EXPECT_NE(r.find(bulk("... (10 more arguments)")), std::string::npos) << r;
  // Commands of a block are logged one by one (and MULTI), EXEC is not.
  EXPECT_EQ(h.run({"SLOWLOG", "RESET"}), kOk);
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"INCR", "n"}), kQueued);
  EXPECT_EQ(h.run({"EXEC"}), arr(1) + integer(1));
  r = h.run({"SLOWLOG", "GET"});
  EXPECT_NE(r.find(bulk("INCR")), std::string::npos) << r;
  EXPECT_EQ(r.find(bulk("EXEC")), std::string::npos) << r;
  EXPECT_NE(r.find(bulk("MULTI")), std::string::npos) << r;
  EXPECT_EQ(h.run({"CONFIG", "SET", "slowlog-log-slower-than", "-1"}), kOk);
  EXPECT_EQ(h.run({"SLOWLOG", "RESET"}), kOk);
  EXPECT_EQ(h.run({"GET", "a"}), bulk("b"));
  EXPECT_EQ(h.run({"SLOWLOG", "LEN"}), integer(0));
}

}  // namespace
