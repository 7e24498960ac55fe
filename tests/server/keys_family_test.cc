// Tests of the keys family (generic keyspace and TTL commands) through the command dispatcher.
// Expected replies were taken from redis-server 7.0.15.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "commands/match.h"
#include "harness.h"
#include "server/maintenance.h"

namespace {

using namespace stmkv_test;

// Parses a RESP reply made of (nested) arrays of bulk strings into the flat list of bulks.
std::vector<std::string> bulks(const std::string& resp) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < resp.size()) {
    size_t eol = resp.find("\r\n", i);
    if (resp[i] == '$') {
      long n = std::stol(resp.substr(i + 1, eol - i - 1));
      if (n >= 0) {
        out.push_back(resp.substr(eol + 2, size_t(n)));
        i = eol + 2 + size_t(n) + 2;
        continue;
      }
    }
    i = eol + 2;
  }
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// SCAN reply -> (next cursor, keys).
std::pair<std::string, std::vector<std::string>> scan_reply(const std::string& resp) {
  std::vector<std::string> b = bulks(resp);
  EXPECT_FALSE(b.empty()) << resp;
  if (b.empty()) return {};
  std::string cursor = b[0];
  b.erase(b.begin());
  return {cursor, b};
}

TEST(KeysFamily, DelExistsTouchUnlink) {
  Harness h;
  EXPECT_EQ(h.run({"set", "a", "1"}), kOk);
  EXPECT_EQ(h.run({"set", "b", "2"}), kOk);
  EXPECT_EQ(h.run({"exists", "a", "a", "b", "c"}), integer(3));  // repeats count
  EXPECT_EQ(h.run({"touch", "a", "a", "c"}), integer(2));
  EXPECT_EQ(h.run({"del", "a", "a", "c"}), integer(1));
  EXPECT_EQ(h.run({"exists", "a"}, 1), integer(0));
  EXPECT_EQ(h.run({"unlink", "b", "b"}), integer(1));
  EXPECT_EQ(h.run({"del"}), error("ERR wrong number of arguments for 'del' command"));
  EXPECT_EQ(h.run({"exists"}), error("ERR wrong number of arguments for 'exists' command"));
}

TEST(KeysFamily, Type) {
  Harness h;
  EXPECT_EQ(h.run({"type", "nokey"}), "+none\r\n");
  h.run({"set", "s", "hello"});
  EXPECT_EQ(h.run({"type", "s"}), "+string\r\n");
  EXPECT_EQ(h.run({"type", "s", "x"}), error("ERR wrong number of arguments for 'type' command"));
}

TEST(KeysFamily, RenameAndRenameNx) {
  Harness h;
  EXPECT_EQ(h.run({"rename", "nokey", "x"}), error("ERR no such key"));
  EXPECT_EQ(h.run({"rename", "nokey", "nokey"}), error("ERR no such key"));
  EXPECT_EQ(h.run({"renamenx", "nokey", "x"}), error("ERR no such key"));
  h.run({"set", "a", "1"});
  h.run({"set", "b", "2"});
  EXPECT_EQ(h.run({"rename", "a", "a"}), kOk);
  EXPECT_EQ(h.run({"renamenx", "a", "a"}), integer(0));
  EXPECT_EQ(h.run({"renamenx", "a", "b"}), integer(0));
  EXPECT_EQ(h.run({"renamenx", "a", "d"}), integer(1));
  EXPECT_EQ(h.run({"exists", "a"}), integer(0));
  EXPECT_EQ(h.run({"get", "d"}, 1), bulk("1"));
  // RENAME overwrites, and the TTL travels with the value (and is cleared on the target).
  EXPECT_EQ(h.run({"set", "t", "v", "px", "100000"}), kOk);
  EXPECT_EQ(h.run({"expire", "b", "500"}), integer(1));
  EXPECT_EQ(h.run({"rename", "d", "b"}), kOk);
  EXPECT_EQ(h.run({"ttl", "b"}), integer(-1));
  EXPECT_EQ(h.run({"get", "b"}), bulk("1"));
  EXPECT_EQ(h.run({"rename", "t", "t2"}), kOk);
  std::string pttl = h.run({"pttl", "t2"});
  EXPECT_GT(std::stol(pttl.substr(1)), 99000) << pttl;
  EXPECT_EQ(h.run({"get", "t2"}), bulk("v"));
  EXPECT_EQ(h.run({"dbsize"}), integer(2));
}

