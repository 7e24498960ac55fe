// Tests of the hash family through the command dispatcher. Expected replies were taken from
// redis-server 7.0.15 (the same commands run against it).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace {

using namespace stmkv_test;

std::string arr(const std::vector<std::string>& items) {
  std::string s = "*" + std::to_string(items.size()) + "\r\n";
  for (const std::string& i : items) s += bulk(i);
  return s;
}

const std::string kWrongType =
    error("WRONGTYPE Operation against a key holding the wrong kind of value");

// Parses a flat RESP2 array of bulk strings (no nesting).
std::vector<std::string> parse_bulks(const std::string& r) {
  std::vector<std::string> out;
  size_t p = r.find("\r\n") + 2;
  while (p < r.size()) {
    if (r[p] == '*') {  // a nested header: skip it
      p = r.find("\r\n", p) + 2;
      continue;
    }
    size_t e = r.find("\r\n", p);
    size_t len = std::stoul(r.substr(p + 1, e - p - 1));
    out.push_back(r.substr(e + 2, len));
    p = e + 2 + len + 2;
  }
  return out;
}

TEST(HashFamily, SetGetBasics) {
  Harness h;
  EXPECT_EQ(h.run({"HSET", "h", "a", "1", "b"}),
            error("ERR wrong number of arguments for 'hset' command"));
  EXPECT_EQ(h.run({"HSET", "h", "a", "1", "b", "2"}), integer(2));
  EXPECT_EQ(h.run({"HSET", "h", "a", "10", "c", "3"}), integer(1));
  EXPECT_EQ(h.run({"HSETNX", "h", "a", "x"}), integer(0));
  EXPECT_EQ(h.run({"HSETNX", "h", "d", "4"}), integer(1));
  EXPECT_EQ(h.run({"HGET", "h", "a"}), bulk("10"));
  EXPECT_EQ(h.run({"HGET", "h", "zz"}), kNil);
  EXPECT_EQ(h.run({"HGET", "nokey", "a"}), kNil);
  EXPECT_EQ(h.run({"HMSET", "h", "e", "5"}), kOk);
  EXPECT_EQ(h.run({"HMSET", "h", "e"}), error("ERR wrong number of arguments for 'hmset' command"));
  EXPECT_EQ(h.run({"HMGET", "h", "a", "zz", "e"}), "*3\r\n" + bulk("10") + kNil + bulk("5"));
  EXPECT_EQ(h.run({"HMGET", "nokey", "a"}), "*1\r\n" + kNil);
  EXPECT_EQ(h.run({"HLEN", "h"}), integer(5));
  EXPECT_EQ(h.run({"HLEN", "nokey"}), integer(0));
  EXPECT_EQ(h.run({"HSTRLEN", "h", "a"}), integer(2));
  EXPECT_EQ(h.run({"HSTRLEN", "h", "zz"}), integer(0));
  EXPECT_EQ(h.run({"HEXISTS", "h", "a"}), integer(1));
  EXPECT_EQ(h.run({"HEXISTS", "h", "zz"}), integer(0));
  // Listpack order is insertion order (Redis's).
  EXPECT_EQ(h.run({"HKEYS", "h"}), arr({"a", "b", "c", "d", "e"}));
  EXPECT_EQ(h.run({"HVALS", "h"}), arr({"10", "2", "3", "4", "5"}));
  EXPECT_EQ(h.run({"HGETALL", "h"}), arr({"a", "10", "b", "2", "c", "3", "d", "4", "e", "5"}));
  EXPECT_EQ(h.run({"HGETALL", "nokey"}), "*0\r\n");
  EXPECT_EQ(h.run({"HDEL", "h", "a", "zz", "c"}), integer(2));
  EXPECT_EQ(h.run({"HKEYS", "h"}), arr({"b", "d", "e"}));
  EXPECT_EQ(h.run({"TYPE", "h"}), "+hash\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "h"}), bulk("listpack"));
  EXPECT_EQ(h.run({"HDEL", "h", "b", "d", "e"}), integer(3));
  EXPECT_EQ(h.run({"EXISTS", "h"}), integer(0));  // an emptied hash is deleted
  EXPECT_EQ(h.run({"HDEL", "h", "b"}), integer(0));
}

TEST(HashFamily, Resp3) {
  Harness h;
  h.client(0).resp = 3;
  EXPECT_EQ(h.run({"HSET", "h", "a", "1"}), integer(1));
  EXPECT_EQ(h.run({"HGETALL", "h"}), "%1\r\n" + bulk("a") + bulk("1"));
  EXPECT_EQ(h.run({"HGETALL", "nokey"}), "%0\r\n");
  EXPECT_EQ(h.run({"HGET", "h", "x"}), "_\r\n");
  EXPECT_EQ(h.run({"HRANDFIELD", "h", "-2", "WITHVALUES"}),
            "*2\r\n*2\r\n" + bulk("a") + bulk("1") + "*2\r\n" + bulk("a") + bulk("1"));
}

TEST(HashFamily, Errors) {
  Harness h;
  EXPECT_EQ(h.run({"SET", "s", "x"}), kOk);
  for (std::vector<std::string> cmd :
       std::vector<std::vector<std::string>>{{"HSET", "s", "a", "1"},
                                             {"HSETNX", "s", "a", "1"},
                                             {"HGET", "s", "a"},
                                             {"HMGET", "s", "a"},
                                             {"HDEL", "s", "a"},
                                             {"HLEN", "s"},
                                             {"HSTRLEN", "s", "a"},
                                             {"HEXISTS", "s", "a"},
                                             {"HKEYS", "s"},
                                             {"HVALS", "s"},
                                             {"HGETALL", "s"},
                                             {"HINCRBY", "s", "a", "1"},
                                             {"HINCRBYFLOAT", "s", "a", "1"},
                                             {"HRANDFIELD", "s"},
                                             {"HSCAN", "s", "0"}}) {
    EXPECT_EQ(h.run(cmd), kWrongType) << cmd[0];
  }
  EXPECT_EQ(h.run({"HINCRBY", "h", "a", "x"}),
            error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"HINCRBYFLOAT", "h", "a", "abc"}), error("ERR value is not a valid float"));
  EXPECT_EQ(h.run({"HINCRBYFLOAT", "h", "a", "inf"}), error("ERR value is NaN or Infinity"));
  EXPECT_EQ(h.run({"HINCRBYFLOAT", "s", "a", "abc"}), error("ERR value is not a valid float"));
  EXPECT_EQ(h.run({"HSET", "h", "f", "1.5", "s", "abc"}), integer(2));
  EXPECT_EQ(h.run({"HINCRBY", "h", "f", "1"}), error("ERR hash value is not an integer"));
  EXPECT_EQ(h.run({"HINCRBYFLOAT", "h", "s", "1"}), error("ERR hash value is not a float"));
  EXPECT_EQ(h.run({"HINCRBY", "h", "b", "9223372036854775807"}), integer(9223372036854775807LL));
  EXPECT_EQ(h.run({"HINCRBY", "h", "b", "1"}), error("ERR increment or decrement would overflow"));
  EXPECT_EQ(h.run({"HRANDFIELD", "h", "x"}), error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"HRANDFIELD", "h", "1", "withvalue"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"HRANDFIELD", "h", "1", "withvalues", "x"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"HRANDFIELD", "h", "-9223372036854775808"}),
            error("ERR value is out of range, value must between -9223372036854775807 and "
                  "9223372036854775807"));
  EXPECT_EQ(h.run({"HRANDFIELD", "nokey", "4611686018427387904", "WITHVALUES"}),
            error("ERR value is out of range"));
  EXPECT_EQ(h.run({"HRANDFIELD", "s", "4611686018427387903", "WITHVALUES"}), kWrongType);
  EXPECT_EQ(h.run({"HSCAN", "h", "x"}), error("ERR invalid cursor"));
  EXPECT_EQ(h.run({"HSCAN", "h", "0", "count", "0"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"HSCAN", "h", "0", "type", "string"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"HSCAN", "nokey", "0", "count", "0"}), "*2\r\n" + bulk("0") + "*0\r\n");
}

