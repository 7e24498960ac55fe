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
  EXPECT_EQ(h.run({"get", "k"}, 1), bulk("v"));  // the other worker's view
  EXPECT_EQ(h.run({"set", "k", "v2", "NX"}), kNil);
  EXPECT_EQ(h.run({"set", "k", "v2", "XX", "GET"}), bulk("v"));
  EXPECT_EQ(h.run({"set", "k2", "x", "XX"}), kNil);
  EXPECT_EQ(h.run({"get"}), error("ERR wrong number of arguments for 'get' command"));
  EXPECT_EQ(h.run({"set", "k", "v", "nx", "xx"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"set", "k", "v", "ex", "0"}), error("ERR invalid expire time in 'set' command"));
  EXPECT_EQ(h.run({"set", "k", "v", "ex", "abc"}),
            error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"set", "k", "v", "keepttl", "ex", "1"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"set", "k", "v", "persist"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"set", "k", "v", "ex", "10", "ex", "10"}), kOk);
  EXPECT_EQ(h.run({"set", "k", "v", "exat", "1"}), kOk);
  EXPECT_EQ(h.run({"get", "k"}), kNil);  // expired at once
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
  h.run({"MGET", "a", "b", "c"});  // 2 hits, 1 miss
  h.run({"GET", "c"});             // 1 miss
  h.run({"STRLEN", "a"});          // 1 hit
  h.run({"INCR", "a"});            // write lookups count nothing
  h.run({"APPEND", "b", "x"});
  h.run({"SETNX", "a", "x"});
  h.run({"GETRANGE", "b", "0", "1"});  // 1 hit
  h.run({"LCS", "a", "z"});            // 1 hit, 1 miss
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
      {"decrby", 3, 1, 1, 1, kCmdWrite | kCmdDenyOom | kCmdFast, kAclWrite | kAclString | kAclFast},
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
  EXPECT_EQ(h.run({"SETEX", "k", "0", "v"}), "-ERR invalid expire time in 'setex' command\r\n");
  EXPECT_EQ(h.run({"SETEX", "k", "-5", "v"}), "-ERR invalid expire time in 'setex' command\r\n");
  EXPECT_EQ(h.run({"PSETEX", "k", "0", "v"}), "-ERR invalid expire time in 'psetex' command\r\n");
  EXPECT_EQ(h.run({"SETEX", "k", "abc", "v"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"SETEX", "k", "9223372036854775807", "v"}),
            "-ERR invalid expire time in 'setex' command\r\n");
  EXPECT_EQ(h.run({"PSETEX", "k", "9223372036854775807", "v"}),
            "-ERR invalid expire time in 'psetex' command\r\n");
  EXPECT_EQ(h.run({"SETEX", "k", "1.5", "v"}), "-ERR value is not an integer or out of range\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"SETEX", "l", "100", "v"}), "+OK\r\n");
  EXPECT_EQ(h.run({"GET", "l"}), "$1\r\nv\r\n");
  EXPECT_EQ(h.run({"SETEX", "k", "100"}), "-ERR wrong number of arguments for 'setex' command\r\n");
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
  EXPECT_EQ(h.run({"GETDEL", "k", "k"}), "-ERR wrong number of arguments for 'getdel' command\r\n");
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
  EXPECT_EQ(h.run({"GETEX", "k", "ex", "0"}), "-ERR invalid expire time in 'getex' command\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "px", "-1"}), "-ERR invalid expire time in 'getex' command\r\n");
  EXPECT_EQ(h.run({"GETEX", "k", "ex", "abc"}), "-ERR value is not an integer or out of range\r\n");
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
  EXPECT_EQ(h.run({"MGET", "a", "b", "c", "d"}), "*4\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n$-1\r\n");
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
  EXPECT_EQ(h.run({"DECRBY", "k", "-9223372036854775808"}), "-ERR decrement would overflow\r\n");
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
  EXPECT_EQ(h.run({"SET", "big", "12345678901234567890123456789012345678901234567890"}), "+OK\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "big"}), "$3\r\nraw\r\n");
  EXPECT_EQ(h.run({"INCR"}), "-ERR wrong number of arguments for 'incr' command\r\n");
  EXPECT_EQ(h.run({"INCR", "k", "k"}), "-ERR wrong number of arguments for 'incr' command\r\n");
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
            "$402\r\n-"
            "10000000000000000000281880683947586514586453433629052038625910693539685534008629862039"
            "36399484832416052209405392731761620029582277725925573402382897659334066101779744743454"
            "61739178624481166749717237789438243915933380474706750262466844013592375136038303437354"
            "85505244955964979021825038280091068414947402456898653040951017512658092615827588920183"
            "472511643316591362664138176309734806343732497430221946880\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "g", "1e308"}),
            "$402\r\n-"
            "10000000000000000000281880683947586514586453433629052038625910693539685534008629862039"
            "36399484832416052209405392731761620029582277725925573402382897659334066101779744743454"
            "61739178624481166749717237789438243915933380474706750262466844013592375136038303437354"
            "85505244955964979021825038280091068414947402456898653040951017512658092615827588920183"
            "472511643316591362664138176309734806343732497430221946880\r\n");
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
  EXPECT_EQ(
      h.run({"INCRBYFLOAT", "nx15", "1e4000"}),
      "$4000\r\n99999999999999999999654638730996237849324925835069576313015083330432619433063423554"
      "81821641865509279862764452073123673540217602217367592344172125881950527999961428582434354754"
      "50187095821429074130114301467044502626084944345627533374234082255914622044077450269914711681"
      "83077755667735712064920363129633973687618260795381616120367246810279804189450718573338020195"
      "73184376407974737742100582963439581302474746605828071068162266095350249109360981931695942123"
      "25387236235572071786785993199711696782353517534488641743594882749266842422451493159696512492"
      "84265573130072720036541816066378296487180263326234459646595994116886736124012170125981205574"
      "89288735334437118479345590827013160426634334036145971611294094499267930097645158316924242084"
      "44400504627578931685426469896253751960480464820255883181332019908227481067854696666210627249"
      "70069961865292020466121979279650306630160536120556820608551709890210699984763046681668687983"
      "27849305544516958630545705436267868123963090419840720786295093297923233166989307185493468005"
      "96351355605227392652481506453586303495117711566598560617166670824275619896230386187135471918"
      "13819613796717619389847045050739216189071442724498289158390839780379932804525595869655041993"
      "68256134650271468844247174823646278663567437132739306516943311285144568895817811521270234335"
      "02320280992343931353716868579231427277166784731040245945314918349069276953832951624324292710"
      "54471759749565659498592598802572666234324316609867512586008163483208377278523523718188966483"
      "43700947852991058969433541705132345122524048434688325138322933085183721655672137865396358471"
      "03506721416736061711952760527235477144743756093290878935518104108197897176234655756823076757"
      "40273022934605449687520817686568248799943763551639203003850959196886786709077609871876617934"
      "34717175760350651419537956103182910121364884637262102263204295329279620360536203761315194554"
      "05318893421840931624641073865620385213899249244440402634221049961914087685592127798877867694"
      "78921528068549507850680147271255367397026569626119644014361879348858034206112867451348386654"
      "15365691409110464038694668899344879845822942763373039719688602810444439928037135468898274565"
      "35363005944625616997868906559342084845603827436656722529954935268365077016055190811601172388"
      "03151763813908217440871911590148404664084220364632641829284347801811677469773987430424494131"
      "05215463884123801578726746967721334558724520471115335862516435283282393832140500259762370795"
      "90719541812226030833100603021010496251168945891286948052102543013404738222814135055439439021"
      "01883268635387530831903295781496173927353253456072938040197896131072044397290553241069211263"
      "22671020066709317012835936925695594694910121291991133040352454029415895421330627924576068200"
      "47089253679243514307913738277444034619600259399968366935317655368005431792164842358163978166"
      "42317164595395104567532653379982566645292008529390494688554192890977853032949464497522587918"
      "82954794558753338748235175173730073178466259683916437044889075282877916869627991289792183586"
      "84967929118907413640552698863210473761320595915047363159961659256484295243985803317970236819"
      "97533066983622014015064794076992363965215196546615971323097373819739031418895480317131817719"
      "68965861360007055846791276712592611475612847974647898601585527666227738929689128212619681144"
      "40990558897494398092794843195009826834645964923030568997854202993279243648645289673592500419"
      "47825875164734576243526394800901095072957350204604567256381459570223173977842090339987212549"
      "61060890916634094880983552750508881669349308347772834504388303087113341878104141612215788330"
      "20683598118389550166550202002064058921084890241600315636162687316083622556634775026951259974"
      "67868601713268068310290876536603411647088088024540228816990493921395740167561461926444158208"
      "39590797897050551922334947406004738872332042844089285302334417905996381190171610168845316435"
      "53346123590208606793593500506300145052217458177244309653838919998912873167932654534827895778"
      "80617620188070176025151868532055898759099107080793336050470101157384781054767505501500206298"
      "64357825543441956972190272729951206648276349901340672\r\n");
  EXPECT_EQ(
      h.run({"INCRBYFLOAT", "nx15", "1e4000"}),
      "$4001\r\n19999999999999999999930927746199247569864985167013915262603016666086523886612684710"
      "96364328373101855972552890414624734708043520443473518468834425176390105599992285716486870950"
      "90037419164285814826022860293408900525216988869125506674846816451182924408815490053982942336"
      "36615551133547142412984072625926794737523652159076323224073449362055960837890143714667604039"
      "14636875281594947548420116592687916260494949321165614213632453219070049821872196386339188424"
      "65077447247114414357357198639942339356470703506897728348718976549853368484490298631939302498"
      "56853114626014544007308363213275659297436052665246891929319198823377347224802434025196241114"
      "97857747066887423695869118165402632085326866807229194322258818899853586019529031663384848416"
      "88880100925515786337085293979250750392096092964051176636266403981645496213570939333242125449"
      "94013992373058404093224395855930061326032107224111364121710341978042139996952609336333737596"
      "65569861108903391726109141087253573624792618083968144157259018659584646633397861437098693601"
      "19270271121045478530496301290717260699023542313319712123433334164855123979246077237427094383"
      "62763922759343523877969409010147843237814288544899657831678167956075986560905119173931008398"
      "73651226930054293768849434964729255732713487426547861303388662257028913779163562304254046867"
      "00464056198468786270743373715846285455433356946208049189062983669813855390766590324864858542"
      "10894351949913131899718519760514533246864863321973502517201632696641675455704704743637793296"
      "68740189570598211793886708341026469024504809686937665027664586617036744331134427573079271694"
      "20701344283347212342390552105447095428948751218658175787103620821639579435246931151364615351"
      "48054604586921089937504163537313649759988752710327840600770191839377357341815521974375323586"
      "86943435152070130283907591220636582024272976927452420452640859065855924072107240752263038910"
      "81063778684368186324928214773124077042779849848888080526844209992382817537118425559775573538"
      "95784305613709901570136029454251073479405313925223928802872375869771606841222573490269677330"
      "83073138281822092807738933779868975969164588552674607943937720562088887985607427093779654913"
      "07072601188925123399573781311868416969120765487331344505990987053673015403211038162320234477"
      "60630352762781643488174382318029680932816844072926528365856869560362335493954797486084898826"
      "21043092776824760315745349393544266911744904094223067172503287056656478766428100051952474159"
      "18143908362445206166620120604202099250233789178257389610420508602680947644562827011087887804"
      "20376653727077506166380659156299234785470650691214587608039579226214408879458110648213842252"
      "64534204013341863402567187385139118938982024258398226608070490805883179084266125584915213640"
      "09417850735848702861582747655488806923920051879993673387063531073601086358432968471632795633"
      "28463432919079020913506530675996513329058401705878098937710838578195570606589892899504517583"
      "76590958911750667749647035034746014635693251936783287408977815056575583373925598257958436717"
      "36993585823781482728110539772642094752264119183009472631992331851296859048797160663594047363"
      "99506613396724402803012958815398472793043039309323194264619474763947806283779096063426363543"
      "93793172272001411169358255342518522295122569594929579720317105533245547785937825642523936228"
      "88198111779498879618558968639001965366929192984606113799570840598655848729729057934718500083"
      "89565175032946915248705278960180219014591470040920913451276291914044634795568418067997442509"
      "92212178183326818976196710550101776333869861669554566900877660617422668375620828322443157666"
      "04136719623677910033310040400412811784216978048320063127232537463216724511326955005390251994"
      "93573720342653613662058175307320682329417617604908045763398098784279148033512292385288831641"
      "67918159579410110384466989481200947774466408568817857060466883581199276238034322033769063287"
      "10669224718041721358718700101260029010443491635448861930767783999782574633586530906965579155"
      "76123524037614035205030373706411179751819821416158667210094020231476956210953501100300041259"
      "728715651086883913944380545459902413296552699802681344\r\n");
  EXPECT_EQ(h.run({"SET", "h", "1"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "h", "1"}), "$1\r\n2\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "h"}), "$6\r\nembstr\r\n");
  EXPECT_EQ(h.run({"SET", "m", "1.7976931348623157e308"}), "+OK\r\n");
  EXPECT_EQ(h.run({"INCRBYFLOAT", "m", "1.7976931348623157e308"}),
            "$309\r\n359538626972463139991842093548208868096772893888658356970628841530353257046248"
            "79270940373721677417112885758683885104137861741672690227211071579455605295523414699795"
            "53725767896712363265880911888698590748945812549613388347692977582455524366671979077056"
            "64206565009503223382416235440319971852753604933726679072768\r\n");
  EXPECT_EQ(
      h.run({"INCRBYFLOAT", "ovf", "1e4932"}),
      "$4933\r\n10000000000000000000060189493879638913238377742545331147737850413525330194866087224"
      "07533327779433142773666525563666277682061860906440460336623416164931097542108653623739947237"
      "82427360775564628207733774677062828108346124470945764363340927284485142091466676540833985649"
      "77383067564541370376184404761829828659540540463209082995559423213025033206020800702082036239"
      "21079151881460203745014774931620490030394998719312614654064081373493248877120892455186383753"
      "43919787097804150279771688019395540310772191163864625693948419729312816032948236099699577948"
      "92248592640341469490871948207942224336878492845619872301340063054145536263236148644795650793"
      "90052761980633463640128979696615362545507608303960553830866145592644372289102918602696741767"
      "74129715399835926313589798584969763867831058680372002464759306604407032376174743937515194999"
      "41915288761722740345612384656895309140024962085474884522492198210492176903592465943261885372"
      "00846025476936856707726986425804304053688317572380292690880454677852210458790733177421098965"
      "34638384553301619296565337753342109755377320210545255958936022773255084354571746971521129302"
      "92771006499515792794632128752287687008272746299513315849942032437084121909483156147986417210"
      "54158397351395747758548328754270534225721361640356227816080094892433366902417454242382629232"
      "27754402660964025532555781432158032534035233066061764232669614025723955254912107198518944384"
      "67776233348819291897737070084034665952048387336216332733836319448569894841384449783866560587"
      "55310848833689791896484998847550364264104800800578245511762594691161545730891319744107953897"
      "99310100821760126931062989030835789379334434007283778271641052081864009977109440177202473108"
      "48358606899365330357268541753961953517680965193109446314459236380532145759933784687752928658"
      "71435742249777979822775014324475845899615096380079899099538453121043851821349178371736640702"
      "64530428425488543761144169036061646636820219430776946220996338769044657669196955157104194128"
      "83026489128273451942862711222303478232460734982851537085795000626562227149541133292939533464"
      "95615947784091175883554988117167387650681525781361864450364992605079129770604793291076559668"
      "04115355825476577428883133065867691029650653834398269907682414770607740118550133705367687544"
      "08631136301720679022238378385258021814060039426065076098263200151938076330355866615391504256"
      "05940691768637845815434184585255915074081317250319572700370579877977177644345205933505850374"
      "21277906483714624276503471456946430686578482993644575489382521399571013756775034255676232913"
      "79733879130473005548417375068001549841986869239652861470792732035610046473652860498767907882"
      "88301130050437207489067798842078443360167772245834103629301041345252122743437501935254370757"
      "04987852683828381070534301015328398595855074166137400121232317256223003729059767502927886548"
      "95702688036180015202807485884818586323321454221815245009705337388586528816257381589558404693"
      "34830106366243262210429210258173978186522208306814207038831590332622155464159216193005478809"
      "31377266140644932198952990899040759971726535488708102762241216576479310624630991098475786962"
      "79827008850552599009735671284984377826714926103510888582714633874958330218193185487055586063"
      "95846070390500323204636339383655528123657438115225035433947543876805317781492691295772410403"
      "74645677417566688450317550441527082425875030565378847388267103834048127818864801364745019043"
      "14697372770080030412046938591535440580591083845165412615211270881164023496791513172273951836"
      "28490922161336429757386698401928682323657056924758648793848799822907606679071280964393541325"
      "12923168245666912345014087912013793154865253760150865620918348692838451584297376016360175623"
      "06978267792372750784718242586643821337598761515375325984295219997584310180870018174853009194"
      "79583171049967781322202936864648780744025361452947117776701129210049872555316467204668470989"
      "13020373339134950170871318124406892119958731482397456823417479242913979908858779466652876998"
      "66028203759680454452092198755966788779121033369498941423781736486921308541778980201946296703"
      "11101994938157038765957014792056173739623614871557317714453597336202068774935086409386414223"
      "37514176560175826841876411465105308828100924824611019508436446892683757299287011041141487877"
      "06163978173345293674032380616996320892935431181852998812804634818006962019667235119225560784"
      "83839325067415562633057448408746541808590342228476964416681055875561781810005936328191844815"
      "91565871968352284597990101833505000624639202765714958033231973966037670718042916628065825843"
      "47733627645632771342205257798698938328248664229099284849393749640713862480885924081427236465"
      "33801882861736205992781965360090000802821408763787641023437653119263757280212773694655213507"
      "07571762252116022718715763163558368213008936468254300729204200997615013518941592341324410000"
      "64210828173949883002657344226775481007418296828426683344723149287029686162046917173667986429"
      "16146473018363370523427203416579250811577900985980957404830019403600361860520985937973506956"
      "557739754741783354728589350876379371163141086538418113791886622720\r\n");
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
  EXPECT_EQ(h.run({"GETRANGE", "k", "a", "1"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"GETRANGE", "k", "0", "b"}), "-ERR value is not an integer or out of range\r\n");
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
  EXPECT_EQ(h.run({"GET", "k"}), std::string("$11\r\nhello\x00"
                                             "world\r\n",
                                             18));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "k"}), "$3\r\nraw\r\n");
  EXPECT_EQ(h.run({"SETRANGE", "k", "0", "J"}), ":11\r\n");
  EXPECT_EQ(h.run({"GET", "k"}), std::string("$11\r\nJello\x00"
                                             "world\r\n",
                                             18));
  EXPECT_EQ(h.run({"SETRANGE", "n", "3", "ab"}), ":5\r\n");
  EXPECT_EQ(h.run({"GET", "n"}), std::string("$5\r\n\x00"
                                             "\x00"
                                             "\x00"
                                             "ab\r\n",
                                             11));
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
            "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:"
            "2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n");
  EXPECT_EQ(h.run({"LCS", "a", "b", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}),
            "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$"
            "3\r\nlen\r\n:6\r\n");
  EXPECT_EQ(h.run({"LCS", "a", "b", "IDX", "WITHMATCHLEN"}),
            "*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*"
            "2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n");
  EXPECT_EQ(h.run({"LCS", "a", "b", "WITHMATCHLEN"}), "$6\r\nmytext\r\n");
  EXPECT_EQ(h.run({"LCS", "a", "b", "MINMATCHLEN", "100"}), "$6\r\nmytext\r\n");
  EXPECT_EQ(h.run({"SET", "c", "abcdefg"}), "+OK\r\n");
  EXPECT_EQ(h.run({"SET", "d", "xbcxdefx"}), "+OK\r\n");
  EXPECT_EQ(h.run({"LCS", "c", "d", "idx", "withmatchlen"}),
            "*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:3\r\n:5\r\n*2\r\n:4\r\n:6\r\n:3\r\n*3\r\n*"
            "2\r\n:1\r\n:2\r\n*2\r\n:1\r\n:2\r\n:2\r\n$3\r\nlen\r\n:5\r\n");
  EXPECT_EQ(h.run({"LCS", "c", "d", "idx", "minmatchlen", "-5"}),
            "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:3\r\n:5\r\n*2\r\n:4\r\n:6\r\n*2\r\n*2\r\n:"
            "1\r\n:2\r\n*2\r\n:1\r\n:2\r\n$3\r\nlen\r\n:5\r\n");
  EXPECT_EQ(h.run({"LCS", "c", "d", "len"}), ":5\r\n");
  EXPECT_EQ(h.run({"SET", "e", "aaaa"}), "+OK\r\n");
  EXPECT_EQ(h.run({"SET", "f", "aa"}), "+OK\r\n");
  EXPECT_EQ(h.run({"LCS", "e", "f", "idx", "withmatchlen"}),
            "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$"
            "3\r\nlen\r\n:2\r\n");
  EXPECT_EQ(
      h.run({"LCS", "e", "e", "idx"}),
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
  EXPECT_EQ(h.run({"LCS", "l", "a"}), "-ERR The specified keys must contain string values\r\n");
  EXPECT_EQ(h.run({"LCS", "a", "l"}), "-ERR The specified keys must contain string values\r\n");
  EXPECT_EQ(h.run({"LCS", "l", "a", "foo"}),
            "-ERR The specified keys must contain string values\r\n");
  EXPECT_EQ(h.run({"LCS", "a"}), "-ERR wrong number of arguments for 'lcs' command\r\n");
  EXPECT_EQ(h.run({"SET", "n1", "12345"}), "+OK\r\n");
  EXPECT_EQ(h.run({"SET", "n2", "2345"}), "+OK\r\n");
  EXPECT_EQ(h.run({"LCS", "n1", "n2"}), "$4\r\n2345\r\n");
}

}  // namespace
