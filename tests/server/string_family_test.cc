// Tests of the string family through the command dispatcher. Expected replies were taken from
// redis-server 7.0.15 (the same commands run against it).
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "ds/keyspace.h"
#include "harness.h"
#include "server/command_table.h"

namespace {

using namespace stmkv_test;

// Makes `key` a key of another type than string: a list made with RPUSH where the list family
// exists, else an entry of type list planted directly in database 0.
void make_list(Harness& h, const std::string& key) {
  if (h.server().commands().find("rpush") != nullptr) {
    ASSERT_EQ(h.run({"RPUSH", key, "a"}).substr(0, 1), ":");
    return;
  }
  h.server().worker(0).stm->atomically([&](stm::Tx& tx) {
    stmkv::Db db(tx, 0, stmkv::now_ms());
    db.set(key, stmkv::ObjType::kList, stmkv::make_str(tx, "x"), stmkv::Encoding::kQuicklist,
           stmkv::kNoExpire);
  });
}

// The value of field `name` in an INFO reply ("" when absent).
std::string info_field(const std::string& info, const std::string& name) {
  size_t p = info.find("\r\n" + name + ":");
  if (p == std::string::npos) return "";
  p += name.size() + 3;
  return info.substr(p, info.find("\r\n", p) - p);
}

TEST(StringFamily, GetSetBasics) {
  Harness h;
  EXPECT_EQ(h.run({"GET", "k"}), kNil);
  EXPECT_EQ(h.run({"SET", "k", "v"}), kOk);
  EXPECT_EQ(h.run({"get", "k"}), bulk("v"));
  EXPECT_EQ(h.run({"get", "k"}, 1), bulk("v"));   // the other worker's view
  EXPECT_EQ(h.run({"set", "k", "v2", "NX"}), kNil);
  EXPECT_EQ(h.run({"set", "k", "v2", "XX", "GET"}), bulk("v"));
  EXPECT_EQ(h.run({"set", "k2", "x", "XX"}), kNil);
  EXPECT_EQ(h.run({"get"}), error("ERR wrong number of arguments for 'get' command"));
  EXPECT_EQ(h.run({"set", "k", "v", "nx", "xx"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"set", "k", "v", "ex", "0"}),
            error("ERR invalid expire time in 'set' command"));
  EXPECT_EQ(h.run({"set", "k", "v", "ex", "abc"}),
            error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"set", "k", "v", "keepttl", "ex", "1"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"set", "k", "v", "persist"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"set", "k", "v", "ex", "10", "ex", "10"}), kOk);
  EXPECT_EQ(h.run({"set", "k", "v", "exat", "1"}), kOk);
  EXPECT_EQ(h.run({"get", "k"}), kNil);   // expired at once
}

TEST(StringFamily, UnknownCommand) {
  Harness h;
  EXPECT_EQ(h.run({"foo", "a", "b"}),
            error("ERR unknown command 'foo', with args beginning with: 'a' 'b' "));
}

TEST(StringFamily, ManyKeysGrowTheTable) {
  Harness h;
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(h.run({"set", "key:" + std::to_string(i), std::to_string(i)}, i % 2), kOk);
  }
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(h.run({"get", "key:" + std::to_string(i)}, (i + 1) % 2), bulk(std::to_string(i)));
  }
}

TEST(StringFamily, SetOverwritesOtherTypes) {
  Harness h;
  make_list(h, "l");
  EXPECT_EQ(h.run({"SET", "l", "v"}), kOk);
  EXPECT_EQ(h.run({"TYPE", "l"}), "+string\r\n");
  make_list(h, "m");
  EXPECT_EQ(h.run({"SET", "m", "v", "GET"}),
            error("WRONGTYPE Operation against a key holding the wrong kind of value"));
  EXPECT_EQ(h.run({"TYPE", "m"}), "+list\r\n");
}

