// Tests of the bitmap commands (bit_family.cc) through the command dispatcher. Expected replies
// were taken from redis-server 7.0.15 (the same commands run against it).
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

// Reference BITPOS over a whole string: first bit equal to `bit`, or -1 / the padded position.
long long ref_bitpos(const std::string& s, int bit) {
  for (size_t i = 0; i < s.size() * 8; ++i) {
    if (((static_cast<unsigned char>(s[i / 8]) >> (7 - i % 8)) & 1) == bit) return (long long)i;
  }
  return bit ? -1 : (long long)(s.size() * 8);
}

TEST(BitFamily, BitOffsetLimitFollowsProtoMaxBulkLen) {
  Harness h;
  h.server().config().proto_max_bulk_len = 1024;
  EXPECT_EQ(h.run({"SETBIT", "k", "8191", "1"}), integer(0));
  EXPECT_EQ(h.run({"STRLEN", "k"}), integer(1024));
  EXPECT_EQ(h.run({"SETBIT", "k", "8192", "1"}),
            error("ERR bit offset is not an integer or out of range"));
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u8", "#1024"}),
            error("ERR bit offset is not an integer or out of range"));
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u8", "#1023"}), "*1\r\n:1\r\n");
  EXPECT_EQ(h.run({"SETRANGE", "k", "1024", "x"}),
            error("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
  EXPECT_EQ(h.run({"APPEND", "k", "x"}),
            error("ERR string exceeds maximum allowed size (proto-max-bulk-len)"));
}

TEST(BitFamily, RandomBitmaps) {
  Harness h;
  std::string model;
  uint64_t seed = 12345;
  auto next = [&] {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return seed >> 33;
  };
  for (int i = 0; i < 400; ++i) {
    uint64_t off = next() % 700;
    int on = int(next() % 2);
    if (model.size() <= off / 8) model.resize(off / 8 + 1, '\0');
    int old = (static_cast<unsigned char>(model[off / 8]) >> (7 - off % 8)) & 1;
    ASSERT_EQ(h.run({"SETBIT", "b", std::to_string(off), std::to_string(on)}, i % 2), integer(old));
    unsigned char m = static_cast<unsigned char>(1u << (7 - off % 8));
    model[off / 8] = static_cast<char>(on ? (model[off / 8] | m) : (model[off / 8] & ~m));
    if (i % 20 == 0) {
      long long count = 0;
      for (char c : model) count += __builtin_popcount(static_cast<unsigned char>(c));
      ASSERT_EQ(h.run({"BITCOUNT", "b"}), integer(count));
      ASSERT_EQ(h.run({"BITPOS", "b", "1"}), integer(ref_bitpos(model, 1)));
      ASSERT_EQ(h.run({"BITPOS", "b", "0"}), integer(ref_bitpos(model, 0)));
      ASSERT_EQ(h.run({"GET", "b"}), bulk(model));
    }
  }
}

TEST(BitFamily, CommandTableRows) {
  using namespace stmkv;
  const CommandTable& t = CommandTable::instance();
  struct Row {
    const char* name;
    int arity, first, last, step;
    uint32_t flags;
    uint64_t acl;
  };
  const Row rows[] = {
      {"setbit", 4, 1, 1, 1, kCmdWrite | kCmdDenyOom, kAclWrite | kAclBitmap | kAclSlow},
      {"getbit", 3, 1, 1, 1, kCmdReadonly | kCmdFast, kAclRead | kAclBitmap | kAclFast},
      {"bitcount", -2, 1, 1, 1, kCmdReadonly, kAclRead | kAclBitmap | kAclSlow},
      {"bitpos", -3, 1, 1, 1, kCmdReadonly, kAclRead | kAclBitmap | kAclSlow},
      {"bitop", -4, 2, -1, 1, kCmdWrite | kCmdDenyOom, kAclWrite | kAclBitmap | kAclSlow},
      {"bitfield", -2, 1, 1, 1, kCmdWrite | kCmdDenyOom, kAclWrite | kAclBitmap | kAclSlow},
      {"bitfield_ro", -2, 1, 1, 1, kCmdReadonly | kCmdFast, kAclRead | kAclBitmap | kAclFast},
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
    EXPECT_EQ(s->group, "bitmap") << r.name;
    EXPECT_FALSE(s->summary.empty() || s->since.empty() || s->complexity.empty() ||
                 s->syntax.empty())
        << r.name;
  }
}

// 4 clients on 4 workers set disjoint bits of one bitmap and bump disjoint bitfield counters:
// no update is lost.
TEST(BitFamily, ConcurrentSetBitAndBitfield) {
  constexpr int kThreads = 4, kBits = 500, kIncrs = 1000;
  Harness h(kThreads, kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kBits; ++i)
        h.run({"SETBIT", "bm", std::to_string(i * kThreads + t), "1"}, t);
      for (int i = 0; i < kIncrs; ++i) {
        h.run({"BITFIELD", "ctr", "INCRBY", "u16", "#" + std::to_string(t), "1"}, t);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(h.run({"BITCOUNT", "bm"}), integer(kThreads * kBits));
  EXPECT_EQ(h.run({"BITFIELD_RO", "ctr", "GET", "u16", "#0", "GET", "u16", "#1", "GET", "u16", "#2",
                   "GET", "u16", "#3"}),
            "*4\r\n:1000\r\n:1000\r\n:1000\r\n:1000\r\n");
}

TEST(BitFamily, SetBitGetBit) {
  Harness h;
  EXPECT_EQ(h.run({"SETBIT", "k", "7", "1"}), ":0\r\n");
  EXPECT_EQ(h.run({"GET", "k"}),
            "$1\r\n\x01"
            "\r\n");
  EXPECT_EQ(h.run({"SETBIT", "k", "7", "0"}), ":1\r\n");
  EXPECT_EQ(h.run({"SETBIT", "k", "7", "0"}), ":0\r\n");
  EXPECT_EQ(h.run({"GET", "k"}), std::string("$1\r\n\x00"
                                             "\r\n",
                                             7));
  EXPECT_EQ(h.run({"SETBIT", "k", "100", "1"}), ":0\r\n");
  EXPECT_EQ(h.run({"STRLEN", "k"}), ":13\r\n");
  EXPECT_EQ(h.run({"GETBIT", "k", "100"}), ":1\r\n");
  EXPECT_EQ(h.run({"GETBIT", "k", "99"}), ":0\r\n");
  EXPECT_EQ(h.run({"GETBIT", "k", "1000000"}), ":0\r\n");
  EXPECT_EQ(h.run({"GETBIT", "nokey", "5"}), ":0\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "k"}), "$3\r\nraw\r\n");
  EXPECT_EQ(h.run({"SET", "s", "abc"}), "+OK\r\n");
  EXPECT_EQ(h.run({"SETBIT", "s", "1", "1"}), ":1\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "s"}), "$3\r\nraw\r\n");
  EXPECT_EQ(h.run({"GET", "s"}), "$3\r\nabc\r\n");
  EXPECT_EQ(h.run({"SET", "e", "abc"}), "+OK\r\n");
  EXPECT_EQ(h.run({"SETBIT", "e", "1", "1"}), ":1\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "e"}), "$3\r\nraw\r\n");
  EXPECT_EQ(h.run({"SET", "n", "12"}), "+OK\r\n");
  EXPECT_EQ(h.run({"GETBIT", "n", "2"}), ":1\r\n");
  EXPECT_EQ(h.run({"GETBIT", "n", "3"}), ":1\r\n");
  EXPECT_EQ(h.run({"SETBIT", "k", "4294967296", "1"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"SETBIT", "k", "-1", "1"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"SETBIT", "k", "abc", "1"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"SETBIT", "k", "0", "2"}), "-ERR bit is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"SETBIT", "k", "0", "-1"}), "-ERR bit is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"SETBIT", "k", "0", "a"}), "-ERR bit is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"SETBIT", "k", "0", ""}), "-ERR bit is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"GETBIT", "k", "abc"}), "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"GETBIT", "k", "-1"}), "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"GETBIT", "k", "4294967296"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"SETEX", "t", "100", "a"}), "+OK\r\n");
  EXPECT_EQ(h.run({"SETBIT", "t", "0", "1"}), ":0\r\n");
  EXPECT_EQ(h.run({"TTL", "t"}), ":100\r\n");
  EXPECT_EQ(h.run({"GET", "t"}),
            "$1\r\n\xe1"
            "\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"SETBIT", "l", "0", "1"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"GETBIT", "l", "0"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"SETBIT", "k", "0"}), "-ERR wrong number of arguments for 'setbit' command\r\n");
  EXPECT_EQ(h.run({"GETBIT", "k"}), "-ERR wrong number of arguments for 'getbit' command\r\n");
}

