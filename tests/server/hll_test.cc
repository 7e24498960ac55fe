// HyperLogLog: ds/hll (representation, estimator) and PFADD/PFCOUNT/PFMERGE/PFDEBUG through the
// dispatcher. Expected counts and bytes were taken from redis-server 7.0.15 for the same inputs
// (elements "e0".."e<n-1>", PFADD in batches of 10000).
#include "ds/hll.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace stmkv_test {
namespace {

using stmkv::hll::kDenseSize;

std::string from_hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(char(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// The payload of a bulk-string reply.
std::string bulk_payload(const std::string& resp) {
  size_t nl = resp.find("\r\n");
  if (resp.empty() || resp[0] != '$' || nl == std::string::npos)
    return "<not a bulk: " + resp + ">";
  return resp.substr(nl + 2, resp.size() - nl - 4);
}

// PFADD key e<from>..e<to-1> in batches of 10000.
void add_range(Harness& h, const std::string& key, int from, int to) {
  for (int i = from; i < to; i += 10000) {
    std::vector<std::string> argv = {"pfadd", key};
    for (int j = i; j < std::min(to, i + 10000); ++j) argv.push_back("e" + std::to_string(j));
    h.run(argv);
  }
}

TEST(HllStructure, EmptySketchIsSparseXZero) {
  std::string s = stmkv::hll::create();
  EXPECT_EQ(s, from_hex("48594c4c0100000000000000000000007fff"));
  EXPECT_TRUE(stmkv::hll::is_valid(s));
  bool corrupt = false;
  EXPECT_EQ(stmkv::hll::count(s, &corrupt), 0u);
  EXPECT_FALSE(corrupt);
}

TEST(HllStructure, ValidityChecks) {
  EXPECT_FALSE(stmkv::hll::is_valid("HYLL"));
  EXPECT_FALSE(stmkv::hll::is_valid(std::string("HYLX\x01", 5) + std::string(11, '\0')));
  std::string enc2 = stmkv::hll::create();
  enc2[4] = 2;
  EXPECT_FALSE(stmkv::hll::is_valid(enc2));
  std::string dense = stmkv::hll::create();
  ASSERT_TRUE(stmkv::hll::to_dense(&dense));
  EXPECT_EQ(dense.size(), kDenseSize);
  EXPECT_TRUE(stmkv::hll::is_valid(dense));
  EXPECT_FALSE(stmkv::hll::is_valid(dense.substr(0, kDenseSize - 1)));
}

TEST(HllStructure, DenseRegistersRoundTrip) {
  std::string d = stmkv::hll::create();
  ASSERT_TRUE(stmkv::hll::to_dense(&d));
  for (long i = 0; i < stmkv::hll::kRegisters; ++i) {
    stmkv::hll::set_register(&d, i, uint8_t((i * 7) % 63 + 1), 0);
  }
  for (long i = 0; i < stmkv::hll::kRegisters; ++i) {
    ASSERT_EQ(stmkv::hll::dense_register(d, i), uint8_t((i * 7) % 63 + 1)) << i;
  }
}

TEST(HllStructure, SparseAndDenseAgree) {
  std::string sparse = stmkv::hll::create(), dense = stmkv::hll::create();
  ASSERT_TRUE(stmkv::hll::to_dense(&dense));
  for (int i = 0; i < 1500; ++i) {
    std::string e = "x" + std::to_string(i);
    stmkv::hll::add(&sparse, e, 1 << 20);
    stmkv::hll::add(&dense, e, 1 << 20);
  }
  ASSERT_EQ(stmkv::hll::encoding(sparse), stmkv::hll::kSparse);
  bool corrupt = false;
  EXPECT_EQ(stmkv::hll::count(sparse, &corrupt), stmkv::hll::count(dense, &corrupt));
  EXPECT_FALSE(corrupt);
  std::string converted = sparse;
  ASSERT_TRUE(stmkv::hll::to_dense(&converted));
  for (long i = 0; i < stmkv::hll::kRegisters; ++i) {
    ASSERT_EQ(stmkv::hll::dense_register(converted, i), stmkv::hll::dense_register(dense, i));
  }
}

TEST(HllStructure, CorruptSparseDetected) {
  std::string bad = from_hex("48594c4c0100000000000000000000807ffe");  // XZERO:16383
  bool corrupt = false;
  stmkv::hll::count(bad, &corrupt);
  EXPECT_TRUE(corrupt);
  EXPECT_FALSE(stmkv::hll::to_dense(&bad));
  stmkv::hll::RawRegisters max{};
  EXPECT_FALSE(stmkv::hll::merge_into(&max, bad));
}

TEST(HllStructure, AccuracyOverOneMillion) {
  std::string s = stmkv::hll::create();
  for (int i = 0; i < 1000000; ++i) {
    stmkv::hll::add(&s, "acc:" + std::to_string(i), stmkv::hll::kDefaultSparseMaxBytes);
  }
  bool corrupt = false;
  double est = double(stmkv::hll::count(s, &corrupt));
  EXPECT_LT(std::abs(est - 1e6) / 1e6, 0.0081 * 3) << est;
}

TEST(HllFamily, MatchesRedisBytesAndCounts) {
  Harness h;
  EXPECT_EQ(h.run({"pfadd", "abc", "a", "b", "c"}), integer(1));
  EXPECT_EQ(bulk_payload(h.run({"get", "abc"})),
            from_hex("48594c4c01000000000000000000008060f38050b1844bfb80425a"));
  EXPECT_EQ(h.run({"pfcount", "abc"}), integer(3));
  EXPECT_EQ(h.run({"type", "abc"}), "+string\r\n");
  EXPECT_EQ(h.run({"object", "encoding", "abc"}), bulk("raw"));

  // Binary elements (empty, NULs, every tail length of MurmurHash64A).
  EXPECT_EQ(h.run({"pfadd", "bin", "", std::string(1, '\0'), std::string("\x00\x01\xff", 3),
                   std::string(7, 'a'), std::string(8, 'a'), std::string(9, 'a'),
                   std::string(17, '\xff')}),
            integer(1));
  EXPECT_EQ(h.run({"pfcount", "bin"}), integer(7));
  EXPECT_EQ(bulk_payload(h.run({"get", "bin"})),
            from_hex("48594c4c01000000070000000000000042d4844805804aa48041ae844b548448748051458843"
                     "b9"));

  struct Case {
    int n;
    long long count;
    size_t size_before;
    uint64_t hash_before, hash_after;
    const char* encoding;
  };
  const Case kCases[] = {
      {10, 10, 48, 0x4afcb65d27f7d346ULL, 0xd06c25fbeaa23420ULL, "sparse"},
      {100, 100, 285, 0xb8de76dab4a4065eULL, 0x40dec5e3b1513cfaULL, "sparse"},
      {1000, 1008, 1906, 0x5935de0232806824ULL, 0x4ded8ea0046b668dULL, "sparse"},
      {5000, 4968, 12304, 0x805246753a1cdadaULL, 0x9219c5a2921db657ULL, "dense"},
      {20000, 19901, 12304, 0x075d26396862b2bfULL, 0x5b776629ffcdd575ULL, "dense"},
      {100000, 100853, 12304, 0xafbf1713dc5ba3c8ULL, 0xfd1fc23694773e63ULL, "dense"},
  };
  for (const Case& c : kCases) {
    std::string key = "n" + std::to_string(c.n);
    add_range(h, key, 0, c.n);
    std::string before = bulk_payload(h.run({"get", key}));
    EXPECT_EQ(before.size(), c.size_before) << key;
    EXPECT_EQ(fnv1a(before), c.hash_before) << key;
    EXPECT_EQ(h.run({"pfcount", key}), integer(c.count)) << key;
    EXPECT_EQ(fnv1a(bulk_payload(h.run({"get", key}))), c.hash_after) << key;  // cached count
    EXPECT_EQ(h.run({"pfcount", key}), integer(c.count)) << key;
    EXPECT_EQ(h.run({"pfdebug", "encoding", key}), "+" + std::string(c.encoding) + "\r\n");
  }
  // Several keys: the union, without modifying them.
  EXPECT_EQ(h.run({"pfcount", "n10", "n1000", "n20000"}), integer(19901));
  EXPECT_EQ(h.run({"pfcount", "n5000", "n20000", "n100000", "missing"}), integer(100853));
  EXPECT_EQ(fnv1a(bulk_payload(h.run({"get", "n1000"}))), 0x4ded8ea0046b668dULL);

  // PFMERGE into a new key: sparse when every source is, else dense; cache invalidated.
  EXPECT_EQ(h.run({"pfmerge", "m1", "n100", "n1000"}), kOk);
  std::string m1 = bulk_payload(h.run({"get", "m1"}));
  EXPECT_EQ(m1.size(), 1906u);
  EXPECT_EQ(fnv1a(m1), 0x5935de0232806824ULL);
  EXPECT_EQ(h.run({"pfcount", "m1"}), integer(1008));
  EXPECT_EQ(h.run({"pfmerge", "m2", "n100", "n20000"}), kOk);
  EXPECT_EQ(fnv1a(bulk_payload(h.run({"get", "m2"}))), 0x075d26396862b2bfULL);
  EXPECT_EQ(h.run({"pfdebug", "encoding", "m2"}), "+dense\r\n");
  EXPECT_EQ(h.run({"pfmerge", "empty"}), kOk);
  EXPECT_EQ(bulk_payload(h.run({"get", "empty"})),
            from_hex("48594c4c0100000000000000000000807fff"));
}

TEST(HllFamily, OneMillionElementsMatchRedis) {
  Harness h;
  add_range(h, "big", 0, 1000000);
  EXPECT_EQ(h.run({"pfcount", "big"}), integer(991657));  // redis-server 7.0.15
  EXPECT_LT(std::abs(991657 - 1e6) / 1e6, 0.0081 * 3);
}

TEST(HllFamily, SparseMaxBytesConfig) {
  Harness h;
  EXPECT_EQ(h.run({"config", "get", "hll-sparse-max-bytes"}),
            "*2\r\n" + bulk("hll-sparse-max-bytes") + bulk("3000"));
  EXPECT_EQ(h.run({"config", "set", "hll-sparse-max-bytes", "100"}), kOk);
  add_range(h, "small", 0, 100);
  EXPECT_EQ(h.run({"pfdebug", "encoding", "small"}), "+dense\r\n");
  std::string v = bulk_payload(h.run({"get", "small"}));
  EXPECT_EQ(v.size(), kDenseSize);
  EXPECT_EQ(fnv1a(v), 0x193d1a0650f1c5bfULL);
  EXPECT_EQ(h.run({"pfcount", "small"}), integer(100));
  EXPECT_EQ(h.run({"config", "set", "hll-sparse-max-bytes", "3000"}), kOk);
}

TEST(HllFamily, PfaddReplies) {
  Harness h;
  EXPECT_EQ(h.run({"pfadd", "k"}), integer(1));  // creates an empty sketch
  EXPECT_EQ(h.run({"pfadd", "k"}), integer(0));
  EXPECT_EQ(h.run({"pfadd", "k", "a"}), integer(1));
  EXPECT_EQ(h.run({"pfadd", "k", "a"}), integer(0));
  EXPECT_EQ(h.run({"pfcount", "k"}), integer(1));
  EXPECT_EQ(h.run({"pfcount", "nokey"}), integer(0));
  EXPECT_EQ(h.run({"exists", "nokey"}), integer(0));
}

TEST(HllFamily, StringInterplay) {
  Harness h;
  h.run({"pfadd", "src", "a", "b", "c", "d"});
  std::string bytes = bulk_payload(h.run({"get", "src"}));
  EXPECT_EQ(h.run({"set", "copy", bytes}), kOk);
  EXPECT_EQ(h.run({"pfcount", "copy"}), integer(4));
  EXPECT_EQ(h.run({"object", "encoding", "copy"}), bulk("raw"));
  // A valid cached count is returned as is (as Redis), even after the registers were damaged.
  EXPECT_EQ(h.run({"append", "copy", "xyz"}), integer(int64_t(bytes.size() + 3)));
  EXPECT_EQ(h.run({"pfcount", "copy"}), integer(4));
  // Without a cached count, trailing garbage makes the sparse opcodes cover too many registers.
  EXPECT_EQ(h.run({"set", "copy2", bytes}), kOk);
  EXPECT_EQ(h.run({"append", "copy2", "xyz"}), integer(int64_t(bytes.size() + 3)));
  EXPECT_EQ(h.run({"pfcount", "copy2"}), error("INVALIDOBJ Corrupted HLL object detected"));
}

TEST(HllFamily, Errors) {
  Harness h;
  const std::string kNotHll = error("WRONGTYPE Key is not a valid HyperLogLog string value.");
  const std::string kWrongType =
      error("WRONGTYPE Operation against a key holding the wrong kind of value");
  const std::string kInvalid = error("INVALIDOBJ Corrupted HLL object detected");
  h.run({"set", "str", "hello"});
  h.run({"set", "int", "123"});
  h.run({"set", "magic", "HYLL"});
  h.run({"lpush", "list", "a"});
  h.run({"pfadd", "ok", "a"});
  EXPECT_EQ(h.run({"pfadd", "str", "a"}), kNotHll);
  EXPECT_EQ(h.run({"pfadd", "int", "a"}), kNotHll);
  EXPECT_EQ(h.run({"pfadd", "magic", "a"}), kNotHll);
  EXPECT_EQ(h.run({"pfcount", "str"}), kNotHll);
  EXPECT_EQ(h.run({"pfcount", "ok", "str"}), kNotHll);
  EXPECT_EQ(h.run({"pfmerge", "ok", "str"}), kNotHll);
  EXPECT_EQ(h.run({"pfadd", "list", "a"}), kWrongType);
  EXPECT_EQ(h.run({"pfcount", "list"}), kWrongType);
  EXPECT_EQ(h.run({"pfcount", "ok", "list"}), kWrongType);
  EXPECT_EQ(h.run({"pfmerge", "list"}), kWrongType);
  EXPECT_EQ(h.run({"pfmerge", "dst", "list"}), kWrongType);
  EXPECT_EQ(h.run({"exists", "dst"}), integer(0));
  // Dense of the wrong size, unknown encoding.
  h.run({"set", "shortdense", from_hex("48594c4c0000000000000000000000807ffe")});
  EXPECT_EQ(h.run({"pfcount", "shortdense"}), kNotHll);
  h.run({"set", "enc2", from_hex("48594c4c0200000000000000000000807fff")});
  EXPECT_EQ(h.run({"pfcount", "enc2"}), kNotHll);
  // A sparse sketch covering 16383 registers: corrupt for counting and merging.
  h.run({"set", "bad", from_hex("48594c4c0100000000000000000000807ffe")});
  EXPECT_EQ(h.run({"pfcount", "bad"}), kInvalid);
  EXPECT_EQ(h.run({"pfcount", "bad", "ok"}), kInvalid);
  EXPECT_EQ(h.run({"pfmerge", "d", "bad"}), kInvalid);
  EXPECT_EQ(h.run({"pfdebug", "getreg", "bad"}), kInvalid);
  EXPECT_EQ(h.run({"pfadd", "bad", "x"}), integer(1));  // as Redis: the run is found
  // Arity.
  EXPECT_EQ(h.run({"pfadd"}), error("ERR wrong number of arguments for 'pfadd' command"));
  EXPECT_EQ(h.run({"pfcount"}), error("ERR wrong number of arguments for 'pfcount' command"));
  EXPECT_EQ(h.run({"pfmerge"}), error("ERR wrong number of arguments for 'pfmerge' command"));
  EXPECT_EQ(h.run({"pfdebug", "encoding"}),
            error("ERR wrong number of arguments for 'pfdebug' command"));
}

TEST(HllFamily, Pfdebug) {
  Harness h;
  h.run({"pfadd", "k", "a", "b", "c"});
  EXPECT_EQ(h.run({"pfdebug", "decode", "k"}),
            bulk("Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603"));
  EXPECT_EQ(h.run({"pfdebug", "encoding", "k"}), "+sparse\r\n");
  EXPECT_EQ(h.run({"pfdebug", "foo", "k"}), error("ERR Unknown PFDEBUG subcommand 'foo'"));
  EXPECT_EQ(h.run({"pfdebug", "getreg", "nokey"}), error("ERR The specified key does not exist"));
  EXPECT_EQ(h.run({"pfdebug", "todense", "k"}), integer(1));
  EXPECT_EQ(h.run({"pfdebug", "todense", "k"}), integer(0));
  EXPECT_EQ(h.run({"pfdebug", "encoding", "k"}), "+dense\r\n");
  EXPECT_EQ(h.run({"pfdebug", "decode", "k"}), error("ERR HLL encoding is not sparse"));
  EXPECT_EQ(h.run({"pfcount", "k"}), integer(3));
  std::string regs = h.run({"pfdebug", "getreg", "k"});
  EXPECT_EQ(regs.substr(0, 8), "*16384\r\n");
  // Registers 8436 (1), 12711 (2) and 15780 (1) are set, all others 0.
  size_t ones = 0, twos = 0, pos = 8;
  while ((pos = regs.find(':', pos)) != std::string::npos) {
    if (regs[pos + 1] == '1') ones++;
    if (regs[pos + 1] == '2') twos++;
    ++pos;
  }
  EXPECT_EQ(ones, 2u);
  EXPECT_EQ(twos, 1u);
  EXPECT_EQ(h.run({"pfselftest"}), kOk);
}

// PFADD from 4 clients on 4 workers into one key: registers are maxima, so the result counts
// exactly as the sequential sketch of the same elements (19901 for e0..e19999 in Redis).
TEST(HllFamily, ConcurrentPfadd) {
  constexpr int kThreads = 4, kPerThread = 5000;
  Harness h(kThreads, kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t * kPerThread; i < (t + 1) * kPerThread; i += 25) {
        std::vector<std::string> argv = {"pfadd", "c"};
        for (int j = i; j < i + 25; ++j) argv.push_back("e" + std::to_string(j));
        h.run(argv, t);
        if (i % 1000 == 0) h.run({"pfcount", "c"}, t);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(h.run({"pfcount", "c"}), integer(19901));
  add_range(h, "seq", 0, kThreads * kPerThread);
  EXPECT_EQ(h.run({"pfcount", "seq"}), integer(19901));
  EXPECT_EQ(h.run({"pfdebug", "encoding", "c"}), "+dense\r\n");
  EXPECT_EQ(h.run({"get", "c"}), h.run({"get", "seq"}));  // dense registers are canonical
}

}  // namespace
}  // namespace stmkv_test