TEST(KeysFamily, Copy) {
  Harness h;
  h.run({"set", "b", "2"});
  h.run({"set", "c", "3"});
  EXPECT_EQ(h.run({"copy", "b", "b"}), error("ERR source and destination objects are the same"));
  EXPECT_EQ(h.run({"copy", "b", "x", "db", "16"}), error("ERR DB index is out of range"));
  EXPECT_EQ(h.run({"copy", "b", "x", "db", "-1"}), error("ERR DB index is out of range"));
  EXPECT_EQ(h.run({"copy", "b", "x", "db"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"copy", "b", "x", "foo"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"copy", "b", "x", "db", "abc"}),
            error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"copy", "b", "x", "db", "4294967296"}),
            error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"copy", "b"}), error("ERR wrong number of arguments for 'copy' command"));
  EXPECT_EQ(h.run({"copy", "nokey", "x"}), integer(0));
  EXPECT_EQ(h.run({"copy", "b", "c"}), integer(0));
  EXPECT_EQ(h.run({"copy", "b", "c", "replace"}), integer(1));
  EXPECT_EQ(h.run({"get", "c"}), bulk("2"));
  // The copy is independent of its source.
  h.run({"set", "b", "changed"});
  EXPECT_EQ(h.run({"get", "c"}), bulk("2"));
  EXPECT_EQ(h.run({"copy", "b", "b", "db", "1"}), integer(1));
  EXPECT_EQ(h.run({"copy", "b", "b", "db", "1"}), integer(0));
  EXPECT_EQ(h.run({"copy", "b", "b", "DB", "1", "REPLACE"}), integer(1));
  // TTL and encoding are copied.
  h.run({"set", "k", "v", "px", "100000"});
  EXPECT_EQ(h.run({"copy", "k", "k3", "db", "2"}), integer(1));
  h.client(1).db = 2;
  std::string pttl = h.run({"pttl", "k3"}, 1);
  EXPECT_GT(std::stol(pttl.substr(1)), 99000) << pttl;
  EXPECT_EQ(h.run({"object", "encoding", "k3"}, 1), bulk("embstr"));
  EXPECT_EQ(h.run({"get", "k3"}, 1), bulk("v"));
  h.client(1).db = 1;
  EXPECT_EQ(h.run({"get", "b"}, 1), bulk("changed"));
}

TEST(KeysFamily, Move) {
  Harness h;
  h.run({"set", "d", "v"});
  EXPECT_EQ(h.run({"move", "d", "0"}), error("ERR source and destination objects are the same"));
  EXPECT_EQ(h.run({"move", "d", "16"}), error("ERR DB index is out of range"));
  EXPECT_EQ(h.run({"move", "d", "-1"}), error("ERR DB index is out of range"));
  EXPECT_EQ(h.run({"move", "d", "abc"}), error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"move", "nokey", "1"}), integer(0));
  EXPECT_EQ(h.run({"expire", "d", "100"}), integer(1));
  EXPECT_EQ(h.run({"move", "d", "1"}), integer(1));
  EXPECT_EQ(h.run({"exists", "d"}), integer(0));
  h.client(1).db = 1;
  EXPECT_EQ(h.run({"get", "d"}, 1), bulk("v"));
  EXPECT_EQ(h.run({"ttl", "d"}, 1), integer(100));
  h.run({"set", "d", "other"});
  EXPECT_EQ(h.run({"move", "d", "1"}), integer(0));  // exists in the target
  EXPECT_EQ(h.run({"get", "d"}), bulk("other"));
}

