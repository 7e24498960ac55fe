// SORT and SORT_RO through the dispatcher. Every expected reply is the raw RESP that
// redis-server 7.0.15 sent for the same command sequence (lists, sets, sorted sets; BY with and
// without '*', hash fields, GET #, LIMIT, ALPHA, DESC, STORE, numeric parsing, errors, key
// positions for COMMAND GETKEYS).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace stmkv_test {
namespace {

TEST(SortFamily, SequenceMatchesRedis) {
  Harness h;
  EXPECT_EQ(h.run({"rpush", "l", "3", "1", "2", "10", "-5", "1.5"}), ":6\r\n");
  EXPECT_EQ(h.run({"sort", "l"}),
            "*6\r\n$2\r\n-5\r\n$1\r\n1\r\n$3\r\n1.5\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n");
  EXPECT_EQ(h.run({"sort", "l", "desc"}),
            "*6\r\n$2\r\n10\r\n$1\r\n3\r\n$1\r\n2\r\n$3\r\n1.5\r\n$1\r\n1\r\n$2\r\n-5\r\n");
  EXPECT_EQ(h.run({"sort", "l", "alpha"}),
            "*6\r\n$2\r\n-5\r\n$1\r\n1\r\n$3\r\n1.5\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\n3\r\n");
  EXPECT_EQ(h.run({"sort", "l", "alpha", "desc"}),
            "*6\r\n$1\r\n3\r\n$1\r\n2\r\n$2\r\n10\r\n$3\r\n1.5\r\n$1\r\n1\r\n$2\r\n-5\r\n");
  EXPECT_EQ(h.run({"sort", "l", "limit", "1", "2"}), "*2\r\n$1\r\n1\r\n$3\r\n1.5\r\n");
  EXPECT_EQ(h.run({"sort", "l", "limit", "-3", "2"}), "*2\r\n$2\r\n-5\r\n$1\r\n1\r\n");
  EXPECT_EQ(h.run({"sort", "l", "limit", "4", "-1"}), "*2\r\n$1\r\n3\r\n$2\r\n10\r\n");
  EXPECT_EQ(h.run({"sort", "l", "limit", "10", "5"}), "*0\r\n");
  EXPECT_EQ(h.run({"sort", "l", "by", "nosort"}),
            "*6\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\n2\r\n$2\r\n10\r\n$2\r\n-5\r\n$3\r\n1.5\r\n");
  EXPECT_EQ(h.run({"sort", "l", "by", "nosort", "desc"}),
            "*6\r\n$3\r\n1.5\r\n$2\r\n-5\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n3\r\n");
  EXPECT_EQ(h.run({"sort", "l", "by", "nosort", "limit", "1", "3"}),
            "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$2\r\n10\r\n");
  EXPECT_EQ(h.run({"sort", "l", "by", "nosort", "limit", "1", "3", "desc"}),
            "*3\r\n$2\r\n-5\r\n$2\r\n10\r\n$1\r\n2\r\n");
  EXPECT_EQ(h.run({"mset", "w_3", "30", "w_1", "10", "w_2", "20", "w_10", "5", "w_-5", "0"}),
            "+OK\r\n");
  EXPECT_EQ(h.run({"sort", "l", "by", "w_*"}),
            "*6\r\n$2\r\n-5\r\n$3\r\n1.5\r\n$2\r\n10\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n");
  EXPECT_EQ(h.run({"sort", "l", "by", "w_*", "desc", "get", "#", "get", "w_*"}),
            "*12\r\n$1\r\n3\r\n$2\r\n30\r\n$1\r\n2\r\n$2\r\n20\r\n$1\r\n1\r\n$2\r\n10\r\n$"
            "2\r\n10\r\n$1\r\n5\r\n$3\r\n1.5\r\n$-1\r\n$2\r\n-5\r\n$1\r\n0\r\n");
  EXPECT_EQ(h.run({"sort", "l", "by", "w_*", "alpha"}),
            "*6\r\n$3\r\n1.5\r\n$2\r\n-5\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n");
  EXPECT_EQ(h.run({"hset", "h_1", "f", "one"}), ":1\r\n");
  EXPECT_EQ(h.run({"hset", "h_2", "f", "two", "g", "x"}), ":2\r\n");
  EXPECT_EQ(h.run({"sort", "l", "by", "h_*->f", "alpha", "get", "h_*->f", "get", "#"}),
            "*12\r\n$-1\r\n$1\r\n3\r\n$-1\r\n$2\r\n10\r\n$-1\r\n$2\r\n-5\r\n$-1\r\n$3\r\n1.5\r\n$"
            "3\r\none\r\n$1\r\n1\r\n$3\r\ntwo\r\n$1\r\n2\r\n");
  EXPECT_EQ(h.run({"sort", "l", "get", "h_*->g"}),
            "*6\r\n$-1\r\n$-1\r\n$-1\r\n$1\r\nx\r\n$-1\r\n$-1\r\n");
  EXPECT_EQ(h.run({"sort", "l", "get", "nostar"}),
            "*6\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n");
  EXPECT_EQ(h.run({"sort", "l", "by", "nosort", "get", "#", "get", "#"}),
            "*12\r\n$1\r\n3\r\n$1\r\n3\r\n$1\r\n1\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n2\r\n$2\r\n10\r\n$"
            "2\r\n10\r\n$2\r\n-5\r\n$2\r\n-5\r\n$3\r\n1.5\r\n$3\r\n1.5\r\n");
  EXPECT_EQ(h.run({"sort", "l", "limit", "0", "2", "store", "dst"}), ":2\r\n");
  EXPECT_EQ(h.run({"lrange", "dst", "0", "-1"}), "*2\r\n$2\r\n-5\r\n$1\r\n1\r\n");
  EXPECT_EQ(h.run({"type", "dst"}), "+list\r\n");
  EXPECT_EQ(h.run({"object", "encoding", "dst"}), "$9\r\nquicklist\r\n");
  EXPECT_EQ(h.run({"sort", "l", "get", "h_*->f", "store", "dst"}), ":6\r\n");
  EXPECT_EQ(h.run({"lrange", "dst", "0", "-1"}),
            "*6\r\n$0\r\n\r\n$3\r\none\r\n$0\r\n\r\n$3\r\ntwo\r\n$0\r\n\r\n$0\r\n\r\n");
  EXPECT_EQ(h.run({"sort", "l", "limit", "10", "1", "store", "dst"}), ":0\r\n");
  EXPECT_EQ(h.run({"exists", "dst"}), ":0\r\n");
  EXPECT_EQ(h.run({"set", "dst", "x"}), "+OK\r\n");
  EXPECT_EQ(h.run({"sort", "nokey", "store", "dst"}), ":0\r\n");
  EXPECT_EQ(h.run({"exists", "dst"}), ":0\r\n");
  EXPECT_EQ(h.run({"sort", "nokey"}), "*0\r\n");
  EXPECT_EQ(h.run({"sort", "l", "store", "l"}), ":6\r\n");
  EXPECT_EQ(h.run({"lrange", "l", "0", "-1"}),
            "*6\r\n$2\r\n-5\r\n$1\r\n1\r\n$3\r\n1.5\r\n$1\r\n2\r\n$1\r\n3\r\n$2\r\n10\r\n");
  EXPECT_EQ(h.run({"zadd", "z", "3", "c", "1", "a", "2", "b", "2", "bb"}), ":4\r\n");
  EXPECT_EQ(h.run({"sort", "z", "by", "nosort"}),
            "*4\r\n$1\r\na\r\n$1\r\nb\r\n$2\r\nbb\r\n$1\r\nc\r\n");
  EXPECT_EQ(h.run({"sort", "z", "by", "nosort", "desc"}),
            "*4\r\n$1\r\nc\r\n$2\r\nbb\r\n$1\r\nb\r\n$1\r\na\r\n");
  EXPECT_EQ(h.run({"sort", "z", "by", "nosort", "limit", "1", "2"}),
            "*2\r\n$1\r\nb\r\n$2\r\nbb\r\n");
  EXPECT_EQ(h.run({"sort", "z", "by", "nosort", "desc", "limit", "1", "2"}),
            "*2\r\n$2\r\nbb\r\n$1\r\nb\r\n");
  EXPECT_EQ(h.run({"sort", "z", "alpha"}), "*4\r\n$1\r\na\r\n$1\r\nb\r\n$2\r\nbb\r\n$1\r\nc\r\n");
  EXPECT_EQ(h.run({"sort", "z", "alpha", "desc", "limit", "0", "2"}),
            "*2\r\n$1\r\nc\r\n$2\r\nbb\r\n");
  EXPECT_EQ(h.run({"sort", "z"}), "-ERR One or more scores can't be converted into double\r\n");
  EXPECT_EQ(h.run({"sadd", "s", "5", "3", "9", "-1"}), ":4\r\n");
  EXPECT_EQ(h.run({"sort", "s"}), "*4\r\n$2\r\n-1\r\n$1\r\n3\r\n$1\r\n5\r\n$1\r\n9\r\n");
  EXPECT_EQ(h.run({"sort", "s", "by", "nosort"}),
            "*4\r\n$2\r\n-1\r\n$1\r\n3\r\n$1\r\n5\r\n$1\r\n9\r\n");
  EXPECT_EQ(h.run({"sort", "s", "desc"}), "*4\r\n$1\r\n9\r\n$1\r\n5\r\n$1\r\n3\r\n$2\r\n-1\r\n");
  EXPECT_EQ(h.run({"sadd", "sa", "b", "c", "a"}), ":3\r\n");
  EXPECT_EQ(h.run({"sort", "sa", "alpha"}), "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  EXPECT_EQ(h.run({"sort", "sa", "by", "nosort", "store", "d2"}), ":3\r\n");
  EXPECT_EQ(h.run({"lrange", "d2", "0", "-1"}), "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
  EXPECT_EQ(h.run({"sort", "sa", "by", "nosort", "desc", "store", "d2"}), ":3\r\n");
  EXPECT_EQ(h.run({"lrange", "d2", "0", "-1"}), "*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n");
  EXPECT_EQ(h.run({"rpush", "dup", "b", "a", "b", "a"}), ":4\r\n");
  EXPECT_EQ(h.run({"sort", "dup", "alpha"}), "*4\r\n$1\r\na\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nb\r\n");
  EXPECT_EQ(h.run({"rpush", "ties", "x", "y", "z"}), ":3\r\n");
  EXPECT_EQ(h.run({"mset", "wt_x", "1", "wt_y", "1", "wt_z", "0"}), "+OK\r\n");
  EXPECT_EQ(h.run({"sort", "ties", "by", "wt_*"}), "*3\r\n$1\r\nz\r\n$1\r\nx\r\n$1\r\ny\r\n");
  EXPECT_EQ(h.run({"sort", "ties", "by", "wt_*", "desc"}),
            "*3\r\n$1\r\ny\r\n$1\r\nx\r\n$1\r\nz\r\n");
  EXPECT_EQ(h.run({"sort", "ties", "by", "missing_*", "alpha"}),
            "*3\r\n$1\r\nx\r\n$1\r\ny\r\n$1\r\nz\r\n");
  EXPECT_EQ(h.run({"rpush", "nums", "1e2", "0x10", " 7", "inf", "-inf", ""}), ":6\r\n");
  EXPECT_EQ(h.run({"sort", "nums"}),
            "*6\r\n$4\r\n-inf\r\n$0\r\n\r\n$2\r\n 7\r\n$4\r\n0x10\r\n$3\r\n1e2\r\n$3\r\ninf\r\n");
  EXPECT_EQ(h.run({"rpush", "bad", "a", "1"}), ":2\r\n");
  EXPECT_EQ(h.run({"sort", "bad"}), "-ERR One or more scores can't be converted into double\r\n");
  EXPECT_EQ(h.run({"sort", "bad", "store", "bd"}),
            "-ERR One or more scores can't be converted into double\r\n");
  EXPECT_EQ(h.run({"exists", "bd"}), ":0\r\n");
  EXPECT_EQ(h.run({"sort", "bad", "by", "nosort"}), "*2\r\n$1\r\na\r\n$1\r\n1\r\n");
  EXPECT_EQ(h.run({"rpush", "nan", "nan"}), ":1\r\n");
  EXPECT_EQ(h.run({"sort", "nan"}), "-ERR One or more scores can't be converted into double\r\n");
  EXPECT_EQ(h.run({"sort", "l", "limit", "a", "b"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"sort", "l", "limit", "1"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"sort", "l", "foo"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"sort", "l", "by"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"sort", "l", "get"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"sort", "l", "store"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"sort_ro", "l", "store", "x"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"sort_ro", "l", "desc", "limit", "0", "3"}),
            "*3\r\n$2\r\n10\r\n$1\r\n3\r\n$1\r\n2\r\n");
  EXPECT_EQ(h.run({"sort_ro", "z", "by", "nosort", "get", "#"}),
            "*4\r\n$1\r\na\r\n$1\r\nb\r\n$2\r\nbb\r\n$1\r\nc\r\n");
  EXPECT_EQ(h.run({"set", "str", "x"}), "+OK\r\n");
  EXPECT_EQ(h.run({"sort", "str"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"hset", "hh", "a", "1"}), ":1\r\n");
  EXPECT_EQ(h.run({"sort", "hh"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"sort", "str", "foo"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"command", "getkeys", "sort", "l", "store", "a"}),
            "*2\r\n$1\r\nl\r\n$1\r\na\r\n");
  EXPECT_EQ(
      h.run({"command", "getkeys", "sort", "l", "limit", "0", "1", "store", "a", "store", "b"}),
      "*2\r\n$1\r\nl\r\n$1\r\nb\r\n");
  EXPECT_EQ(h.run({"command", "getkeys", "sort", "l", "get", "store", "b"}), "*1\r\n$1\r\nl\r\n");
  EXPECT_EQ(h.run({"command", "getkeys", "sort_ro", "l", "by", "x"}), "*1\r\n$1\r\nl\r\n");
  EXPECT_EQ(
      h.run({"command", "getkeysandflags", "sort", "l", "store", "a"}),
      "*2\r\n*2\r\n$1\r\nl\r\n*2\r\n+RO\r\n+access\r\n*2\r\n$1\r\na\r\n*2\r\n+OW\r\n+update\r\n");
}

TEST(SortFamily, StoreReplacesAndKeepsNoTtl) {
  Harness h;
  h.run({"rpush", "l", "2", "1"});
  h.run({"set", "dst", "old", "ex", "100"});
  EXPECT_EQ(h.run({"sort", "l", "store", "dst"}), integer(2));
  EXPECT_EQ(h.run({"ttl", "dst"}), integer(-1));
  EXPECT_EQ(h.run({"lrange", "dst", "0", "-1"}), "*2\r\n" + bulk("1") + bulk("2"));
}

TEST(SortFamily, BigListSortsNumerically) {
  Harness h;
  const int kN = 20000;
  std::vector<std::string> argv = {"rpush", "big"};
  for (int i = 0; i < kN; ++i) argv.push_back(std::to_string((i * 7919) % kN));
  h.run(argv);
  EXPECT_EQ(h.run({"sort", "big", "store", "sorted"}), integer(kN));
  EXPECT_EQ(h.run({"lindex", "sorted", "0"}), bulk("0"));
  EXPECT_EQ(h.run({"lindex", "sorted", "-1"}), bulk(std::to_string(kN - 1)));
  EXPECT_EQ(h.run({"sort", "big", "desc", "limit", "0", "3"}),
            "*3\r\n" + bulk(std::to_string(kN - 1)) + bulk(std::to_string(kN - 2)) +
                bulk(std::to_string(kN - 3)));
}

TEST(SortFamily, BigZsetByNosortKeepsScoreOrder) {
  Harness h;
  std::vector<std::string> argv = {"zadd", "z"};
  for (int i = 0; i < 1000; ++i) {
    argv.push_back(std::to_string(999 - i));
    argv.push_back("m" + std::to_string(i));
  }
  h.run(argv);
  EXPECT_EQ(h.run({"object", "encoding", "z"}), bulk("skiplist"));
  EXPECT_EQ(h.run({"sort", "z", "by", "nosort", "limit", "0", "2"}),
            "*2\r\n" + bulk("m999") + bulk("m998"));
  EXPECT_EQ(h.run({"sort", "z", "by", "nosort", "desc", "limit", "1", "2"}),
            "*2\r\n" + bulk("m1") + bulk("m2"));
}

TEST(SortFamily, InsideMulti) {
  Harness h;
  h.run({"rpush", "l", "3", "1", "2"});
  EXPECT_EQ(h.run({"multi"}), kOk);
  EXPECT_EQ(h.run({"sort", "l", "store", "l"}), "+QUEUED\r\n");
  EXPECT_EQ(h.run({"lrange", "l", "0", "-1"}), "+QUEUED\r\n");
  EXPECT_EQ(h.run({"exec"}), "*2\r\n:3\r\n*3\r\n" + bulk("1") + bulk("2") + bulk("3"));
}

// SORT ... STORE on one worker while clients on other workers push: every stored result is a
// sorted snapshot of the list (one transaction), and the last one holds every element.
TEST(SortFamily, ConcurrentPushAndSortStore) {
  constexpr int kPushers = 3, kPushes = 400;
  Harness h(kPushers + 1, kPushers + 1);
  std::vector<std::thread> threads;
  for (int t = 0; t < kPushers; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPushes; ++i) h.run({"rpush", "l", std::to_string(i * kPushers + t)}, t);
    });
  }
  bool ok = true;
  for (int round = 0; round < 50 && ok; ++round) {
    std::string r = h.run({"sort", "l", "store", "d"}, kPushers);
    std::string all = h.run({"lrange", "d", "0", "-1"}, kPushers);
    // Parse the bulk strings and check their order.
    long long prev = -1, n = 0;
    for (size_t pos = all.find("\r\n$"); pos != std::string::npos;
         pos = all.find("\r\n$", pos + 1)) {
      size_t start = all.find("\r\n", pos + 2) + 2;
      long long v = std::atoll(all.c_str() + start);
      ok = ok && v > prev;
      prev = v;
      ++n;
    }
    if (r[0] == ':') ok = ok && std::atoll(r.c_str() + 1) == n;
  }
  for (auto& th : threads) th.join();
  EXPECT_TRUE(ok);
  EXPECT_EQ(h.run({"sort", "l", "store", "d"}), integer(kPushers * kPushes));
  EXPECT_EQ(h.run({"lindex", "d", "-1"}), bulk(std::to_string(kPushers * kPushes - 1)));
}