TEST(HashFamily, IncrByAndFloat) {
  Harness h;
  EXPECT_EQ(h.run({"HINCRBY", "h", "a", "5"}), integer(5));
  EXPECT_EQ(h.run({"HINCRBY", "h", "a", "-7"}), integer(-2));
  EXPECT_EQ(h.run({"HINCRBYFLOAT", "h", "f", "1.5"}), bulk("1.5"));
  EXPECT_EQ(h.run({"HINCRBYFLOAT", "h", "f", "2.50"}), bulk("4"));
  EXPECT_EQ(h.run({"HINCRBYFLOAT", "h", "a", "0.1"}), bulk("-1.9"));
  EXPECT_EQ(h.run({"HINCRBYFLOAT", "h", "g", "1e308"}).substr(0, 8), "$308\r\n99");
  // A value longer than hash-max-listpack-value converts to a hashtable (as Redis 7.0).
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "h"}), bulk("hashtable"));
  EXPECT_EQ(h.run({"HINCRBYFLOAT", "h", "g", "1e308"}).substr(0, 6), "$309\r\n");
  EXPECT_EQ(h.run({"HGET", "h", "a"}), bulk("-1.9"));
}

TEST(HashFamily, EncodingConversion) {
  Harness h;
  std::string big(65, 'x');
  EXPECT_EQ(h.run({"HSET", "h1", big, "1"}), integer(1));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "h1"}), bulk("hashtable"));
  EXPECT_EQ(h.run({"HSET", "h2", "a", std::string(64, 'y')}), integer(1));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "h2"}), bulk("listpack"));
  EXPECT_EQ(h.run({"HSETNX", "h2", "a", big}), integer(0));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "h2"}), bulk("listpack"));
  EXPECT_EQ(h.run({"HINCRBY", "h2", big, "1"}), integer(1));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "h2"}), bulk("hashtable"));
  for (int i = 0; i < 512; ++i) {
    EXPECT_EQ(h.run({"HSET", "h3", "f" + std::to_string(i), "v"}), integer(1));
  }
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "h3"}), bulk("listpack"));
  EXPECT_EQ(h.run({"HSET", "h3", "f512", "v"}), integer(1));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "h3"}), bulk("hashtable"));
  EXPECT_EQ(h.run({"HLEN", "h3"}), integer(513));
  // Never converts back.
  for (int i = 0; i < 510; ++i) h.run({"HDEL", "h3", "f" + std::to_string(i)});
  EXPECT_EQ(h.run({"HLEN", "h3"}), integer(3));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "h3"}), bulk("hashtable"));
  std::vector<std::string> keys = parse_bulks(h.run({"HKEYS", "h3"}));
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"f510", "f511", "f512"}));
  // Generic commands on both encodings: COPY, RENAME, DEL.
  EXPECT_EQ(h.run({"COPY", "h3", "c3"}), integer(1));
  EXPECT_EQ(h.run({"COPY", "h2", "c2"}), integer(1));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "c3"}), bulk("hashtable"));
  EXPECT_EQ(h.run({"HDEL", "h3", "f510", "f511", "f512"}), integer(3));
  EXPECT_EQ(h.run({"EXISTS", "h3"}), integer(0));
  EXPECT_EQ(h.run({"HLEN", "c3"}), integer(3));
  EXPECT_EQ(h.run({"HGET", "c2", "a"}), bulk(std::string(64, 'y')));
  EXPECT_EQ(h.run({"RENAME", "c3", "r3"}), kOk);
  EXPECT_EQ(h.run({"HGET", "r3", "f511"}), bulk("v"));
  EXPECT_EQ(h.run({"DEL", "r3", "c2", "h1", "h2"}), integer(4));
  EXPECT_EQ(h.run({"DBSIZE"}), integer(0));
}