// KEYS with Redis's glob rules; expectations from redis-server 7.0.15 on the same keys.
TEST(KeysFamily, KeysGlobPatterns) {
  Harness h;
  const std::vector<std::string> keys = {"hello",
                                         "hallo",
                                         "hxllo",
                                         "hllo",
                                         "heeeello",
                                         "h*llo",
                                         "h?llo",
                                         "a[b",
                                         "a]b",
                                         "a-b",
                                         "ab",
                                         "a\\b",
                                         "x",
                                         "Hello",
                                         "hel",
                                         "a^b",
                                         "abc",
                                         "a\xe9"
                                         "b"};
  for (const std::string& k : keys) ASSERT_EQ(h.run({"set", k, "1"}), kOk);
  struct Case {
    std::string pattern;
    std::vector<std::string> expected;
  };
  const std::vector<Case> cases = {
      {"h?llo", {"h*llo", "h?llo", "hallo", "hello", "hxllo"}},
      {"h*llo", {"h*llo", "h?llo", "hallo", "heeeello", "hello", "hllo", "hxllo"}},
      {"h[ae]llo", {"hallo", "hello"}},
      {"h[^e]llo", {"h*llo", "h?llo", "hallo", "hxllo"}},
      {"h[a-b]llo", {"hallo"}},
      {"h[b-a]llo", {"hallo"}},
      {"h\\*llo", {"h*llo"}},
      {"h\\?llo", {"h?llo"}},
      {"a[[]b", {"a[b"}},
      {"a[]]b", {}},
      {"a[\\]]b", {"a]b"}},
      {"a\\[b", {"a[b"}},
      {"a[-]b", {"a-b"}},
      {"a[^a-z]b",
       {"a-b", "a[b", "a\\b", "a]b", "a^b",
        "a\xe9"
        "b"}},
      {"a[a-]b", {"ab"}},
      {"a?b",
       {"a-b", "a[b", "a\\b", "a]b", "a^b",
        "a\xe9"
        "b"}},
      {"*llo", {"Hello", "h*llo", "h?llo", "hallo", "heeeello", "hello", "hllo", "hxllo"}},
      {"*l*o", {"Hello", "h*llo", "h?llo", "hallo", "heeeello", "hello", "hllo", "hxllo"}},
      {"h*", {"h*llo", "h?llo", "hallo", "heeeello", "hel", "hello", "hllo", "hxllo"}},
      {"[", {}},
      {"a[", {}},
      {"a[b", {"ab"}},
      {"a[^", {"ab"}},
      {"h**o", {"h*llo", "h?llo", "hallo", "heeeello", "hello", "hllo", "hxllo"}},
      {"a\\\\b", {"a\\b"}},
      {"hel\\", {}},
      {"hel[", {}},
      {"hello[]", {}},
      {"[h]ello", {"hello"}},
      {"a[\\^]b", {"a^b"}},
      {"?", {"x"}},
      {"??", {"ab"}},
      {"a*c", {"abc"}},
      {"*e*e*e*e*o", {"heeeello"}},
      {"H*", {"Hello"}},
      {"[a-z]?b",
       {"a-b", "a[b", "a\\b", "a]b", "a^b",
        "a\xe9"
        "b"}},
      {"a[\xe0-\xf0]b",
       {"a\xe9"
        "b"}},
      {"nomatch*", {}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(sorted(bulks(h.run({"keys", c.pattern}))), c.expected) << c.pattern;
  }
  EXPECT_EQ(sorted(bulks(h.run({"keys", "*"}))), sorted(keys));
  EXPECT_EQ(sorted(bulks(h.run({"keys", "**"}))), sorted(keys));
  EXPECT_TRUE(stmkv::string_match("HeLLo", "hello", /*nocase=*/true));
  EXPECT_TRUE(stmkv::string_match("h[A-Z]llo", "hello", /*nocase=*/true));
  // An abusive pattern ends quickly (no exponential backtracking).
  EXPECT_FALSE(
      stmkv::string_match(std::string(60, '*') + "a*a*a*a*a*a*a*a*a*b", std::string(200, 'a')));
}

TEST(KeysFamily, ScanArguments) {
  Harness h;
  h.run({"set", "a", "1"});
  h.run({"set", "b", "2"});
  h.run({"set", "c", "3"});
  EXPECT_EQ(h.run({"scan", "0", "count", "0"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"scan", "0", "count", "-1"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"scan", "0", "count", "abc"}),
            error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"scan", "abc"}), error("ERR invalid cursor"));
  EXPECT_EQ(h.run({"scan", " 1"}), error("ERR invalid cursor"));
  EXPECT_EQ(h.run({"scan", "18446744073709551616"}), error("ERR invalid cursor"));
  EXPECT_EQ(h.run({"scan", "0", "match"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"scan", "0", "foo"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"scan"}), error("ERR wrong number of arguments for 'scan' command"));
  for (std::string c : {"0", "", "+0"}) {
    auto [next, keys] = scan_reply(h.run({"scan", c, "count", "100"}));
    EXPECT_EQ(next, "0");
    EXPECT_EQ(sorted(keys), (std::vector<std::string>{"a", "b", "c"})) << c;
  }
  EXPECT_EQ(scan_reply(h.run({"scan", "0", "type", "STRING", "count", "100"})).second.size(), 3u);
  EXPECT_EQ(h.run({"scan", "0", "type", "list", "count", "100"}), "*2\r\n$1\r\n0\r\n*0\r\n");
  EXPECT_EQ(h.run({"scan", "0", "type", "foo", "count", "100"}), "*2\r\n$1\r\n0\r\n*0\r\n");
  EXPECT_EQ(scan_reply(h.run({"scan", "0", "match", "a*", "count", "100"})).second,
            std::vector<std::string>{"a"});
  auto [next, all] = scan_reply(h.run({"scan", "0", "count", "9223372036854775807"}));
  EXPECT_EQ(next, "0");
  EXPECT_EQ(all.size(), 3u);
  // A cursor of all ones (as "-1" wraps) finishes the iteration after one step.
  EXPECT_EQ(scan_reply(h.run({"scan", "-1"})).first, "0");
}