// As Redis 7.0, SORT and SORT_RO convert a listpack sorted set to a skiplist, without marking
// the key modified: a WATCH on it still holds.
TEST(SortFamily, ZsetConvertedToSkiplistWithoutTouchingWatch) {
  Harness h;
  h.run({"zadd", "z", "1", "a", "2", "b"});
  EXPECT_EQ(h.run({"object", "encoding", "z"}), bulk("listpack"));
  EXPECT_EQ(h.run({"watch", "z"}, 0), kOk);
  EXPECT_EQ(h.run({"sort_ro", "z", "alpha"}, 1), "*2\r\n" + bulk("a") + bulk("b"));
  EXPECT_EQ(h.run({"object", "encoding", "z"}), bulk("skiplist"));
  EXPECT_EQ(h.run({"multi"}, 0), kOk);
  EXPECT_EQ(h.run({"zcard", "z"}, 0), "+QUEUED\r\n");
  EXPECT_EQ(h.run({"exec"}, 0), "*1\r\n:2\r\n");
  EXPECT_EQ(h.run({"zrange", "z", "0", "-1", "withscores"}),
            "*4\r\n" + bulk("a") + bulk("1") + bulk("b") + bulk("2"));
  EXPECT_EQ(h.run({"zadd", "z", "3", "c"}), integer(1));
  EXPECT_EQ(h.run({"sort", "z", "by", "nosort"}), "*3\r\n" + bulk("a") + bulk("b") + bulk("c"));
}