TEST(StringFamily, LcsResp3) {
  Harness h;
  h.client(0).resp = 3;
  EXPECT_EQ(h.run({"MSET", "a", "ohmytext", "b", "mynewtext"}), kOk);
  EXPECT_EQ(h.run({"LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}),
            "%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n"
            "$3\r\nlen\r\n:6\r\n");
  EXPECT_EQ(h.run({"LCS", "x", "y"}), "$0\r\n\r\n");
  EXPECT_EQ(h.run({"GETEX", "nokey"}), "_\r\n");
  EXPECT_EQ(h.run({"MGET", "a", "nokey"}), "*2\r\n$8\r\nohmytext\r\n_\r\n");
}

TEST(StringFamily, LcsLongStrings) {
  Harness h;
  std::string a, b;
  for (int i = 0; i < 300; ++i) {
    a += char('a' + i % 7);
    b += char('a' + i % 5);
  }
  EXPECT_EQ(h.run({"MSET", "a", a, "b", b}), kOk);
  // LEN agrees with the length of the LCS string, which is a subsequence of both.
  std::string len = h.run({"LCS", "a", "b", "LEN"});
  std::string s = h.run({"LCS", "a", "b"});
  size_t crlf = s.find("\r\n");
  std::string lcs = s.substr(crlf + 2, s.size() - crlf - 4);
  EXPECT_EQ(len, integer(static_cast<long long>(lcs.size())));
  auto subseq = [](const std::string& x, const std::string& y) {
    size_t j = 0;
    for (char c : y) {
      if (j < x.size() && x[j] == c) ++j;
    }
    return j == x.size();
  };
  EXPECT_TRUE(subseq(lcs, a));
  EXPECT_TRUE(subseq(lcs, b));
  EXPECT_GT(lcs.size(), 150u);
}

TEST(StringFamily, ExpiredKeysAreAbsent) {
  Harness h;
  EXPECT_EQ(h.run({"SET", "k", "5", "PXAT", "1"}), kOk);
  EXPECT_EQ(h.run({"INCR", "k"}), integer(1));
  EXPECT_EQ(h.run({"TTL", "k"}), integer(-1));
  EXPECT_EQ(h.run({"SET", "a", "x", "PXAT", "1"}), kOk);
  EXPECT_EQ(h.run({"APPEND", "a", "y"}), integer(1));
  EXPECT_EQ(h.run({"SET", "b", "x", "PXAT", "1"}), kOk);
  EXPECT_EQ(h.run({"MSETNX", "b", "1"}), integer(1));
  EXPECT_EQ(h.run({"SET", "c", "x", "PXAT", "1"}), kOk);
  EXPECT_EQ(h.run({"SETNX", "c", "2"}), integer(1));
  EXPECT_EQ(h.run({"MGET", "k", "a", "b", "c"}),
            "*4\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n1\r\n$1\r\n2\r\n");
}

// Keyspace hits and misses are counted by the read lookups only, as Redis's lookupKeyRead.
TEST(StringFamily, KeyspaceHitsAndMisses) {
  Harness h;
  EXPECT_EQ(h.run({"MSET", "a", "1", "b", "2"}), kOk);
  EXPECT_EQ(h.run({"CONFIG", "RESETSTAT"}), kOk);
  h.run({"MGET", "a", "b", "c"});   // 2 hits, 1 miss
  h.run({"GET", "c"});              // 1 miss
  h.run({"STRLEN", "a"});           // 1 hit
  h.run({"INCR", "a"});             // write lookups count nothing
  h.run({"APPEND", "b", "x"});
  h.run({"SETNX", "a", "x"});
  h.run({"GETRANGE", "b", "0", "1"});   // 1 hit
  h.run({"LCS", "a", "z"});             // 1 hit, 1 miss
  std::string info = h.run({"INFO", "stats"});
  EXPECT_EQ(info_field(info, "keyspace_hits"), "5");
  EXPECT_EQ(info_field(info, "keyspace_misses"), "3");
}

TEST(StringFamily, CommandTableRows) {
  const stmkv::CommandTable& t = stmkv::CommandTable::instance();
  struct Row {
    const char* name;
    int arity, first, last, step;
    uint32_t flags;
    uint64_t acl;
  };
  using namespace stmkv;
  const Row rows[] = {
      {"setnx", 3, 1, 1, 1, kCmdWrite | kCmdDenyOom | kCmdFast, kAclWrite | kAclString | kAclFast},
      {"setex", 4, 1, 1, 1, kCmdWrite | kCmdDenyOom, kAclWrite | kAclString | kAclSlow},
      {"psetex", 4, 1, 1, 1, kCmdWrite | kCmdDenyOom, kAclWrite | kAclString | kAclSlow},
      {"getset", 3, 1, 1, 1, kCmdWrite | kCmdDenyOom | kCmdFast, kAclWrite | kAclString | kAclFast},
      {"getdel", 2, 1, 1, 1, kCmdWrite | kCmdFast, kAclWrite | kAclString | kAclFast},
      {"getex", -2, 1, 1, 1, kCmdWrite | kCmdFast, kAclWrite | kAclString | kAclFast},
      {"mget", -2, 1, -1, 1, kCmdReadonly | kCmdFast, kAclRead | kAclString | kAclFast},
      {"mset", -3, 1, -1, 2, kCmdWrite | kCmdDenyOom, kAclWrite | kAclString | kAclSlow},
      {"msetnx", -3, 1, -1, 2, kCmdWrite | kCmdDenyOom, kAclWrite | kAclString | kAclSlow},
      {"append", 3, 1, 1, 1, kCmdWrite | kCmdDenyOom | kCmdFast, kAclWrite | kAclString | kAclFast},
      {"strlen", 2, 1, 1, 1, kCmdReadonly | kCmdFast, kAclRead | kAclString | kAclFast},
      {"incr", 2, 1, 1, 1, kCmdWrite | kCmdDenyOom | kCmdFast, kAclWrite | kAclString | kAclFast},
      {"decrby", 3, 1, 1, 1, kCmdWrite | kCmdDenyOom | kCmdFast,
       kAclWrite | kAclString | kAclFast},
      {"incrbyfloat", 3, 1, 1, 1, kCmdWrite | kCmdDenyOom | kCmdFast,
       kAclWrite | kAclString | kAclFast},
      {"getrange", 4, 1, 1, 1, kCmdReadonly, kAclRead | kAclString | kAclSlow},
      {"substr", 4, 1, 1, 1, kCmdReadonly, kAclRead | kAclString | kAclSlow},
      {"setrange", 4, 1, 1, 1, kCmdWrite | kCmdDenyOom, kAclWrite | kAclString | kAclSlow},
      {"lcs", -3, 1, 2, 1, kCmdReadonly, kAclRead | kAclString | kAclSlow},
  };
  for (const Row& r : rows) {
    const CommandSpec* s = t.find(r.name);
    ASSERT_NE(s, nullptr) << r.name;
    EXPECT_EQ(s->arity, r.arity) << r.name;
    EXPECT_EQ(s->first_key, r.first) << r.name;
    EXPECT_EQ(s->last_key, r.last) << r.name;
    EXPECT_EQ(s->key_step, r.step) << r.name;
    EXPECT_EQ(s->flags, r.flags | kCmdTx) << r.name;
    EXPECT_EQ(s->acl, r.acl) << r.name;
    EXPECT_EQ(s->group, "string") << r.name;
    EXPECT_FALSE(s->summary.empty() || s->since.empty() || s->complexity.empty() ||
                 s->syntax.empty())
        << r.name;
  }
}

// 4 clients on 4 workers, one thread each: INCRs on one key are never lost.
TEST(StringFamily, ConcurrentIncr) {
  constexpr int kThreads = 4, kIncrs = 5000;
  Harness h(kThreads, kThreads);
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIncrs; ++i) {
        std::string r = h.run({"INCR", "counter"}, t);
        if (r.empty() || r[0] != ':') ++bad;
        if (i % 4 == 0) h.run({"INCRBYFLOAT", "f", "1"}, t);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(h.run({"GET", "counter"}), bulk(std::to_string(kThreads * kIncrs)));
  EXPECT_EQ(h.run({"GET", "f"}), bulk(std::to_string(kThreads * kIncrs / 4)));
}

// Writers MSET two keys to the same value; readers MGET them and must never see a mix.
// MSETNX on fresh key pairs either sets both or neither.
TEST(StringFamily, ConcurrentMsetMgetAtomic) {
  constexpr int kThreads = 4, kRounds = 3000;
  Harness h(kThreads, kThreads);
  EXPECT_EQ(h.run({"MSET", "k1", "0", "k2", "0"}), kOk);
  std::atomic<int> torn{0}, msetnx_won{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        if (t < 2) {
          std::string v = std::to_string(t * kRounds + i);
          h.run({"MSET", "k1", v, "k2", v}, t);
          std::string key = "nx:" + std::to_string(i % 500);
          if (h.run({"MSETNX", key + ":a", v, key + ":b", v}, t) == integer(1)) ++msetnx_won;
        } else {
          std::string r = h.run({"MGET", "k1", "k2"}, t);
          // "*2\r\n$<n>\r\n<v>\r\n$<n>\r\n<v>\r\n": both halves equal.
          std::string body = r.substr(4);
          size_t half = body.size() / 2;
          if (body.substr(0, half) != body.substr(half)) ++torn;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(msetnx_won.load(), 500);
  for (int i = 0; i < 500; ++i) {
    std::string key = "nx:" + std::to_string(i);
    std::string r = h.run({"MGET", key + ":a", key + ":b"});
    std::string body = r.substr(4);
    EXPECT_EQ(body.substr(0, body.size() / 2), body.substr(body.size() / 2)) << key;
  }
}

TEST(StringFamily, SetNx) {
  Harness h;
  EXPECT_EQ(h.run({"SETNX", "k", "v"}), ":1\r\n");
  EXPECT_EQ(h.run({"SETNX", "k", "w"}), ":0\r\n");
  EXPECT_EQ(h.run({"GET", "k"}), "$1\r\nv\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"SETNX", "l", "x"}), ":0\r\n");
  EXPECT_EQ(h.run({"TYPE", "l"}), "+list\r\n");
  EXPECT_EQ(h.run({"SETNX", "k"}), "-ERR wrong number of arguments for 'setnx' command\r\n");
  EXPECT_EQ(h.run({"SETNX", "k", "a", "b"}),
            "-ERR wrong number of arguments for 'setnx' command\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "k"}), "$6\r\nembstr\r\n");
  EXPECT_EQ(h.run({"SETNX", "n", "123"}), ":1\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "n"}), "$3\r\nint\r\n");
}

TEST(StringFamily, SetExPSetEx) {
  Harness h;
  EXPECT_EQ(h.run({"SETEX", "k", "100", "v"}), "+OK\r\n");
  EXPECT_EQ(h.run({"GET", "k"}), "$1\r\nv\r\n");
  EXPECT_EQ(h.run({"TTL", "k"}), ":100\r\n");
  EXPECT_EQ(h.run({"PSETEX", "p", "100000", "v"}), "+OK\r\n");
  EXPECT_EQ(h.run({"TTL", "p"}), ":100\r\n");
  EXPECT_EQ(h.run({"SETEX", "k", "0", "v"}),
            "-ERR invalid expire time in 'setex' command\r\n");
  EXPECT_EQ(h.run({"SETEX", "k", "-5", "v"}),
            "-ERR invalid expire time in 'setex' command\r\n");
  EXPECT_EQ(h.run({"PSETEX", "k", "0", "v"}),
            "-ERR invalid expire time in 'psetex' command\r\n");
  EXPECT_EQ(h.run({"SETEX", "k", "abc", "v"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"SETEX", "k", "9223372036854775807", "v"}),
            "-ERR invalid expire time in 'setex' command\r\n");
  EXPECT_EQ(h.run({"PSETEX", "k", "9223372036854775807", "v"}),
            "-ERR invalid expire time in 'psetex' command\r\n");
  EXPECT_EQ(h.run({"SETEX", "k", "1.5", "v"}),
            "-ERR value is not an integer or out of range\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"SETEX", "l", "100", "v"}), "+OK\r\n");
  EXPECT_EQ(h.run({"GET", "l"}), "$1\r\nv\r\n");
  EXPECT_EQ(h.run({"SETEX", "k", "100"}),
            "-ERR wrong number of arguments for 'setex' command\r\n");
  EXPECT_EQ(h.run({"PSETEX", "k", "100", "v", "extra"}),
            "-ERR wrong number of arguments for 'psetex' command\r\n");
  EXPECT_EQ(h.run({"SETEX", "n", "100", "12345"}), "+OK\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "n"}), "$3\r\nint\r\n");
}

TEST(StringFamily, GetSet) {
  Harness h;
  EXPECT_EQ(h.run({"GETSET", "k", "v1"}), "$-1\r\n");
  EXPECT_EQ(h.run({"GET", "k"}), "$2\r\nv1\r\n");
  EXPECT_EQ(h.run({"SETEX", "k", "100", "v2"}), "+OK\r\n");
  EXPECT_EQ(h.run({"GETSET", "k", "v3"}), "$2\r\nv2\r\n");
  EXPECT_EQ(h.run({"TTL", "k"}), ":-1\r\n");
  EXPECT_EQ(h.run({"GET", "k"}), "$2\r\nv3\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"GETSET", "l", "x"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"TYPE", "l"}), "+list\r\n");
  EXPECT_EQ(h.run({"GETSET", "k"}), "-ERR wrong number of arguments for 'getset' command\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "k"}), "$6\r\nembstr\r\n");
  EXPECT_EQ(h.run({"GETSET", "k", "42"}), "$2\r\nv3\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "k"}), "$3\r\nint\r\n");
}

TEST(StringFamily, GetDel) {
  Harness h;
  EXPECT_EQ(h.run({"GETDEL", "k"}), "$-1\r\n");
  EXPECT_EQ(h.run({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(h.run({"GETDEL", "k"}), "$1\r\nv\r\n");
  EXPECT_EQ(h.run({"EXISTS", "k"}), ":0\r\n");
  EXPECT_EQ(h.run({"GETDEL", "k"}), "$-1\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"GETDEL", "l"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"EXISTS", "l"}), ":1\r\n");
  EXPECT_EQ(h.run({"GETDEL", "k", "k"}),
            "-ERR wrong number of arguments for 'getdel' command\r\n");
}

TEST(StringFamily, GetEx) {
  Harness h;
  EXPECT_EQ(h.run({"GETEX", "k"}), "$-1\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "EX", "10"}), "$-1\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "EX", "abc"}), "$-1\r\n");
  EXPECT_EQ(h.run({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(h.run({"GETEX", "k"}), "$1\r\nv\r\n");
  EXPECT_EQ(h.run({"TTL", "k"}), ":-1\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "EX", "100"}), "$1\r\nv\r\n");
  EXPECT_EQ(h.run({"TTL", "k"}), ":100\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "PX", "200000"}), "$1\r\nv\r\n");
  EXPECT_EQ(h.run({"TTL", "k"}), ":200\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "PERSIST"}), "$1\r\nv\r\n");
  EXPECT_EQ(h.run({"TTL", "k"}), ":-1\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "EXAT", "99999999999"}), "$1\r\nv\r\n");
  EXPECT_EQ(h.run({"EXPIRETIME", "k"}), ":99999999999\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "PXAT", "99999999999001"}), "$1\r\nv\r\n");
  EXPECT_EQ(h.run({"PEXPIRETIME", "k"}), ":99999999999001\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "EX", "10", "EX", "20"}), "$1\r\nv\r\n");
  EXPECT_EQ(h.run({"TTL", "k"}), ":20\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "ex", "0"}),
            "-ERR invalid expire time in 'getex' command\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "px", "-1"}),
            "-ERR invalid expire time in 'getex' command\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "ex", "abc"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "ex", "9223372036854775807"}),
            "-ERR invalid expire time in 'getex' command\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "px", "9223372036854775807"}),
            "-ERR invalid expire time in 'getex' command\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "persist", "ex", "10"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "ex", "10", "persist"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "ex", "10", "px", "10"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "nx"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "keepttl"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "get"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "ex"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "foo"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "EXAT", "1"}), "$1\r\nv\r\n");
  EXPECT_EQ(h.run({"EXISTS", "k"}), ":0\r\n");
  EXPECT_EQ(h.run({"SET", "k", "v"}), "+OK\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "PXAT", "1"}), "$1\r\nv\r\n");
  EXPECT_EQ(h.run({"EXISTS", "k"}), ":0\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"GETEX", "l"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"GETEX", "l", "foo"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"GETEX"}), "-ERR wrong number of arguments for 'getex' command\r\n");
}

TEST(StringFamily, MGetMSet) {
  Harness h;
  EXPECT_EQ(h.run({"MSET", "a", "1", "b", "2", "c", "3"}), "+OK\r\n");
  EXPECT_EQ(h.run({"MGET", "a", "b", "c", "d"}),
            "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$-1\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"MGET", "a", "l", "b"}), "*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n");
  EXPECT_EQ(h.run({"MSET", "a"}), "-ERR wrong number of arguments for 'mset' command\r\n");
  EXPECT_EQ(h.run({"MSET", "a", "1", "b"}),
            "-ERR wrong number of arguments for 'mset' command\r\n");
  EXPECT_EQ(h.run({"MGET"}), "-ERR wrong number of arguments for 'mget' command\r\n");
  EXPECT_EQ(h.run({"MSET", "a", "10", "a", "20"}), "+OK\r\n");
  EXPECT_EQ(h.run({"GET", "a"}), "$2\r\n20\r\n");
  EXPECT_EQ(h.run({"SETEX", "e", "100", "v"}), "+OK\r\n");
  EXPECT_EQ(h.run({"MSET", "e", "w"}), "+OK\r\n");
  EXPECT_EQ(h.run({"TTL", "e"}), ":-1\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "a"}), "$3\r\nint\r\n");
  EXPECT_EQ(h.run({"MSET", "l", "v"}), "+OK\r\n");
  EXPECT_EQ(h.run({"TYPE", "l"}), "+string\r\n");
}

TEST(StringFamily, MSetNx) {
  Harness h;
  EXPECT_EQ(h.run({"MSETNX", "a", "1", "b", "2"}), ":1\r\n");
  EXPECT_EQ(h.run({"MSETNX", "b", "3", "c", "4"}), ":0\r\n");
  EXPECT_EQ(h.run({"EXISTS", "c"}), ":0\r\n");
  EXPECT_EQ(h.run({"MGET", "a", "b", "c"}), "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n");
  EXPECT_EQ(h.run({"MSETNX", "x", "1", "x", "2"}), ":1\r\n");
  EXPECT_EQ(h.run({"GET", "x"}), "$1\r\n2\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"MSETNX", "l", "1", "y", "2"}), ":0\r\n");
  EXPECT_EQ(h.run({"EXISTS", "y"}), ":0\r\n");
  EXPECT_EQ(h.run({"MSETNX", "a"}), "-ERR wrong number of arguments for 'msetnx' command\r\n");
  EXPECT_EQ(h.run({"MSETNX", "a", "1", "b"}),
            "-ERR wrong number of arguments for 'msetnx' command\r\n");
}

TEST(StringFamily, AppendStrlen) {
  Harness h;
  EXPECT_EQ(h.run({"APPEND", "k", "hello"}), ":5\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "k"}), "$6\r\nembstr\r\n");
  EXPECT_EQ(h.run({"APPEND", "k", " world"}), ":11\r\n");
  EXPECT_EQ(h.run({"GET", "k"}), "$11\r\nhello world\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "k"}), "$3\r\nraw\r\n");
  EXPECT_EQ(h.run({"STRLEN", "k"}), ":11\r\n");
  EXPECT_EQ(h.run({"STRLEN", "nokey"}), ":0\r\n");
  EXPECT_EQ(h.run({"APPEND", "n", "12"}), ":2\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "n"}), "$3\r\nint\r\n");
  EXPECT_EQ(h.run({"APPEND", "n", "34"}), ":4\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "n"}), "$3\r\nraw\r\n");
  EXPECT_EQ(h.run({"GET", "n"}), "$4\r\n1234\r\n");
  EXPECT_EQ(h.run({"SETEX", "t", "100", "a"}), "+OK\r\n");
  EXPECT_EQ(h.run({"APPEND", "t", "b"}), ":2\r\n");
  EXPECT_EQ(h.run({"TTL", "t"}), ":100\r\n");
  EXPECT_EQ(h.run({"GET", "t"}), "$2\r\nab\r\n");
  EXPECT_EQ(h.run({"APPEND", "e", ""}), ":0\r\n");
  EXPECT_EQ(h.run({"EXISTS", "e"}), ":1\r\n");
  EXPECT_EQ(h.run({"GET", "e"}), "$0\r\n\r\n");
  EXPECT_EQ(h.run({"STRLEN", "e"}), ":0\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"APPEND", "l", "x"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"STRLEN", "l"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"APPEND", "k"}), "-ERR wrong number of arguments for 'append' command\r\n");
  EXPECT_EQ(h.run({"STRLEN"}), "-ERR wrong number of arguments for 'strlen' command\r\n");
}

TEST(StringFamily, Incr) {
  Harness h;
  EXPECT_EQ(h.run({"INCR", "k"}), ":1\r\n");
  EXPECT_EQ(h.run({"INCR", "k"}), ":2\r\n");
  EXPECT_EQ(h.run({"GET", "k"}), "$1\r\n2\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "k"}), "$3\r\nint\r\n");
  EXPECT_EQ(h.run({"DECR", "k"}), ":1\r\n");
  EXPECT_EQ(h.run({"DECR", "k"}), ":0\r\n");
  EXPECT_EQ(h.run({"DECR", "k"}), ":-1\r\n");
  EXPECT_EQ(h.run({"INCRBY", "k", "100"}), ":99\r\n");
  EXPECT_EQ(h.run({"DECRBY", "k", "50"}), ":49\r\n");
  EXPECT_EQ(h.run({"INCRBY", "k", "-9223372036854775808"}), ":-9223372036854775759\r\n");
  EXPECT_EQ(h.run({"DECRBY", "k", "-9223372036854775808"}),
            "-ERR decrement would overflow\r\n");
  EXPECT_EQ(h.run({"DECRBY", "nokey", "-9223372036854775808"}),
            "-ERR decrement would overflow\r\n");
  EXPECT_EQ(h.run({"SET", "k", "9223372036854775806"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCR", "k"}), ":9223372036854775807\r\n");
  EXPECT_EQ(h.run({"INCR", "k"}), "-ERR increment or decrement would overflow\r\n");
  EXPECT_EQ(h.run({"GET", "k"}), "$19\r\n9223372036854775807\r\n");
  EXPECT_EQ(h.run({"SET", "k", "-9223372036854775807"}), "+OK\r\n");
  EXPECT_EQ(h.run({"DECR", "k"}), ":-9223372036854775808\r\n");
  EXPECT_EQ(h.run({"DECR", "k"}), "-ERR increment or decrement would overflow\r\n");
  EXPECT_EQ(h.run({"DECRBY", "k", "1"}), "-ERR increment or decrement would overflow\r\n");
  EXPECT_EQ(h.run({"SET", "k", "abc"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCR", "k"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"SET", "k", " 1"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCR", "k"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"SET", "k", "1.0"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCR", "k"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"SET", "k", "01"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCR", "k"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"SET", "k", "-0"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCR", "k"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"SET", "k", "+1"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCR", "k"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"SET", "k", "123456789012345678901"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCR", "k"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"INCRBY", "k", "abc"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"INCRBY", "k", "1.5"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"INCRBY", "k", "99999999999999999999"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"DECRBY", "k", ""}), "-ERR value is not an integer or out of range\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"INCR", "l"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"INCRBY", "l", "abc"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"INCRBY", "l", "1"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"DECR", "l"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"SETEX", "t", "100", "5"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCR", "t"}), ":6\r\n");
  EXPECT_EQ(h.run({"TTL", "t"}), ":100\r\n");
  EXPECT_EQ(h.run({"SET", "big", "12345678901234567890123456789012345678901234567890"}),
            "+OK\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "big"}), "$3\r\nraw\r\n");
  EXPECT_EQ(h.run({"INCR"}), "-ERR wrong number of arguments for 'incr' command\r\n");
  EXPECT_EQ(h.run({"INCR", "k", "k"}),
            "-ERR wrong number of arguments for 'incr' command\r\n");
  EXPECT_EQ(h.run({"INCRBY", "k"}), "-ERR wrong number of arguments for 'incrby' command\r\n");
}

TEST(StringFamily, IncrByFloat) {
  Harness h;
  EXPECT_EQ(h.run({"SET", "f", "10"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "f", "10.5"}), "$4\r\n20.5\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "f", "3.0e3"}), "$6\r\n3020.5\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "f", "0.1"}), "$22\r\n3020.60000000000000009\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "f"}), "$6\r\nembstr\r\n");
  EXPECT_EQ(h.run({"SET", "g", "1.1"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "g", "0"}), "$3\r\n1.1\r\n");
  EXPECT_EQ(h.run({"SET", "g", "5.0e3"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "g", "2.0e2"}), "$4\r\n5200\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "g", "-1e400"}),
            "$402\r\n-10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "g", "1e308"}),
            "$402\r\n-10000000000000000000281880683947586514586453433629052038625910693539685534008629862039363994848324160522094053927317616200295822777259255734023828976593340661017797447434546173917862448116674971723778943824391593338047470675026246684401359237513603830343735485505244955964979021825038280091068414947402456898653040951017512658092615827588920183472511643316591362664138176309734806343732497430221946880\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "g", "abc"}), "-ERR value is not a valid float\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "g", ""}), "-ERR value is not a valid float\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx", "1.5e-7"}), "$10\r\n0.00000015\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx2", "3.14159265358979323846"}),
            "$19\r\n3.14159265358979324\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx3", "1e20"}), "$21\r\n100000000000000000000\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx4", "1e21"}), "$22\r\n1000000000000000000000\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx5", "123456789012345678901234567890"}),
            "$30\r\n123456789012345678899921813504\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx6", "inf"}),
            "-ERR increment would produce NaN or Infinity\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx6", "-inf"}),
            "-ERR increment would produce NaN or Infinity\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx6", "nan"}), "-ERR value is not a valid float\r\n");
  EXPECT_EQ(h.run({"EXISTS", "nx6"}), ":0\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx7", " 1"}), "-ERR value is not a valid float\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx7", "1 "}), "-ERR value is not a valid float\r\n");
  EXPECT_EQ(h.run({"SET", "sp", " 1"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "sp", "1"}), "-ERR value is not a valid float\r\n");
  EXPECT_EQ(h.run({"SET", "big", "1e5000"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "big", "1"}), "-ERR value is not a valid float\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx8", "0x10"}), "$2\r\n16\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx9", "-0"}), "$1\r\n0\r\n");
  EXPECT_EQ(h.run({"GET", "nx9"}), "$1\r\n0\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx10", "1.0000000000000000001"}), "$1\r\n1\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx11", "0.3"}), "$3\r\n0.3\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx11", "0.6"}), "$3\r\n0.9\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx12", "-1.5"}), "$4\r\n-1.5\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx12", "1.5"}), "$1\r\n0\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx13", "1e-20"}), "$1\r\n0\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx14", "-5"}), "$2\r\n-5\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx15", "1e4000"}),
            "$4000\r\n9999999999999999999965463873099623784932492583506957631301508333043261943306342355481821641865509279862764452073123673540217602217367592344172125881950527999961428582434354754501870958214290741301143014670445026260849443456275333742340822559146220440774502699147116818307775566773571206492036312963397368761826079538161612036724681027980418945071857333802019573184376407974737742100582963439581302474746605828071068162266095350249109360981931695942123253872362355720717867859931997116967823535175344886417435948827492668424224514931596965124928426557313007272003654181606637829648718026332623445964659599411688673612401217012598120557489288735334437118479345590827013160426634334036145971611294094499267930097645158316924242084444005046275789316854264698962537519604804648202558831813320199082274810678546966662106272497006996186529202046612197927965030663016053612055682060855170989021069998476304668166868798327849305544516958630545705436267868123963090419840720786295093297923233166989307185493468005963513556052273926524815064535863034951177115665985606171666708242756198962303861871354719181381961379671761938984704505073921618907144272449828915839083978037993280452559586965504199368256134650271468844247174823646278663567437132739306516943311285144568895817811521270234335023202809923439313537168685792314272771667847310402459453149183490692769538329516243242927105447175974956565949859259880257266623432431660986751258600816348320837727852352371818896648343700947852991058969433541705132345122524048434688325138322933085183721655672137865396358471035067214167360617119527605272354771447437560932908789355181041081978971762346557568230767574027302293460544968752081768656824879994376355163920300385095919688678670907760987187661793434717175760350651419537956103182910121364884637262102263204295329279620360536203761315194554053188934218409316246410738656203852138992492444404026342210499619140876855921277988778676947892152806854950785068014727125536739702656962611964401436187934885803420611286745134838665415365691409110464038694668899344879845822942763373039719688602810444439928037135468898274565353630059446256169978689065593420848456038274366567225299549352683650770160551908116011723880315176381390821744087191159014840466408422036463264182928434780181167746977398743042449413105215463884123801578726746967721334558724520471115335862516435283282393832140500259762370795907195418122260308331006030210104962511689458912869480521025430134047382228141350554394390210188326863538753083190329578149617392735325345607293804019789613107204439729055324106921126322671020066709317012835936925695594694910121291991133040352454029415895421330627924576068200470892536792435143079137382774440346196002593999683669353176553680054317921648423581639781664231716459539510456753265337998256664529200852939049468855419289097785303294946449752258791882954794558753338748235175173730073178466259683916437044889075282877916869627991289792183586849679291189074136405526988632104737613205959150473631599616592564842952439858033179702368199753306698362201401506479407699236396521519654661597132309737381973903141889548031713181771968965861360007055846791276712592611475612847974647898601585527666227738929689128212619681144409905588974943980927948431950098268346459649230305689978542029932792436486452896735925004194782587516473457624352639480090109507295735020460456725638145957022317397784209033998721254961060890916634094880983552750508881669349308347772834504388303087113341878104141612215788330206835981183895501665502020020640589210848902416003156361626873160836225566347750269512599746786860171326806831029087653660341164708808802454022881699049392139574016756146192644415820839590797897050551922334947406004738872332042844089285302334417905996381190171610168845316435533461235902086067935935005063001450522174581772443096538389199989128731679326545348278957788061762018807017602515186853205589875909910708079333605047010115738478105476750550150020629864357825543441956972190272729951206648276349901340672\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "nx15", "1e4000"}),
            "$4001\r\n19999999999999999999930927746199247569864985167013915262603016666086523886612684710963643283731018559725528904146247347080435204434735184688344251763901055999922857164868709509003741916428581482602286029340890052521698886912550667484681645118292440881549005398294233636615551133547142412984072625926794737523652159076323224073449362055960837890143714667604039146368752815949475484201165926879162604949493211656142136324532190700498218721963863391884246507744724711441435735719863994233935647070350689772834871897654985336848449029863193930249856853114626014544007308363213275659297436052665246891929319198823377347224802434025196241114978577470668874236958691181654026320853268668072291943222588188998535860195290316633848484168888010092551578633708529397925075039209609296405117663626640398164549621357093933324212544994013992373058404093224395855930061326032107224111364121710341978042139996952609336333737596655698611089033917261091410872535736247926180839681441572590186595846466333978614370986936011927027112104547853049630129071726069902354231331971212343333416485512397924607723742709438362763922759343523877969409010147843237814288544899657831678167956075986560905119173931008398736512269300542937688494349647292557327134874265478613033886622570289137791635623042540468670046405619846878627074337371584628545543335694620804918906298366981385539076659032486485854210894351949913131899718519760514533246864863321973502517201632696641675455704704743637793296687401895705982117938867083410264690245048096869376650276645866170367443311344275730792716942070134428334721234239055210544709542894875121865817578710362082163957943524693115136461535148054604586921089937504163537313649759988752710327840600770191839377357341815521974375323586869434351520701302839075912206365820242729769274524204526408590658559240721072407522630389108106377868436818632492821477312407704277984984888808052684420999238281753711842555977557353895784305613709901570136029454251073479405313925223928802872375869771606841222573490269677330830731382818220928077389337798689759691645885526746079439377205620888879856074270937796549130707260118892512339957378131186841696912076548733134450599098705367301540321103816232023447760630352762781643488174382318029680932816844072926528365856869560362335493954797486084898826210430927768247603157453493935442669117449040942230671725032870566564787664281000519524741591814390836244520616662012060420209925023378917825738961042050860268094764456282701108788780420376653727077506166380659156299234785470650691214587608039579226214408879458110648213842252645342040133418634025671873851391189389820242583982266080704908058831790842661255849152136400941785073584870286158274765548880692392005187999367338706353107360108635843296847163279563328463432919079020913506530675996513329058401705878098937710838578195570606589892899504517583765909589117506677496470350347460146356932519367832874089778150565755833739255982579584367173699358582378148272811053977264209475226411918300947263199233185129685904879716066359404736399506613396724402803012958815398472793043039309323194264619474763947806283779096063426363543937931722720014111693582553425185222951225695949295797203171055332455477859378256425239362288819811177949887961855896863900196536692919298460611379957084059865584872972905793471850008389565175032946915248705278960180219014591470040920913451276291914044634795568418067997442509922121781833268189761967105501017763338698616695545669008776606174226683756208283224431576660413671962367791003331004040041281178421697804832006312723253746321672451132695500539025199493573720342653613662058175307320682329417617604908045763398098784279148033512292385288831641679181595794101103844669894812009477744664085688178570604668835811992762380343220337690632871066922471804172135871870010126002901044349163544886193076778399978257463358653090696557915576123524037614035205030373706411179751819821416158667210094020231476956210953501100300041259728715651086883913944380545459902413296552699802681344\r\n");
  EXPECT_EQ(h.run({"SET", "h", "1"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "h", "1"}), "$1\r\n2\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "h"}), "$6\r\nembstr\r\n");
  EXPECT_EQ(h.run({"SET", "m", "1.7976931348623157e308"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "m", "1.7976931348623157e308"}),
            "$309\r\n359538626972463139991842093548208868096772893888658356970628841530353257046248792709403737216774171128857586838851041378617416726902272110715794556052955234146997955372576789671236326588091188869859074894581254961338834769297758245552436667197907705664206565009503223382416235440319971852753604933726679072768\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "ovf", "1e4932"}),
            "$4933\r\n1000000000000000000006018949387963891323837774254533114773785041352533019486608722407533327779433142773666525563666277682061860906440460336623416164931097542108653623739947237824273607755646282077337746770628281083461244709457643633409272844851420914666765408339856497738306756454137037618440476182982865954054046320908299555942321302503320602080070208203623921079151881460203745014774931620490030394998719312614654064081373493248877120892455186383753439197870978041502797716880193955403107721911638646256939484197293128160329482360996995779489224859264034146949087194820794222433687849284561987230134006305414553626323614864479565079390052761980633463640128979696615362545507608303960553830866145592644372289102918602696741767741297153998359263135897985849697638678310586803720024647593066044070323761747439375151949994191528876172274034561238465689530914002496208547488452249219821049217690359246594326188537200846025476936856707726986425804304053688317572380292690880454677852210458790733177421098965346383845533016192965653377533421097553773202105452559589360227732550843545717469715211293029277100649951579279463212875228768700827274629951331584994203243708412190948315614798641721054158397351395747758548328754270534225721361640356227816080094892433366902417454242382629232277544026609640255325557814321580325340352330660617642326696140257239552549121071985189443846777623334881929189773707008403466595204838733621633273383631944856989484138444978386656058755310848833689791896484998847550364264104800800578245511762594691161545730891319744107953897993101008217601269310629890308357893793344340072837782716410520818640099771094401772024731084835860689936533035726854175396195351768096519310944631445923638053214575993378468775292865871435742249777979822775014324475845899615096380079899099538453121043851821349178371736640702645304284254885437611441690360616466368202194307769462209963387690446576691969551571041941288302648912827345194286271122230347823246073498285153708579500062656222714954113329293953346495615947784091175883554988117167387650681525781361864450364992605079129770604793291076559668041153558254765774288831330658676910296506538343982699076824147706077401185501337053676875440863113630172067902223837838525802181406003942606507609826320015193807633035586661539150425605940691768637845815434184585255915074081317250319572700370579877977177644345205933505850374212779064837146242765034714569464306865784829936445754893825213995710137567750342556762329137973387913047300554841737506800154984198686923965286147079273203561004647365286049876790788288301130050437207489067798842078443360167772245834103629301041345252122743437501935254370757049878526838283810705343010153283985958550741661374001212323172562230037290597675029278865489570268803618001520280748588481858632332145422181524500970533738858652881625738158955840469334830106366243262210429210258173978186522208306814207038831590332622155464159216193005478809313772661406449321989529908990407599717265354887081027622412165764793106246309910984757869627982700885055259900973567128498437782671492610351088858271463387495833021819318548705558606395846070390500323204636339383655528123657438115225035433947543876805317781492691295772410403746456774175666884503175504415270824258750305653788473882671038340481278188648013647450190431469737277008003041204693859153544058059108384516541261521127088116402349679151317227395183628490922161336429757386698401928682323657056924758648793848799822907606679071280964393541325129231682456669123450140879120137931548652537601508656209183486928384515842973760163601756230697826779237275078471824258664382133759876151537532598429521999758431018087001817485300919479583171049967781322202936864648780744025361452947117776701129210049872555316467204668470989130203733391349501708713181244068921199587314823974568234174792429139799088587794666528769986602820375968045445209219875596678877912103336949894142378173648692130854177898020194629670311101994938157038765957014792056173739623614871557317714453597336202068774935086409386414223375141765601758268418764114651053088281009248246110195084364468926837572992870110411414878770616397817334529367403238061699632089293543118185299881280463481800696201966723511922556078483839325067415562633057448408746541808590342228476964416681055875561781810005936328191844815915658719683522845979901018335050006246392027657149580332319739660376707180429166280658258434773362764563277134220525779869893832824866422909928484939374964071386248088592408142723646533801882861736205992781965360090000802821408763787641023437653119263757280212773694655213507075717622521160227187157631635583682130089364682543007292042009976150135189415923413244100006421082817394988300265734422677548100741829682842668334472314928702968616204691717366798642916146473018363370523427203416579250811577900985980957404830019403600361860520985937973506956557739754741783354728589350876379371163141086538418113791886622720\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "ovf", "1e4932"}),
            "-ERR increment would produce NaN or Infinity\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "ovf", "1e4932"}),
            "-ERR increment would produce NaN or Infinity\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "ovf", "1e4932"}),
            "-ERR increment would produce NaN or Infinity\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "ovf", "1e4932"}),
            "-ERR increment would produce NaN or Infinity\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "ovf", "1e4932"}),
            "-ERR increment would produce NaN or Infinity\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "ovf", "1e4932"}),
            "-ERR increment would produce NaN or Infinity\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "ovf", "1e4932"}),
            "-ERR increment would produce NaN or Infinity\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "ovf", "1e4932"}),
            "-ERR increment would produce NaN or Infinity\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "ovf", "1e4932"}),
            "-ERR increment would produce NaN or Infinity\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "ovf", "1e4932"}),
            "-ERR increment would produce NaN or Infinity\r\n");
  EXPECT_EQ(h.run({"SETEX", "t", "100", "1"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "t", "1.5"}), "$3\r\n2.5\r\n");
  EXPECT_EQ(h.run({"TTL", "t"}), ":100\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "l", "1"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "l", "abc"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "k"}),
            "-ERR wrong number of arguments for 'incrbyfloat' command\r\n");
}