TEST(BitFamily, BitCount) {
  Harness h;
  EXPECT_EQ(h.run({"SET", "s", "foobar"}), "+OK\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s"}), ":26\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "0", "0"}), ":4\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "1", "1"}), ":6\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "1", "-2"}), ":18\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "-2", "-1"}), ":7\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "-1", "-2"}), ":0\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "5", "30"}), ":4\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "0", "-1", "BYTE"}), ":26\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "0", "-1", "BIT"}), ":26\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "5", "30", "BIT"}), ":17\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "3", "3", "bit"}), ":0\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "1", "6", "bit"}), ":4\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "-13", "-3", "BIT"}), ":4\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "-1", "-8", "BIT"}), ":0\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "100", "200"}), ":0\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "-100", "-50"}), ":4\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "-100", "100"}), ":26\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "0", "-1", "bits"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "1"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "0", "1", "bit", "x"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "a", "b"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "s", "0", "b"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "nokey"}), ":0\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "nokey", "a", "b"}), ":0\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "nokey", "1"}), ":0\r\n");
  EXPECT_EQ(h.run({"SET", "e", ""}), "+OK\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "e"}), ":0\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "e", "0", "-1"}), ":0\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "e", "0", "-1", "bit"}), ":0\r\n");
  EXPECT_EQ(h.run({"SET", "n", "12345"}), "+OK\r\n");
  EXPECT_EQ(h.run({"BITCOUNT", "n"}), ":17\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"BITCOUNT", "l"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"BITCOUNT"}), "-ERR wrong number of arguments for 'bitcount' command\r\n");
}