// A user without access to every key may not use BY patterns or GET (their keys cannot be checked
// one by one), and the STORE destination is checked as a key (Redis 7.0's texts).
TEST(SortFamily, AclRestrictsPatternsAndStore) {
  Harness h;
  EXPECT_EQ(h.run({"acl", "setuser", "su", "on", "nopass", "~a*", "+@all"}), kOk);
  EXPECT_EQ(h.run({"rpush", "a", "2", "1"}), integer(2));
  EXPECT_EQ(h.run({"auth", "su", "x"}, 1), kOk);
  EXPECT_EQ(h.run({"sort", "a", "by", "w_*"}, 1),
            error("ERR BY option of SORT denied due to insufficient ACL permissions."));
  EXPECT_EQ(h.run({"sort_ro", "a", "get", "#"}, 1),
            error("ERR GET option of SORT denied due to insufficient ACL permissions."));
  EXPECT_EQ(h.run({"sort", "a", "by", "nosort"}, 1), "*2\r\n" + bulk("2") + bulk("1"));
  EXPECT_EQ(h.run({"sort", "a", "store", "a2"}, 1), integer(2));
  EXPECT_EQ(h.run({"sort", "a", "store", "b2"}, 1),
            error("NOPERM this user has no permissions to access one of the keys used as "
                  "arguments"));
  EXPECT_EQ(h.run({"sort", "a", "by", "w_*", "get", "#"}, 0), "*2\r\n" + bulk("1") + bulk("2"));
}

}  // namespace
}  // namespace stmkv_test