TEST(StringFamily, GetRange) {
  Harness h;
  EXPECT_EQ(h.run({"SET", "k", "Hello World"}), "+OK\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "k", "0", "4"}), "$5\r\nHello\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "k", "-5", "-1"}), "$5\r\nWorld\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "k", "0", "-1"}), "$11\r\nHello World\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "k", "0", "-100"}), "$1\r\nH\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "k", "-100", "-50"}), "$1\r\nH\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "k", "-1", "-5"}), "$0\r\n\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "k", "5", "3"}), "$0\r\n\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "k", "6", "100"}), "$5\r\nWorld\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "k", "100", "200"}), "$0\r\n\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "k", "-100", "100"}), "$11\r\nHello World\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "k", "0", "9223372036854775807"}), "$11\r\nHello World\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "k", "-9223372036854775808", "9223372036854775807"}),
            "$11\r\nHello World\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "nokey", "0", "1"}), "$0\r\n\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "k", "a", "1"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "k", "0", "b"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "nokey", "a", "1"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"SET", "n", "12345"}), "+OK\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "n", "1", "2"}), "$2\r\n23\r\n");
  EXPECT_EQ(h.run({"SET", "e", ""}), "+OK\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "e", "0", "-1"}), "$0\r\n\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "e", "0", "0"}), "$0\r\n\r\n");
  EXPECT_EQ(h.run({"SUBSTR", "k", "0", "4"}), "$5\r\nHello\r\n");
  EXPECT_EQ(h.run({"SUBSTR", "k", "-3", "-1"}), "$3\r\nrld\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"GETRANGE", "l", "0", "1"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"SUBSTR", "l", "0", "1"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "k", "0"}),
            "-ERR wrong number of arguments for 'getrange' command\r\n");
  EXPECT_EQ(h.run({"SUBSTR", "k", "0", "1", "2"}),
            "-ERR wrong number of arguments for 'substr' command\r\n");
}