TEST(BitFamily, BitPos) {
  Harness h;
  EXPECT_EQ(h.run({"SET", "s",
                   std::string("\xff"
                               "\xf0"
                               "\x00"
                               "",
                               3)}),
            "+OK\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "0"}), ":12\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "1"}), ":0\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "1", "2"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "0", "0", "0"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "0", "0", "1"}), ":12\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "0", "0", "-1"}), ":12\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "1", "1", "-1"}), ":8\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "0", "2"}), ":16\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "0", "-1"}), ":16\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "0", "3"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "1", "3"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "0", "0", "0", "BYTE"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "0", "0", "11", "BIT"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "0", "0", "12", "BIT"}), ":12\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "0", "3", "12", "BIT"}), ":12\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "0", "12", "bit"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "1", "7", "15", "BIT"}), ":7\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "1", "12", "23", "BIT"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "0", "5", "6", "bit"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "1", "-10", "-1", "bit"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "0", "-10", "-1", "bit"}), ":14\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "1", "100", "200", "bit"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "0", "2", "1"}), ":-1\r\n");
  EXPECT_EQ(h.run({"SET", "o",
                   "\xff"
                   "\xff"
                   "\xff"
                   ""}),
            "+OK\r\n");
  EXPECT_EQ(h.run({"BITPOS", "o", "0"}), ":24\r\n");
  EXPECT_EQ(h.run({"BITPOS", "o", "0", "0"}), ":24\r\n");
  EXPECT_EQ(h.run({"BITPOS", "o", "0", "1", "2"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "o", "0", "0", "-1"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "o", "0", "1", "bit"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"BITPOS", "o", "0", "1", "-1", "bit"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "o", "1"}), ":0\r\n");
  EXPECT_EQ(h.run({"SET", "z",
                   std::string("\x00"
                               "\x00"
                               "\x00"
                               "",
                               3)}),
            "+OK\r\n");
  EXPECT_EQ(h.run({"BITPOS", "z", "1"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "z", "0"}), ":0\r\n");
  EXPECT_EQ(h.run({"BITPOS", "z", "1", "0", "-1", "bit"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "z", "0", "5", "bit"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"SET", "w",
                   std::string("\x00"
                               "\x00"
                               "\x00"
                               "\x00"
                               "\x00"
                               "\x00"
                               "\x00"
                               "\x00"
                               "\x00"
                               "\x00"
                               "\x01"
                               "",
                               11)}),
            "+OK\r\n");
  EXPECT_EQ(h.run({"BITPOS", "w", "1"}), ":87\r\n");
  EXPECT_EQ(h.run({"BITPOS", "w", "1", "3"}), ":87\r\n");
  EXPECT_EQ(h.run({"BITPOS", "w", "1", "3", "9"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "w", "1", "80", "87", "bit"}), ":87\r\n");
  EXPECT_EQ(h.run({"BITPOS", "w", "1", "80", "86", "bit"}), ":-1\r\n");
  EXPECT_EQ(h.run({"SET", "e", ""}), "+OK\r\n");
  EXPECT_EQ(h.run({"BITPOS", "e", "0"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "e", "1"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "e", "0", "0"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "nokey", "0"}), ":0\r\n");
  EXPECT_EQ(h.run({"BITPOS", "nokey", "1"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "nokey", "1", "a"}), ":-1\r\n");
  EXPECT_EQ(h.run({"BITPOS", "nokey", "2"}), "-ERR The bit argument must be 1 or 0.\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "2"}), "-ERR The bit argument must be 1 or 0.\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "-1"}), "-ERR The bit argument must be 1 or 0.\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "a"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "1", "a"}), "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "1", "0", "a"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "1", "0", "1", "bad"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s", "1", "0", "1", "bit", "x"}), "-ERR syntax error\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"BITPOS", "l", "1"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"BITPOS", "l", "2"}), "-ERR The bit argument must be 1 or 0.\r\n");
  EXPECT_EQ(h.run({"BITPOS", "s"}), "-ERR wrong number of arguments for 'bitpos' command\r\n");
}