TEST(HashFamily, RandFieldAndScan) {
  Harness h;
  EXPECT_EQ(h.run({"HRANDFIELD", "nokey"}), kNil);
  EXPECT_EQ(h.run({"HRANDFIELD", "nokey", "3"}), "*0\r\n");
  EXPECT_EQ(h.run({"HSET", "h", "a", "1", "b", "2", "c", "3"}), integer(3));
  EXPECT_EQ(h.run({"HRANDFIELD", "h", "0"}), "*0\r\n");
  EXPECT_EQ(h.run({"HRANDFIELD", "h", "5"}), arr({"a", "b", "c"}));
  EXPECT_EQ(h.run({"HRANDFIELD", "h", "5", "WITHVALUES"}), arr({"a", "1", "b", "2", "c", "3"}));
  std::vector<std::string> two = parse_bulks(h.run({"HRANDFIELD", "h", "2"}));
  ASSERT_EQ(two.size(), 2u);
  EXPECT_NE(two[0], two[1]);
  std::vector<std::string> rep = parse_bulks(h.run({"HRANDFIELD", "h", "-10", "WITHVALUES"}));
  ASSERT_EQ(rep.size(), 20u);
  for (size_t i = 0; i < rep.size(); i += 2) {
    EXPECT_EQ(h.run({"HGET", "h", rep[i]}), bulk(rep[i + 1]));
  }
  EXPECT_EQ(h.run({"HSCAN", "h", "0", "MATCH", "[ab]"}),
            "*2\r\n" + bulk("0") + arr({"a", "1", "b", "2"}));
  // A hashtable: the cursor visits every field exactly once over a full iteration.
  for (int i = 0; i < 1000; ++i) h.run({"HSET", "big", "f" + std::to_string(i), "v"});
  std::vector<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    std::vector<std::string> r = parse_bulks(h.run({"HSCAN", "big", cursor, "COUNT", "50"}));
    cursor = r[0];
    for (size_t i = 1; i < r.size(); i += 2) seen.push_back(r[i]);
    ++calls;
  } while (cursor != "0");
  EXPECT_GT(calls, 5);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end());
  std::vector<std::string> r3 = parse_bulks(h.run({"HRANDFIELD", "big", "300"}));
  std::sort(r3.begin(), r3.end());
  EXPECT_EQ(r3.size(), 300u);
  EXPECT_EQ(std::unique(r3.begin(), r3.end()), r3.end());
}