TEST(StringFamily, SetRange) {
  Harness h;
  EXPECT_EQ(h.run({"SETRANGE", "k", "0", "hello"}), ":5\r\n");
  EXPECT_EQ(h.run({"SETRANGE", "k", "6", "world"}), ":11\r\n");
  EXPECT_EQ(h.run({"GET", "k"}), std::string("$11\r\nhello\x00""world\r\n", 18));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "k"}), "$3\r\nraw\r\n");
  EXPECT_EQ(h.run({"SETRANGE", "k", "0", "J"}), ":11\r\n");
  EXPECT_EQ(h.run({"GET", "k"}), std::string("$11\r\nJello\x00""world\r\n", 18));
  EXPECT_EQ(h.run({"SETRANGE", "n", "3", "ab"}), ":5\r\n");
  EXPECT_EQ(h.run({"GET", "n"}), std::string("$5\r\n\x00""\x00""\x00""ab\r\n", 11));
  EXPECT_EQ(h.run({"SETRANGE", "n", "1", ""}), ":5\r\n");
  EXPECT_EQ(h.run({"SETRANGE", "e", "5", ""}), ":0\r\n");
  EXPECT_EQ(h.run({"EXISTS", "e"}), ":0\r\n");
  EXPECT_EQ(h.run({"SETRANGE", "k", "-1", "x"}), "-ERR offset is out of range\r\n");
  EXPECT_EQ(h.run({"SETRANGE", "k", "abc", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"SETRANGE", "k", "536870912", "x"}),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
  EXPECT_EQ(h.run({"SETRANGE", "nokey", "536870912", "x"}),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
  EXPECT_EQ(h.run({"SETRANGE", "k", "536870912", ""}), ":11\r\n");
  EXPECT_EQ(h.run({"SETRANGE", "k", "9223372036854775807", "x"}),
            "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n");
  EXPECT_EQ(h.run({"SET", "i", "12345"}), "+OK\r\n");
  EXPECT_EQ(h.run({"SETRANGE", "i", "1", "x"}), ":5\r\n");
  EXPECT_EQ(h.run({"GET", "i"}), "$5\r\n1x345\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "i"}), "$3\r\nraw\r\n");
  EXPECT_EQ(h.run({"SETEX", "t", "100", "abc"}), "+OK\r\n");
  EXPECT_EQ(h.run({"SETRANGE", "t", "1", "X"}), ":3\r\n");
  EXPECT_EQ(h.run({"TTL", "t"}), ":100\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"SETRANGE", "l", "0", "x"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"SETRANGE", "l", "0", ""}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"SETRANGE", "k", "0"}),
            "-ERR wrong number of arguments for 'setrange' command\r\n");
}

TEST(StringFamily, Lcs) {
  Harness h;
  EXPECT_EQ(h.run({"SET", "a", "ohmytext"}), "+OK\r\n");
  EXPECT_EQ(h.run({"SET", "b", "mynewtext"}), "+OK\r\n");
  EXPECT_EQ(h.run({"LCS", "a", "b"}), "$6\r\nmytext\r\n");
  EXPECT_EQ(h.run({"LCS", "a", "b", "LEN"}), ":6\r\n");
  EXPECT_EQ(h.run({"LCS", "a", "b", "IDX"}),
            "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n");
  EXPECT_EQ(h.run({"LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}),
            "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n");
  EXPECT_EQ(h.run({"LCS", "a", "b", "IDX", "WITHMATCHLEN"}),
            "*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n");
  EXPECT_EQ(h.run({"LCS", "a", "b", "WITHMATCHLEN"}), "$6\r\nmytext\r\n");
  EXPECT_EQ(h.run({"LCS", "a", "b", "MINMATCHLEN", "100"}), "$6\r\nmytext\r\n");
  EXPECT_EQ(h.run({"SET", "c", "abcdefg"}), "+OK\r\n");
  EXPECT_EQ(h.run({"SET", "d", "xbcxdefx"}), "+OK\r\n");
  EXPECT_EQ(h.run({"LCS", "c", "d", "idx", "withmatchlen"}),
            "*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:3\r\n:5\r\n*2\r\n:4\r\n:6\r\n:3\r\n*3\r\n*2\r\n:1\r\n:2\r\n*2\r\n:1\r\n:2\r\n:2\r\n$3\r\nlen\r\n:5\r\n");
  EXPECT_EQ(h.run({"LCS", "c", "d", "idx", "minmatchlen", "-5"}),
            "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:3\r\n:5\r\n*2\r\n:4\r\n:6\r\n*2\r\n*2\r\n:1\r\n:2\r\n*2\r\n:1\r\n:2\r\n$3\r\nlen\r\n:5\r\n");
  EXPECT_EQ(h.run({"LCS", "c", "d", "len"}), ":5\r\n");
  EXPECT_EQ(h.run({"SET", "e", "aaaa"}), "+OK\r\n");
  EXPECT_EQ(h.run({"SET", "f", "aa"}), "+OK\r\n");
  EXPECT_EQ(h.run({"LCS", "e", "f", "idx", "withmatchlen"}),
            "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:2\r\n");
  EXPECT_EQ(h.run({"LCS", "e", "e", "idx"}),
            "*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:0\r\n:3\r\n*2\r\n:0\r\n:3\r\n$3\r\nlen\r\n:4\r\n");
  EXPECT_EQ(h.run({"LCS", "e", "e"}), "$4\r\naaaa\r\n");
  EXPECT_EQ(h.run({"LCS", "a", "nokey"}), "$0\r\n\r\n");
  EXPECT_EQ(h.run({"LCS", "nokey", "a", "LEN"}), ":0\r\n");
  EXPECT_EQ(h.run({"LCS", "nokey", "nokey2", "IDX"}),
            "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n");
  EXPECT_EQ(h.run({"LCS", "a", "b", "LEN", "IDX"}),
            "-ERR If you want both the length and indexes, please just use IDX.\r\n");
  EXPECT_EQ(h.run({"LCS", "a", "b", "MINMATCHLEN"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"LCS", "a", "b", "MINMATCHLEN", "x"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"LCS", "a", "b", "foo"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"LCS", "nokey", "nokey2", "foo"}), "-ERR syntax error\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"LCS", "l", "a"}),
            "-ERR The specified keys must contain string values\r\n");
  EXPECT_EQ(h.run({"LCS", "a", "l"}),
            "-ERR The specified keys must contain string values\r\n");
  EXPECT_EQ(h.run({"LCS", "l", "a", "foo"}),
            "-ERR The specified keys must contain string values\r\n");
  EXPECT_EQ(h.run({"LCS", "a"}), "-ERR wrong number of arguments for 'lcs' command\r\n");
  EXPECT_EQ(h.run({"SET", "n1", "12345"}), "+OK\r\n");
  EXPECT_EQ(h.run({"SET", "n2", "2345"}), "+OK\r\n");
  EXPECT_EQ(h.run({"LCS", "n1", "n2"}), "$4\r\n2345\r\n");
}

}  // namespace
