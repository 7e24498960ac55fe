// Tests of the set family through the command dispatcher. Expected replies were taken from
// redis-server 7.0.15 (the same commands run against it); where Redis's order is unspecified
// (hashtable sets) the members are compared sorted.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
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

// The bulk strings of a flat RESP2 array (nested headers skipped).
std::vector<std::string> parse_bulks(const std::string& r) {
  std::vector<std::string> out;
  size_t p = r.find("\r\n") + 2;
  while (p < r.size()) {
    if (r[p] == '*') {
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

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(SetFamily, AddRemMembers) {
  Harness h;
  EXPECT_EQ(h.run({"SADD", "s", "3", "1", "2", "1"}), integer(3));
  EXPECT_EQ(h.run({"SMEMBERS", "s"}), arr({"1", "2", "3"}));  // intset: sorted
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "s"}), bulk("intset"));
  EXPECT_EQ(h.run({"TYPE", "s"}), "+set\r\n");
  EXPECT_EQ(h.run({"SADD", "s", "a"}), integer(1));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "s"}), bulk("hashtable"));
  EXPECT_EQ(sorted(parse_bulks(h.run({"SMEMBERS", "s"}))),
            (std::vector<std::string>{"1", "2", "3", "a"}));
  EXPECT_EQ(h.run({"SCARD", "s"}), integer(4));
  EXPECT_EQ(h.run({"SISMEMBER", "s", "a"}), integer(1));
  EXPECT_EQ(h.run({"SISMEMBER", "s", "b"}), integer(0));
  EXPECT_EQ(h.run({"SMISMEMBER", "s", "a", "b", "3"}), "*3\r\n:1\r\n:0\r\n:1\r\n");
  EXPECT_EQ(h.run({"SMISMEMBER", "nokey", "a"}), "*1\r\n:0\r\n");
  EXPECT_EQ(h.run({"SMISMEMBER", "s"}),
            error("ERR wrong number of arguments for 'smismember' command"));
  EXPECT_EQ(h.run({"SREM", "s", "a", "b", "1"}), integer(2));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "s"}), bulk("hashtable"));  // never converts back
  EXPECT_EQ(h.run({"SREM", "s", "2", "3"}), integer(2));
  EXPECT_EQ(h.run({"EXISTS", "s"}), integer(0));
  EXPECT_EQ(h.run({"SREM", "s", "2"}), integer(0));
  EXPECT_EQ(h.run({"SCARD", "s"}), integer(0));
  EXPECT_EQ(h.run({"SMEMBERS", "s"}), "*0\r\n");
  EXPECT_EQ(h.run({"SADD", "t", "1", "x", "3"}), integer(3));
  EXPECT_EQ(h.run({"SADD", "t", "1", "2", "3", "x", "2"}), integer(1));  // old members again
  EXPECT_EQ(h.run({"SCARD", "t"}), integer(4));
  EXPECT_EQ(h.run({"SADD", "i", "012"}), integer(1));  // not a canonical integer
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "i"}), bulk("hashtable"));
  EXPECT_EQ(h.run({"SADD", "n", "-5", "9223372036854775807", "-9223372036854775808"}), integer(3));
  EXPECT_EQ(h.run({"SMEMBERS", "n"}), arr({"-9223372036854775808", "-5", "9223372036854775807"}));
  EXPECT_EQ(h.run({"SISMEMBER", "n", "-5"}), integer(1));
  EXPECT_EQ(h.run({"SISMEMBER", "n", "x"}), integer(0));
}