// WATCH sees in-place writes to a hashtable hash (which leave Entry::version alone).
TEST(HashFamily, WatchSeesInPlaceWrites) {
  Harness h;
  for (int i = 0; i < 600; ++i) h.run({"HSET", "big", "f" + std::to_string(i), "v"});
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "big"}), bulk("hashtable"));
  for (std::vector<std::string> write :
       std::vector<std::vector<std::string>>{{"HSET", "big", "new", "1"},
                                             {"HSET", "big", "f1", "changed"},
                                             {"HINCRBY", "big", "new", "1"},
                                             {"HDEL", "big", "f2"},
                                             {"HSETNX", "big", "nx", "1"}}) {
    EXPECT_EQ(h.run({"WATCH", "big"}), kOk);
    h.run(write, 1);
    EXPECT_EQ(h.run({"MULTI"}), kOk);
    EXPECT_EQ(h.run({"HGET", "big", "f1"}), "+QUEUED\r\n");
    EXPECT_EQ(h.run({"EXEC"}), "*-1\r\n") << write[0];
  }
  EXPECT_EQ(h.run({"WATCH", "big"}), kOk);
  h.run({"HGET", "big", "f1"}, 1);
  h.run({"HSETNX", "big", "nx", "2"}, 1);  // no change
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"HGET", "big", "f1"}), "+QUEUED\r\n");
  EXPECT_EQ(h.run({"EXEC"}), "*1\r\n" + bulk("changed"));
}

// HINCRBY from 4 clients on 4 workers: on different fields of one big hash and on one field;
// the sums are exact.
TEST(HashFamily, ConcurrentIncrBy) {
  constexpr int kThreads = 4, kIncrs = 3000;
  Harness h(kThreads, kThreads);
  for (int i = 0; i < 600; ++i) h.run({"HSET", "h", "pad" + std::to_string(i), "x"});
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "h"}), bulk("hashtable"));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIncrs; ++i) {
        h.run({"HINCRBY", "h", "own" + std::to_string(t), "1"}, t);
        h.run({"HINCRBY", "h", "shared", "2"}, t);
        h.run({"HINCRBY", "small", "shared", "1"}, t);
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(h.run({"HGET", "h", "own" + std::to_string(t)}), bulk(std::to_string(kIncrs)));
  }
  EXPECT_EQ(h.run({"HGET", "h", "shared"}), bulk(std::to_string(2 * kThreads * kIncrs)));
  EXPECT_EQ(h.run({"HGET", "small", "shared"}), bulk(std::to_string(kThreads * kIncrs)));
  EXPECT_EQ(h.run({"HLEN", "h"}), integer(600 + kThreads + 1));
}

}  // namespace