TEST(KeysFamily, ScanFullIteration) {
  Harness h;
  std::set<std::string> all;
  for (int i = 0; i < 1000; ++i) {
    all.insert("k" + std::to_string(i));
    h.run({"set", "k" + std::to_string(i), "v"});
  }
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    auto [next, keys] = scan_reply(h.run({"scan", cursor, "count", "7"}, calls % 2));
    seen.insert(keys.begin(), keys.end());
    cursor = next;
    ++calls;
  } while (cursor != "0" && calls < 100000);
  EXPECT_EQ(seen, all);
  EXPECT_GT(calls, 10);
}

// Keys present from the first SCAN call to the last are all returned, while other keys are
// written and deleted and the table grows and shrinks (maintenance runs its resizes).
TEST(KeysFamily, ScanGuaranteeAcrossResizes) {
  Harness h(2, 2);
  std::set<std::string> stable;
  for (int i = 0; i < 300; ++i) {
    stable.insert("stable:" + std::to_string(i));
    h.run({"set", "stable:" + std::to_string(i), "v"});
  }
  std::set<std::string> seen;
  std::string cursor = "0";
  int step = 0, churn = 0;
  do {
    auto [next, keys] = scan_reply(h.run({"scan", cursor, "count", "5"}));
    seen.insert(keys.begin(), keys.end());
    cursor = next;
    // Alternate between growing (adding many keys) and shrinking (deleting them).
    if ((step / 8) % 2 == 0) {
      for (int j = 0; j < 400; ++j) h.run({"set", "churn:" + std::to_string(churn++), "x"}, 1);
    } else {
      for (int j = 0; j < 400 && churn > 0; ++j) {
        h.run({"del", "churn:" + std::to_string(--churn)}, 1);
      }
    }
    stmkv::run_maintenance(h.server().worker(step % 2));
    ++step;
  } while (cursor != "0" && step < 100000);
  for (const std::string& k : stable) EXPECT_TRUE(seen.count(k)) << k;
  EXPECT_GT(step, 20);
}

TEST(KeysFamily, RandomKey) {
  Harness h;
  EXPECT_EQ(h.run({"randomkey"}), kNil);
  h.run({"set", "only", "1"});
  EXPECT_EQ(h.run({"randomkey"}), bulk("only"));
  for (int i = 0; i < 50; ++i) h.run({"set", "k" + std::to_string(i), "v"});
  std::set<std::string> got;
  for (int i = 0; i < 200; ++i) {
    std::vector<std::string> b = bulks(h.run({"randomkey"}));
    ASSERT_EQ(b.size(), 1u);
    got.insert(b[0]);
  }
  EXPECT_GT(got.size(), 10u);
  EXPECT_EQ(h.run({"randomkey", "x"}),
            error("ERR wrong number of arguments for 'randomkey' command"));
}