TEST(SetFamily, Errors) {
  Harness h;
  EXPECT_EQ(h.run({"SET", "str", "x"}), kOk);
  EXPECT_EQ(h.run({"SADD", "s", "1", "2", "3"}), integer(3));
  for (std::vector<std::string> cmd :
       std::vector<std::vector<std::string>>{{"SADD", "str", "a"},
                                             {"SREM", "str", "a"},
                                             {"SMEMBERS", "str"},
                                             {"SISMEMBER", "str", "a"},
                                             {"SMISMEMBER", "str", "a"},
                                             {"SCARD", "str"},
                                             {"SPOP", "str"},
                                             {"SRANDMEMBER", "str"},
                                             {"SMOVE", "str", "s", "a"},
                                             {"SMOVE", "s", "str", "1"},
                                             {"SINTER", "s", "str"},
                                             {"SINTER", "nokey", "str"},
                                             {"SUNION", "str"},
                                             {"SDIFF", "nokey", "str"},
                                             {"SINTERSTORE", "d", "str"},
                                             {"SINTERCARD", "1", "str"},
                                             {"SSCAN", "str", "0"}}) {
    EXPECT_EQ(h.run(cmd), kWrongType) << cmd[0];
  }
  EXPECT_EQ(h.run({"SMOVE", "nokey", "str", "a"}), integer(0));
  EXPECT_EQ(h.run({"SPOP", "s", "-1"}), error("ERR value is out of range, must be positive"));
  EXPECT_EQ(h.run({"SPOP", "s", "x"}), error("ERR value is out of range, must be positive"));
  EXPECT_EQ(h.run({"SPOP", "s", "1", "2"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"SRANDMEMBER", "s", "x"}), error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"SRANDMEMBER", "s", "-9223372036854775808"}),
            error("ERR value is out of range, value must between -9223372036854775807 and "
                  "9223372036854775807"));
  EXPECT_EQ(h.run({"SINTERCARD", "0", "s"}), error("ERR numkeys should be greater than 0"));
  EXPECT_EQ(h.run({"SINTERCARD", "x", "s"}), error("ERR numkeys should be greater than 0"));
  EXPECT_EQ(h.run({"SINTERCARD", "3", "s"}),
            error("ERR Number of keys can't be greater than number of args"));
  EXPECT_EQ(h.run({"SINTERCARD", "1", "s", "limit", "-1"}), error("ERR LIMIT can't be negative"));
  EXPECT_EQ(h.run({"SINTERCARD", "1", "s", "limit", "x"}), error("ERR LIMIT can't be negative"));
  EXPECT_EQ(h.run({"SINTERCARD", "1", "s", "limit"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"SINTERCARD", "1", "s", "foo", "1"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"SSCAN", "s", "x"}), error("ERR invalid cursor"));
  EXPECT_EQ(h.run({"SSCAN", "s", "0", "count", "0"}), error("ERR syntax error"));
}

TEST(SetFamily, PopRandMove) {
  Harness h;
  EXPECT_EQ(h.run({"SPOP", "nokey"}), kNil);
  EXPECT_EQ(h.run({"SPOP", "nokey", "2"}), "*0\r\n");
  EXPECT_EQ(h.run({"SRANDMEMBER", "nokey"}), kNil);
  EXPECT_EQ(h.run({"SRANDMEMBER", "nokey", "3"}), "*0\r\n");
  EXPECT_EQ(h.run({"SADD", "s", "1", "2", "3", "4", "5"}), integer(5));
  EXPECT_EQ(h.run({"SPOP", "s", "0"}), "*0\r\n");
  EXPECT_EQ(h.run({"SRANDMEMBER", "s", "0"}), "*0\r\n");
  EXPECT_EQ(h.run({"SRANDMEMBER", "s", "10"}), arr({"1", "2", "3", "4", "5"}));
  std::vector<std::string> r = parse_bulks(h.run({"SRANDMEMBER", "s", "3"}));
  EXPECT_EQ(std::set<std::string>(r.begin(), r.end()).size(), 3u);
  r = parse_bulks(h.run({"SRANDMEMBER", "s", "-20"}));
  EXPECT_EQ(r.size(), 20u);
  std::vector<std::string> popped = parse_bulks(h.run({"SPOP", "s", "2"}));
  EXPECT_EQ(popped.size(), 2u);
  EXPECT_EQ(h.run({"SCARD", "s"}), integer(3));
  for (const std::string& m : popped) EXPECT_EQ(h.run({"SISMEMBER", "s", m}), integer(0));
  std::string one = parse_bulks("*1\r\n" + h.run({"SPOP", "s"}))[0];
  EXPECT_EQ(h.run({"SISMEMBER", "s", one}), integer(0));
  EXPECT_EQ(h.run({"SPOP", "s", "10"}).substr(0, 4), "*2\r\n");
  EXPECT_EQ(h.run({"EXISTS", "s"}), integer(0));
  // SPOP leaving few members builds a new set: an intset when they are all integers.
  for (int i = 0; i < 200; ++i) h.run({"SADD", "m", std::to_string(i)});
  EXPECT_EQ(h.run({"SADD", "m", "x"}), integer(1));
  EXPECT_EQ(h.run({"SPOP", "m", "190"}).substr(0, 6), "*190\r\n");
  EXPECT_EQ(h.run({"SCARD", "m"}), integer(11));
  // SMOVE
  EXPECT_EQ(h.run({"SADD", "a", "x", "y"}), integer(2));
  EXPECT_EQ(h.run({"SMOVE", "a", "b", "x"}), integer(1));
  EXPECT_EQ(h.run({"SMOVE", "a", "b", "x"}), integer(0));
  EXPECT_EQ(h.run({"SMOVE", "a", "a", "y"}), integer(1));
  EXPECT_EQ(h.run({"SMOVE", "a", "a", "x"}), integer(0));
  EXPECT_EQ(h.run({"SMOVE", "a", "b", "y"}), integer(1));
  EXPECT_EQ(h.run({"EXISTS", "a"}), integer(0));
  EXPECT_EQ(sorted(parse_bulks(h.run({"SMEMBERS", "b"}))), (std::vector<std::string>{"x", "y"}));
}