TEST(BitFamily, BitOp) {
  Harness h;
  EXPECT_EQ(h.run({"SET", "a",
                   "\xff"
                   "\x0f"
                   ""}),
            "+OK\r\n");
  EXPECT_EQ(h.run({"SET", "b",
                   "\x0f"
                   ""}),
            "+OK\r\n");
  EXPECT_EQ(h.run({"SET", "c", "abc"}), "+OK\r\n");
  EXPECT_EQ(h.run({"BITOP", "AND", "d", "a", "b"}), ":2\r\n");
  EXPECT_EQ(h.run({"GET", "d"}), std::string("$2\r\n\x0f"
                                             "\x00"
                                             "\r\n",
                                             8));
  EXPECT_EQ(h.run({"BITOP", "OR", "d", "a", "b"}), ":2\r\n");
  EXPECT_EQ(h.run({"GET", "d"}),
            "$2\r\n\xff"
            "\x0f"
            "\r\n");
  EXPECT_EQ(h.run({"BITOP", "XOR", "d", "a", "b"}), ":2\r\n");
  EXPECT_EQ(h.run({"GET", "d"}),
            "$2\r\n\xf0"
            "\x0f"
            "\r\n");
  EXPECT_EQ(h.run({"BITOP", "NOT", "d", "a"}), ":2\r\n");
  EXPECT_EQ(h.run({"GET", "d"}), std::string("$2\r\n\x00"
                                             "\xf0"
                                             "\r\n",
                                             8));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "d"}), "$3\r\nraw\r\n");
  EXPECT_EQ(h.run({"BITOP", "and", "d", "a", "b", "c"}), ":3\r\n");
  EXPECT_EQ(h.run({"GET", "d"}), std::string("$3\r\n\x01"
                                             "\x00"
                                             "\x00"
                                             "\r\n",
                                             9));
  EXPECT_EQ(h.run({"BITOP", "or", "d", "a", "nokey"}), ":2\r\n");
  EXPECT_EQ(h.run({"GET", "d"}),
            "$2\r\n\xff"
            "\x0f"
            "\r\n");
  EXPECT_EQ(h.run({"BITOP", "AND", "d", "a", "nokey"}), ":2\r\n");
  EXPECT_EQ(h.run({"GET", "d"}), std::string("$2\r\n\x00"
                                             "\x00"
                                             "\r\n",
                                             8));
  EXPECT_EQ(h.run({"BITOP", "NOT", "d", "nokey"}), ":0\r\n");
  EXPECT_EQ(h.run({"EXISTS", "d"}), ":0\r\n");
  EXPECT_EQ(h.run({"BITOP", "OR", "d", "nokey", "nokey2"}), ":0\r\n");
  EXPECT_EQ(h.run({"EXISTS", "d"}), ":0\r\n");
  EXPECT_EQ(h.run({"SETEX", "d", "100", "x"}), "+OK\r\n");
  EXPECT_EQ(h.run({"BITOP", "OR", "d", "c"}), ":3\r\n");
  EXPECT_EQ(h.run({"TTL", "d"}), ":-1\r\n");
  EXPECT_EQ(h.run({"GET", "d"}), "$3\r\nabc\r\n");
  EXPECT_EQ(h.run({"BITOP", "OR", "a", "a", "c"}), ":3\r\n");
  EXPECT_EQ(h.run({"GET", "a"}),
            "$3\r\n\xff"
            "oc\r\n");
  EXPECT_EQ(h.run({"BITOP", "NOT", "d", "a", "b"}),
            "-ERR BITOP NOT must be called with a single source key.\r\n");
  EXPECT_EQ(h.run({"BITOP", "FOO", "d", "a"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"BITOP", "AND", "d"}), "-ERR wrong number of arguments for 'bitop' command\r\n");
  EXPECT_EQ(h.run({"BITOP", "NOT"}), "-ERR wrong number of arguments for 'bitop' command\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"BITOP", "OR", "d", "a", "l"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"BITOP", "OR", "l", "a"}), ":3\r\n");
  EXPECT_EQ(h.run({"TYPE", "l"}), "+string\r\n");
  EXPECT_EQ(h.run({"SET", "one", "1"}), "+OK\r\n");
  EXPECT_EQ(h.run({"BITOP", "OR", "d", "one"}), ":1\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "d"}), "$3\r\nraw\r\n");
}

TEST(BitFamily, BitField) {
  Harness h;
  EXPECT_EQ(
      h.run({"BITFIELD", "k",    "SET",    "i8",       "0",    "200",    "OVERFLOW", "SAT", "SET",
             "i8",       "8",    "200",    "OVERFLOW", "FAIL", "INCRBY", "i8",       "0",   "200",
             "OVERFLOW", "WRAP", "INCRBY", "u8",       "16",   "300",    "GET",      "i64", "0",
             "SET",      "i64",  "0",      "-1",       "GET",  "u63",    "0"}),
      "*7\r\n:0\r\n:0\r\n$-1\r\n:44\r\n:-3999429565570088960\r\n:-3999429565570088960\r\n:"
      "9223372036854775807\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "INCRBY", "i64", "0", "-9223372036854775808", "OVERFLOW", "SAT",
                   "INCRBY", "i64", "0", "-1", "INCRBY", "i64", "0", "-9223372036854775808"}),
            "*3\r\n:9223372036854775807\r\n:9223372036854775806\r\n:-2\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "y", "SET", "u8", "#2", "7", "GET", "u8", "16", "GET", "u8", "#2"}),
            "*3\r\n:0\r\n:7\r\n:7\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "y", "GET", "u8", "#0", "GET", "i1", "0", "GET", "u1", "21", "GET",
                   "i3", "21"}),
            "*4\r\n:0\r\n:0\r\n:1\r\n:-1\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "z",   "SET",      "u4",  "0",      "-1", "INCRBY", "u4",
                   "0",        "-20", "OVERFLOW", "SAT", "INCRBY", "u4", "0",      "-20",
                   "INCRBY",   "u4",  "0",        "100", "SET",    "i4", "0",      "-100"}),
            "*5\r\n:0\r\n:11\r\n:0\r\n:15\r\n:-1\r\n");
  EXPECT_EQ(h.run({"BITFIELD",
                   "w",
                   "SET",
                   "u63",
                   "0",
                   "-1",
                   "GET",
                   "u63",
                   "0",
                   "INCRBY",
                   "u63",
                   "0",
                   "1",
                   "OVERFLOW",
                   "SAT",
                   "INCRBY",
                   "u63",
                   "0",
                   "-5",
                   "INCRBY",
                   "u63",
                   "0",
                   "9223372036854775807",
                   "INCRBY",
                   "u63",
                   "0",
                   "9223372036854775807"}),
            "*6\r\n:0\r\n:9223372036854775807\r\n:0\r\n:0\r\n:9223372036854775807\r\n:"
            "9223372036854775807\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "w",  "OVERFLOW", "FAIL", "SET", "u2", "0",   "4",      "SET",
                   "i2",       "0",  "2",        "SET",  "i2",  "0",  "-2",  "INCRBY", "i2",
                   "0",        "-1", "INCRBY",   "i2",   "0",   "-1", "GET", "u2",     "0"}),
            "*6\r\n$-1\r\n$-1\r\n:-1\r\n$-1\r\n$-1\r\n:2\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "w",   "OVERFLOW", "SAT",
                   "INCRBY",   "i64", "0",        "9223372036854775807",
                   "INCRBY",   "i64", "0",        "9223372036854775807",
                   "INCRBY",   "i64", "0",        "-9223372036854775808",
                   "INCRBY",   "i64", "0",        "-9223372036854775808",
                   "INCRBY",   "i64", "0",        "-1"}),
            "*5\r\n:4611686018427387901\r\n:9223372036854775807\r\n:-1\r\n:-"
            "9223372036854775808\r\n:-9223372036854775808\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "w",     "OVERFLOW", "WRAP", "SET", "i16",   "5",      "40000",
                   "GET",      "i16",   "5",        "GET",  "u16", "5",     "INCRBY", "i16",
                   "5",        "40000", "INCRBY",   "u16",  "5",   "-70000"}),
            "*5\r\n:0\r\n:-25536\r\n:40000\r\n:14464\r\n:10000\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "nokey", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "10"}),
            "*1\r\n$-1\r\n");
  EXPECT_EQ(h.run({"EXISTS", "nokey"}), ":1\r\n");
  EXPECT_EQ(h.run({"GET", "nokey"}), std::string("$1\r\n\x00"
                                                 "\r\n",
                                                 7));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "nokey"}), "$3\r\nraw\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "empty"}), "*0\r\n");
  EXPECT_EQ(h.run({"EXISTS", "empty"}), ":0\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "empty", "GET", "u8", "0"}), "*1\r\n:0\r\n");
  EXPECT_EQ(h.run({"EXISTS", "empty"}), ":0\r\n");
  EXPECT_EQ(h.run({"SET", "s", "abc"}), "+OK\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "s", "GET", "u8", "0"}), "*1\r\n:97\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "s"}), "$6\r\nembstr\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "s", "SET", "u8", "0", "97"}), "*1\r\n:97\r\n");
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "s"}), "$3\r\nraw\r\n");
  EXPECT_EQ(h.run({"GET", "s"}), "$3\r\nabc\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "s", "SET", "u8", "0", "98", "GET", "u8", "0", "GET", "u8", "100"}),
            "*3\r\n:97\r\n:98\r\n:0\r\n");
  EXPECT_EQ(h.run({"GET", "s"}), "$3\r\nbbc\r\n");
  EXPECT_EQ(h.run({"SETEX", "t", "100", "a"}), "+OK\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "t", "SET", "u8", "8", "1"}), "*1\r\n:0\r\n");
  EXPECT_EQ(h.run({"TTL", "t"}), ":100\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u64", "0"}),
            "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
            "but i64 is.\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "i65", "0"}),
            "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
            "but i64 is.\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "i0", "0"}),
            "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
            "but i64 is.\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "I8", "0"}),
            "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
            "but i64 is.\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "x8", "0"}),
            "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
            "but i64 is.\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u", "0"}),
            "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
            "but i64 is.\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u8", "a"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u8", "-1"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u8", "#-1"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u8", "#"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u8", "4294967296"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u8", "#536870912"}),
            "-ERR bit offset is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "SET", "u8", "0", "a"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "INCRBY", "u8", "0", "1.5"}),
            "-ERR value is not an integer or out of range\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "OVERFLOW", "foo"}),
            "-ERR Invalid OVERFLOW type specified\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "OVERFLOW"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "foo"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u8"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "SET", "u8", "0"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u8", "0", "foo"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "k", "GET", "u8", "0", "SET", "u8", "0"}), "-ERR syntax error\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"BITFIELD", "l", "GET", "u8", "0"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "l", "SET", "u8", "0", "1"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"BITFIELD", "l", "OVERFLOW", "foo"}),
            "-ERR Invalid OVERFLOW type specified\r\n");
  EXPECT_EQ(h.run({"BITFIELD"}), "-ERR wrong number of arguments for 'bitfield' command\r\n");
}