TEST(KeysFamily, Object) {
  Harness h;
  h.run({"set", "s", "hello"});
  h.run({"set", "n", "12345"});
  h.run({"set", "big", "12345678901234567890123"});
  h.run({"set", "long", std::string(57, 'a')});
  h.run({"set", "z", "0"});
  h.run({"set", "m", "-1"});
  h.run({"set", "t", "9999"});
  EXPECT_EQ(h.run({"object", "encoding", "s"}), bulk("embstr"));
  EXPECT_EQ(h.run({"object", "ENCODING", "n"}), bulk("int"));
  EXPECT_EQ(h.run({"object", "encoding", "big"}), bulk("embstr"));
  EXPECT_EQ(h.run({"object", "encoding", "long"}), bulk("raw"));
  EXPECT_EQ(h.run({"object", "encoding", "nokey"}), kNil);
  EXPECT_EQ(h.run({"object", "refcount", "s"}), integer(1));
  EXPECT_EQ(h.run({"object", "refcount", "n"}), integer(1));
  EXPECT_EQ(h.run({"object", "refcount", "z"}), integer(2147483647));
  EXPECT_EQ(h.run({"object", "refcount", "m"}), integer(1));
  EXPECT_EQ(h.run({"object", "refcount", "t"}), integer(2147483647));
  EXPECT_EQ(h.run({"object", "refcount", "nokey"}), kNil);
  EXPECT_EQ(h.run({"object", "idletime", "s"}), integer(0));
  EXPECT_EQ(h.run({"object", "idletime", "nokey"}), kNil);
  EXPECT_EQ(h.run({"object", "freq", "nokey"}), kNil);
  EXPECT_EQ(h.run({"object", "freq", "s"}),
            error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
                  "Please note that when switching between policies at runtime LRU and LFU data "
                  "will take some time to adjust."));
  EXPECT_EQ(h.run({"object", "foo"}), error("ERR unknown subcommand 'foo'. Try OBJECT HELP."));
  EXPECT_EQ(h.run({"object"}), error("ERR wrong number of arguments for 'object' command"));
  EXPECT_EQ(h.run({"object", "encoding"}),
            error("ERR wrong number of arguments for 'object|encoding' command"));
  EXPECT_EQ(h.run({"object", "encoding", "a", "b"}),
            error("ERR wrong number of arguments for 'object|encoding' command"));
  EXPECT_EQ(h.run({"object", "help", "x"}),
            error("ERR wrong number of arguments for 'object|help' command"));
  std::string help = h.run({"object", "help"});
  EXPECT_EQ(help.rfind("*15\r\n+OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
                       "+ENCODING <key>\r\n",
                       0),
            0u);
  EXPECT_NE(help.find("+    Prints this help.\r\n"), std::string::npos);
}

TEST(KeysFamily, ExpireErrors) {
  Harness h;
  h.run({"set", "a", "1"});
  const std::string nxerr = "ERR NX and XX, GT or LT options at the same time are not compatible";
  EXPECT_EQ(h.run({"expire", "a", "10", "nx", "xx"}), error(nxerr));
  EXPECT_EQ(h.run({"expire", "a", "10", "nx", "gt"}), error(nxerr));
  EXPECT_EQ(h.run({"expire", "a", "10", "gt", "lt"}),
            error("ERR GT and LT options at the same time are not compatible"));
  EXPECT_EQ(h.run({"expire", "a", "10", "foo"}), error("ERR Unsupported option foo"));
  EXPECT_EQ(h.run({"expire", "a", "abc", "foo"}), error("ERR Unsupported option foo"));
  EXPECT_EQ(h.run({"expire", "a", "abc"}), error("ERR value is not an integer or out of range"));
  EXPECT_EQ(h.run({"expire", "a", "9223372036854775807"}),
            error("ERR invalid expire time in 'expire' command"));
  EXPECT_EQ(h.run({"expire", "a", "9223372036854770"}),
            error("ERR invalid expire time in 'expire' command"));
  EXPECT_EQ(h.run({"expire", "a", "-9223372036854775808"}),
            error("ERR invalid expire time in 'expire' command"));
  EXPECT_EQ(h.run({"pexpire", "a", "9223372036854775807"}),
            error("ERR invalid expire time in 'pexpire' command"));
  EXPECT_EQ(h.run({"expireat", "a", "9223372036854775807"}),
            error("ERR invalid expire time in 'expireat' command"));
  EXPECT_EQ(h.run({"expire", "a"}), error("ERR wrong number of arguments for 'expire' command"));
  EXPECT_EQ(h.run({"exists", "a"}), integer(1));
  EXPECT_EQ(h.run({"pexpireat", "a", "9223372036854775807"}), integer(1));
  EXPECT_EQ(h.run({"pexpiretime", "a"}), integer(9223372036854775807LL));
}