TEST(SetFamily, Algebra) {
  Harness h;
  h.run({"SADD", "i1", "1", "2", "3", "4"});
  h.run({"SADD", "i2", "3", "4", "5"});
  h.run({"SADD", "s1", "a", "b", "3"});
  EXPECT_EQ(h.run({"SINTER", "i1", "i2"}), arr({"3", "4"}));
  EXPECT_EQ(h.run({"SINTER", "i1", "nokey"}), "*0\r\n");
  EXPECT_EQ(h.run({"SUNION", "i1", "i2"}), arr({"1", "2", "3", "4", "5"}));
  EXPECT_EQ(h.run({"SDIFF", "i1", "i2"}), arr({"1", "2"}));
  EXPECT_EQ(h.run({"SDIFF", "nokey", "i2"}), "*0\r\n");
  EXPECT_EQ(h.run({"SINTER", "i1", "s1"}), arr({"3"}));
  EXPECT_EQ(sorted(parse_bulks(h.run({"SUNION", "s1", "i2"}))),
            (std::vector<std::string>{"3", "4", "5", "a", "b"}));
  EXPECT_EQ(h.run({"SINTERCARD", "2", "i1", "i2"}), integer(2));
  EXPECT_EQ(h.run({"SINTERCARD", "2", "i1", "i2", "LIMIT", "1"}), integer(1));
  EXPECT_EQ(h.run({"SINTERCARD", "2", "i1", "nokey"}), integer(0));
  EXPECT_EQ(h.run({"SINTERSTORE", "d", "i1", "i2"}), integer(2));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "d"}), bulk("intset"));
  EXPECT_EQ(h.run({"SUNIONSTORE", "d", "s1", "i1"}), integer(6));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "d"}), bulk("hashtable"));
  EXPECT_EQ(h.run({"SDIFFSTORE", "d", "s1", "i1"}), integer(2));
  EXPECT_EQ(sorted(parse_bulks(h.run({"SMEMBERS", "d"}))), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(h.run({"SET", "str", "x"}), kOk);
  EXPECT_EQ(h.run({"EXPIRE", "str", "100"}), integer(1));
  EXPECT_EQ(h.run({"SUNIONSTORE", "str", "i2"}), integer(3));  // overwrites any type, no TTL
  EXPECT_EQ(h.run({"TTL", "str"}), integer(-1));
  EXPECT_EQ(h.run({"SINTERSTORE", "str", "nokey", "i1"}), integer(0));
  EXPECT_EQ(h.run({"EXISTS", "str"}), integer(0));
}