TEST(BitFamily, BitFieldRo) {
  Harness h;
  EXPECT_EQ(h.run({"SET", "k",
                   "\x01"
                   "\x02"
                   "\x03"
                   ""}),
            "+OK\r\n");
  EXPECT_EQ(h.run({"BITFIELD_RO", "k",   "GET", "u8", "0",   "GET", "i8", "#1",  "GET", "u16",
                   "8",           "GET", "u24", "0",  "GET", "i4",  "20", "GET", "u8",  "100"}),
            "*6\r\n:1\r\n:2\r\n:515\r\n:66051\r\n:3\r\n:0\r\n");
  EXPECT_EQ(h.run({"BITFIELD_RO", "k"}), "*0\r\n");
  EXPECT_EQ(h.run({"BITFIELD_RO", "nokey", "GET", "u8", "0"}), "*1\r\n:0\r\n");
  EXPECT_EQ(h.run({"BITFIELD_RO", "k", "OVERFLOW", "SAT", "GET", "u8", "0"}), "*1\r\n:1\r\n");
  EXPECT_EQ(h.run({"BITFIELD_RO", "k", "SET", "u8", "0", "1"}),
            "-ERR BITFIELD_RO only supports the GET subcommand\r\n");
  EXPECT_EQ(h.run({"BITFIELD_RO", "k", "INCRBY", "u8", "0", "1"}),
            "-ERR BITFIELD_RO only supports the GET subcommand\r\n");
  EXPECT_EQ(h.run({"BITFIELD_RO", "k", "GET", "u8", "0", "SET", "u8", "0", "1"}),
            "-ERR BITFIELD_RO only supports the GET subcommand\r\n");
  EXPECT_EQ(h.run({"BITFIELD_RO", "k", "GET", "u64", "0"}),
            "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
            "but i64 is.\r\n");
  EXPECT_EQ(h.run({"BITFIELD_RO", "k", "SET", "u64", "0", "1"}),
            "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported "
            "but i64 is.\r\n");
  EXPECT_EQ(h.run({"BITFIELD_RO", "k", "foo"}), "-ERR syntax error\r\n");
  EXPECT_EQ(h.run({"GET", "k"}),
            "$3\r\n\x01"
            "\x02"
            "\x03"
            "\r\n");
  make_list(h, "l");
  EXPECT_EQ(h.run({"BITFIELD_RO", "l", "GET", "u8", "0"}),
            "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
  EXPECT_EQ(h.run({"BITFIELD_RO", "l", "SET", "u8", "0", "1"}),
            "-ERR BITFIELD_RO only supports the GET subcommand\r\n");
  EXPECT_EQ(h.run({"BITFIELD_RO"}), "-ERR wrong number of arguments for 'bitfield_ro' command\r\n");
}

}  // namespace