TEST(KeysFamily, ExpireOptionsAndTtl) {
  Harness h;
  h.run({"set", "a", "1"});
  EXPECT_EQ(h.run({"expire", "nokey", "10"}), integer(0));
  EXPECT_EQ(h.run({"ttl", "nokey"}), integer(-2));
  EXPECT_EQ(h.run({"pttl", "nokey"}), integer(-2));
  EXPECT_EQ(h.run({"expiretime", "nokey"}), integer(-2));
  EXPECT_EQ(h.run({"pexpiretime", "nokey"}), integer(-2));
  EXPECT_EQ(h.run({"ttl", "a"}), integer(-1));
  EXPECT_EQ(h.run({"expiretime", "a"}), integer(-1));
  EXPECT_EQ(h.run({"expire", "a", "100", "xx"}), integer(0));
  EXPECT_EQ(h.run({"expire", "a", "100", "gt"}), integer(0));  // no TTL = infinite
  EXPECT_EQ(h.run({"expire", "a", "100"}), integer(1));
  EXPECT_EQ(h.run({"expire", "a", "50", "gt"}), integer(0));
  EXPECT_EQ(h.run({"expire", "a", "50", "lt"}), integer(1));
  EXPECT_EQ(h.run({"ttl", "a"}), integer(50));
  EXPECT_EQ(h.run({"expire", "a", "100", "nx"}), integer(0));
  EXPECT_EQ(h.run({"expire", "a", "100", "NX", "NX"}), integer(0));
  EXPECT_EQ(h.run({"expire", "a", "60", "xx", "gt"}), integer(1));
  EXPECT_EQ(h.run({"persist", "a"}), integer(1));
  EXPECT_EQ(h.run({"persist", "a"}), integer(0));
  EXPECT_EQ(h.run({"persist", "nokey"}), integer(0));
  EXPECT_EQ(h.run({"expire", "a", "50", "lt"}), integer(1));  // no TTL: LT succeeds
  EXPECT_EQ(h.run({"expire", "a", "50", "xx"}), integer(1));
  std::string pttl = h.run({"pttl", "a"});
  long v = std::stol(pttl.substr(1));
  EXPECT_GT(v, 49000);
  EXPECT_LE(v, 50000);
  // EXPIRETIME rounds the ms time to seconds as (t + 500) / 1000.
  EXPECT_EQ(h.run({"pexpireat", "a", "4102444800644"}), integer(1));
  EXPECT_EQ(h.run({"expiretime", "a"}), integer(4102444801));
  EXPECT_EQ(h.run({"pexpiretime", "a"}), integer(4102444800644));
  EXPECT_EQ(h.run({"expireat", "a", "4102444800"}), integer(1));
  EXPECT_EQ(h.run({"pexpiretime", "a"}), integer(4102444800000));
  // A time in the past deletes the key and replies 1.
  EXPECT_EQ(h.run({"expire", "a", "0"}), integer(1));
  EXPECT_EQ(h.run({"exists", "a"}), integer(0));
  h.run({"set", "b", "1"});
  EXPECT_EQ(h.run({"pexpire", "b", "-9223372036854775808"}), integer(1));
  EXPECT_EQ(h.run({"exists", "b"}), integer(0));
  h.run({"set", "c", "1"});
  EXPECT_EQ(h.run({"expireat", "c", "1"}), integer(1));
  EXPECT_EQ(h.run({"dbsize"}), integer(0));
}

TEST(KeysFamily, LazyExpiry) {
  Harness h;
  EXPECT_EQ(h.run({"set", "k", "v", "px", "1"}), kOk);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(h.run({"get", "k"}), kNil);
  EXPECT_EQ(h.run({"exists", "k"}, 1), integer(0));
  EXPECT_EQ(h.run({"ttl", "k"}), integer(-2));
  EXPECT_EQ(h.run({"type", "k"}), "+none\r\n");
  EXPECT_EQ(h.run({"keys", "*"}), "*0\r\n");
  EXPECT_EQ(h.run({"rename", "k", "x"}), error("ERR no such key"));
  EXPECT_EQ(h.run({"set", "k", "new", "nx"}), kOk);
  EXPECT_EQ(h.run({"ttl", "k"}), integer(-1));
}