TEST(SetFamily, BigSetAndScan) {
  Harness h;
  // Conversions: intset -> hashtable above set-max-intset-entries (512).
  for (int i = 0; i < 512; ++i) h.run({"SADD", "s", std::to_string(i)});
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "s"}), bulk("intset"));
  EXPECT_EQ(h.run({"SADD", "s", "512"}), integer(1));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "s"}), bulk("hashtable"));
  std::vector<std::string> seen;
  std::string cursor = "0";
  do {
    std::vector<std::string> r = parse_bulks(h.run({"SSCAN", "s", cursor, "COUNT", "20"}));
    cursor = r[0];
    seen.insert(seen.end(), r.begin() + 1, r.end());
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), 513u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 513u);
  EXPECT_EQ(h.run({"SSCAN", "nokey", "0"}), "*2\r\n" + bulk("0") + "*0\r\n");
  h.run({"SADD", "small", "a", "b", "c"});
  EXPECT_EQ(sorted(parse_bulks(h.run({"SSCAN", "small", "0", "MATCH", "[ab]"}))),
            (std::vector<std::string>{"0", "a", "b"}));
  // COPY and DEL of a big set.
  EXPECT_EQ(h.run({"COPY", "s", "c"}), integer(1));
  EXPECT_EQ(h.run({"DEL", "s"}), integer(1));
  EXPECT_EQ(h.run({"SCARD", "c"}), integer(513));
  // A large set of strings (Redis: hashtable), emptied by SREM and deleted.
  std::vector<std::string> cmd = {"SADD", "big"};
  for (int i = 0; i < 5000; ++i) cmd.push_back("m" + std::to_string(i));
  EXPECT_EQ(h.run(cmd), integer(5000));
  EXPECT_EQ(h.run({"SCARD", "big"}), integer(5000));
  cmd[0] = "SREM";
  EXPECT_EQ(h.run(cmd), integer(5000));
  EXPECT_EQ(h.run({"EXISTS", "big"}), integer(0));
}

// 1,000,000 members in one set (SADD in batches), membership and SCARD, then removal.
TEST(SetFamily, MillionMembers) {
  Harness h(1, 1);
  constexpr int kN = 1000000, kBatch = 10000;
  for (int b = 0; b < kN / kBatch; ++b) {
    std::vector<std::string> cmd = {"SADD", "m"};
    for (int i = 0; i < kBatch; ++i) cmd.push_back("e" + std::to_string(b * kBatch + i));
    ASSERT_EQ(h.run(cmd), integer(kBatch));
  }
  EXPECT_EQ(h.run({"SCARD", "m"}), integer(kN));
  EXPECT_EQ(h.run({"SISMEMBER", "m", "e999999"}), integer(1));
  EXPECT_EQ(h.run({"SISMEMBER", "m", "e1000000"}), integer(0));
  std::string one = h.run({"SRANDMEMBER", "m"});
  ASSERT_EQ(one.substr(0, 1), "$");
  EXPECT_EQ(h.run({"SISMEMBER", "m", parse_bulks("*1\r\n" + one)[0]}), integer(1));
  EXPECT_EQ(h.run({"DEL", "m"}), integer(1));
}

// SADD/SREM of disjoint members from 4 clients on 4 workers lose nothing.
TEST(SetFamily, ConcurrentAddRem) {
  constexpr int kThreads = 4, kPer = 2000;
  Harness h(kThreads, kThreads);
  for (int i = 0; i < 300; ++i) h.run({"SADD", "s", "pad" + std::to_string(i)});
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPer; ++i) {
        std::string m = std::to_string(t) + ":" + std::to_string(i);
        h.run({"SADD", "s", m}, t);
        h.run({"SADD", "small", m}, t);
        if (i % 2 == 1) {
          h.run({"SREM", "s", m}, t);
          h.run({"SREM", "small", m}, t);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(h.run({"SCARD", "s"}), integer(300 + kThreads * kPer / 2));
  EXPECT_EQ(h.run({"SCARD", "small"}), integer(kThreads * kPer / 2));
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(h.run({"SISMEMBER", "s", std::to_string(t) + ":0"}), integer(1));
    EXPECT_EQ(h.run({"SISMEMBER", "s", std::to_string(t) + ":1"}), integer(0));
  }
}

}  // namespace

namespace {

using namespace stmkv_test;

// RESP3 reply types as redis 7.0.15 sends them: sets for SMEMBERS/SINTER/SPOP count, arrays for
// SRANDMEMBER count (even for the whole set) and SMISMEMBER.
TEST(SetFamily, Resp3Types) {
  Harness h;
  h.client(0).resp = 3;
  EXPECT_EQ(h.run({"SADD", "s", "1", "2"}), integer(2));
  EXPECT_EQ(h.run({"SMEMBERS", "s"}), "~2\r\n" + bulk("1") + bulk("2"));
  EXPECT_EQ(h.run({"SRANDMEMBER", "s", "5"}), "*2\r\n" + bulk("1") + bulk("2"));
  EXPECT_EQ(h.run({"SPOP", "nokey", "2"}), "~0\r\n");
  EXPECT_EQ(h.run({"SMISMEMBER", "s", "1", "9"}), "*2\r\n:1\r\n:0\r\n");
  EXPECT_EQ(h.run({"SPOP", "s", "5"}), "~2\r\n" + bulk("1") + bulk("2"));
}

}  // namespace