TEST(KeysFamily, ActiveExpiry) {
  Harness h(2, 2);
  for (int i = 0; i < 500; ++i) {
    ASSERT_EQ(h.run({"set", "e" + std::to_string(i), "v", "px", "1"}, i % 2), kOk);
  }
  for (int i = 0; i < 100; ++i) h.run({"set", "keep" + std::to_string(i), "v"});
  h.client(1).db = 3;
  for (int i = 0; i < 50; ++i) h.run({"set", "e" + std::to_string(i), "v", "px", "1"}, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(h.run({"dbsize"}), integer(600));  // not yet removed (as Redis's DBSIZE)
  uint64_t before = h.server().worker(0).expired_keys + h.server().worker(1).expired_keys;
  for (int round = 0; round < 50; ++round) {
    stmkv::run_maintenance(h.server().worker(round % 2));
    if (h.run({"dbsize"}) == integer(100) && h.run({"dbsize"}, 1) == integer(0)) break;
  }
  EXPECT_EQ(h.run({"dbsize"}), integer(100));
  EXPECT_EQ(h.run({"dbsize"}, 1), integer(0));
  uint64_t after = h.server().worker(0).expired_keys + h.server().worker(1).expired_keys;
  EXPECT_EQ(after - before, 550u);
  EXPECT_EQ(h.run({"get", "keep7"}), bulk("v"));
}

TEST(KeysFamily, DbsizeFlushSwapdb) {
  Harness h;
  h.run({"set", "a", "1"});
  h.run({"set", "b", "2"});
  h.client(1).db = 1;
  h.run({"set", "c", "3"}, 1);
  EXPECT_EQ(h.run({"dbsize"}), integer(2));
  EXPECT_EQ(h.run({"dbsize"}, 1), integer(1));
  EXPECT_EQ(h.run({"swapdb", "abc", "1"}), error("ERR invalid first DB index"));
  EXPECT_EQ(h.run({"swapdb", "1", "abc"}), error("ERR invalid second DB index"));
  EXPECT_EQ(h.run({"swapdb", "0", "16"}), error("ERR DB index is out of range"));
  EXPECT_EQ(h.run({"swapdb", "-1", "0"}), error("ERR DB index is out of range"));
  EXPECT_EQ(h.run({"swapdb", "1", "1"}), kOk);
  EXPECT_EQ(h.run({"swapdb", "0", "1"}), kOk);
  EXPECT_EQ(h.run({"dbsize"}), integer(1));
  EXPECT_EQ(h.run({"get", "c"}), bulk("3"));
  EXPECT_EQ(h.run({"get", "a"}, 1), bulk("1"));
  EXPECT_EQ(h.run({"flushdb", "foo"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"flushall", "a", "b"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"flushdb", "async"}), kOk);
  EXPECT_EQ(h.run({"dbsize"}), integer(0));
  EXPECT_EQ(h.run({"dbsize"}, 1), integer(2));
  EXPECT_EQ(h.run({"flushall", "SYNC"}), kOk);
  EXPECT_EQ(h.run({"dbsize"}, 1), integer(0));
  EXPECT_EQ(h.run({"set", "a", "again"}, 1), kOk);
  EXPECT_EQ(h.run({"flushall"}), kOk);
  EXPECT_EQ(h.run({"keys", "*"}, 1), "*0\r\n");
  EXPECT_EQ(h.run({"dbsize", "x"}), error("ERR wrong number of arguments for 'dbsize' command"));
}

TEST(KeysFamily, CommandTableRows) {
  const stmkv::CommandTable& t = stmkv::CommandTable::instance();
  struct Row {
    const char* name;
    int arity, first, last, step;
  };
  for (Row r :
       {Row{"del", -2, 1, -1, 1}, Row{"unlink", -2, 1, -1, 1}, Row{"exists", -2, 1, -1, 1},
        Row{"touch", -2, 1, -1, 1}, Row{"copy", -3, 1, 2, 1}, Row{"rename", 3, 1, 2, 1},
        Row{"renamenx", 3, 1, 2, 1}, Row{"move", 3, 1, 1, 1}, Row{"keys", 2, 0, 0, 0},
        Row{"scan", -2, 0, 0, 0}, Row{"randomkey", 1, 0, 0, 0}, Row{"dbsize", 1, 0, 0, 0},
        Row{"flushdb", -1, 0, 0, 0}, Row{"flushall", -1, 0, 0, 0}, Row{"swapdb", 3, 0, 0, 0},
        Row{"expire", -3, 1, 1, 1}, Row{"ttl", 2, 1, 1, 1}, Row{"object", -2, 0, 0, 0}}) {
    const stmkv::CommandSpec* s = t.find(r.name);
    ASSERT_NE(s, nullptr) << r.name;
    EXPECT_EQ(s->arity, r.arity) << r.name;
    EXPECT_EQ(s->first_key, r.first) << r.name;
    EXPECT_EQ(s->last_key, r.last) << r.name;
    EXPECT_EQ(s->key_step, r.step) << r.name;
    if (s->handler != nullptr) {
      EXPECT_TRUE(s->flags & stmkv::kCmdTx) << r.name;
    }
  }
  const stmkv::CommandSpec* enc = stmkv::CommandTable::find_sub(*t.find("object"), "encoding");
  ASSERT_NE(enc, nullptr);
  EXPECT_EQ(enc->full_name, "object|encoding");
  EXPECT_EQ(enc->first_key, 2);
  EXPECT_TRUE(enc->flags & stmkv::kCmdTx);
}

// Four clients on four workers rename, delete and set overlapping keys while a fifth checks
// invariants: tokens moved only with RENAMENX are never lost or duplicated.
TEST(KeysFamily, ConcurrentRenameDelSet) {
  constexpr int kMutators = 4, kSlots = 16, kTokens = 6, kOps = 3000;
  Harness h(kMutators + 1, kMutators + 1);
  for (int i = 0; i < kTokens; ++i) {
    ASSERT_EQ(h.run({"set", "tok:" + std::to_string(i), "token" + std::to_string(i)}), kOk);
  }
  std::atomic<bool> stop{false};
  std::atomic<int> violations{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kMutators; ++t) {
    threads.emplace_back([&, t] {
      uint64_t x = 0x9e3779b97f4a7c15ull * (t + 1);
      auto rnd = [&](int n) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return int(x % uint64_t(n));
      };
      for (int op = 0; op < kOps; ++op) {
        std::string a = "tok:" + std::to_string(rnd(kSlots));
        std::string b = "tok:" + std::to_string(rnd(kSlots));
        std::string s1 = "scratch:" + std::to_string(rnd(kSlots));
        std::string s2 = "scratch:" + std::to_string(rnd(kSlots));
        std::string r;
        switch (rnd(6)) {
          case 0:
          case 1:
            r = h.run({"renamenx", a, b}, t);
            if (r != integer(0) && r != integer(1) && r != error("ERR no such key")) ++violations;
            break;
          case 2:
            r = h.run({"rename", s1, s2}, t);
            if (r != kOk && r != error("ERR no such key")) ++violations;
            break;
          case 3: h.run({"set", s1, "x" + std::to_string(op)}, t); break;
          case 4: h.run({"del", s1, s2}, t); break;
          case 5:
            for (int j = 0; j < 20; ++j)
              h.run({"set", "bulk:" + std::to_string(rnd(2000)), "v"}, t);
            break;
        }
      }
    });
  }
  std::vector<std::string> exists_argv = {"exists"};
  for (int i = 0; i < kSlots; ++i) exists_argv.push_back("tok:" + std::to_string(i));
  int checks = 0;
  std::thread checker([&] {
    while (!stop.load()) {
      if (h.run(exists_argv, kMutators) != integer(kTokens)) ++violations;
      std::vector<std::string> k = bulks(h.run({"keys", "tok:*"}, kMutators));
      if (k.size() != size_t(kTokens)) ++violations;
      if ((checks & 7) == 0) stmkv::run_maintenance(h.server().worker(kMutators));
      ++checks;
    }
  });
  for (auto& th : threads) th.join();
  stop = true;
  checker.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_GT(checks, 0);
  // Quiescent: every token value exists exactly once, and DBSIZE agrees with KEYS.
  std::multiset<std::string> values;
  for (int i = 0; i < kSlots; ++i) {
    std::vector<std::string> v = bulks(h.run({"get", "tok:" + std::to_string(i)}));
    values.insert(v.begin(), v.end());
  }
  std::multiset<std::string> expected;
  for (int i = 0; i < kTokens; ++i) expected.insert("token" + std::to_string(i));
  EXPECT_EQ(values, expected);
  size_t nkeys = bulks(h.run({"keys", "*"})).size();
  EXPECT_EQ(h.run({"dbsize"}), integer(static_cast<long long>(nkeys)));
}

}  // namespace
