// Tests of the sorted sets: the structure (ds/zset.h) in both encodings, including a
// 1,000,000-element skiplist, and the commands through the dispatcher. Expected replies were
// taken from redis-server 7.0.15 (the same commands run against it).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ds/keyspace.h"
#include "ds/zset.h"
#include "harness.h"
#include "stm/stm.h"

namespace {

using namespace stmkv_test;
using stmkv::ZElem;
using stmkv::ZSet;

std::string arr(std::vector<std::string> items) {
  std::string s = "*" + std::to_string(items.size()) + "\r\n";
  for (auto& i : items) s += bulk(i);
  return s;
}

// --- the structure ---

class ZSetStructure : public ::testing::Test {
 protected:
  ZSetStructure() {
    stm::Config cfg;
    cfg.heap_bytes = size_t{1} << 30;
    heap_ = std::make_unique<stm::Heap>(cfg);
    worker_ = std::make_unique<stm::Worker>(*heap_);
  }
  // Runs fn on the zset kept in root slot 0 (value, encoding in slot 1).
  template <class F>
  void with(F&& fn, stmkv::ZSetLimits lim = {}) {
    worker_->atomically([&](stm::Tx& tx) {
      auto roots = heap_->roots();
      const auto* r = tx.read(roots);
      stm::RawRef v = r->slot[0];
      auto enc = static_cast<stmkv::Encoding>(r->slot[1].offset());
      std::optional<ZSet> z;
      if (v.is_null()) {
        z.emplace(ZSet::create(tx, 0, lim));
      } else {
        z.emplace(tx, v, enc, lim);
      }
      fn(*z);
      stm::RawRef nv = z->flush();
      if (nv != v) {
        if (!v.is_null()) stmkv::free_value(tx, stmkv::ObjType::kZSet, v);
        auto* w = tx.write(roots);
        w->slot[0] = nv;
        w->slot[1] = stm::RawRef(static_cast<uint64_t>(z->encoding()));
      }
    });
  }

  std::unique_ptr<stm::Heap> heap_;
  std::unique_ptr<stm::Worker> worker_;
};

// Checks a zset against a reference model through every query.
void check_model(ZSet& z, const std::map<std::string, double>& model) {
  std::vector<std::pair<double, std::string>> sorted;
  for (auto& [m, s] : model) sorted.emplace_back(s, m);
  std::sort(sorted.begin(), sorted.end());
  ASSERT_EQ(z.size(), sorted.size());
  std::vector<std::pair<double, std::string>> got;
  z.for_each([&](const ZElem& e) { got.emplace_back(e.score, std::string(e.member)); });
  ASSERT_EQ(got, sorted);
  for (size_t i = 0; i < sorted.size(); i += 7) {
    uint64_t r;
    double sc;
    ASSERT_TRUE(z.rank(sorted[i].second, false, &r, &sc));
    EXPECT_EQ(r, i);
    EXPECT_EQ(sc, sorted[i].first);
    ZElem e = z.at(i);
    EXPECT_EQ(e.member, sorted[i].second);
  }
}

TEST_F(ZSetStructure, RandomOpsBothEncodingsAgreeWithModel) {
  for (int64_t entries : {128, 0}) {
    heap_.reset();
    worker_.reset();
    stm::Config cfg;
    cfg.heap_bytes = size_t{1} << 28;
    heap_ = std::make_unique<stm::Heap>(cfg);
    worker_ = std::make_unique<stm::Worker>(*heap_);
    stmkv::register_zset_value_ops();
    stmkv::ZSetLimits lim{entries, 64};
    std::map<std::string, double> model;
    std::mt19937 rng(42);
    for (int step = 0; step < 3000; ++step) {
      std::string m = "m" + std::to_string(rng() % 100);
      double sc = static_cast<double>(rng() % 20);
      int op = static_cast<int>(rng() % 4);
      with(
          [&](ZSet& z) {
            if (op <= 1) {
              int out;
              double ns;
              z.add(sc, m, 0, &out, &ns);
            } else if (op == 2) {
              z.remove(m);
            } else {
              stmkv::ScoreRange r{sc, sc + 1, false, true};
              z.remove_range_by_score(r);
            }
          },
          lim);
      if (op <= 1) {
        model[m] = sc;
      } else if (op == 2) {
        model.erase(m);
      } else {
        std::erase_if(model, [&](auto& kv) { return kv.second >= sc && kv.second < sc + 1; });
      }
      if (step % 500 == 0) with([&](ZSet& z) { check_model(z, model); }, lim);
    }
    with([&](ZSet& z) { check_model(z, model); }, lim);
  }
}

TEST_F(ZSetStructure, MillionElements) {
  stmkv::register_zset_value_ops();
  constexpr int kN = 1000000;
  constexpr int kBatch = 2000;
  for (int b = 0; b < kN; b += kBatch) {
    with([&](ZSet& z) {
      for (int i = b; i < b + kBatch; ++i) {
        int out;
        double ns;
        // Ascending scores (a scrambled order is cache-bound: ~10 s); the random-position
        // paths are covered by RandomOpsBothEncodingsAgreeWithModel.
        z.add(static_cast<double>(i), "m" + std::to_string(i), 0, &out, &ns);
      }
    });
  }
  with([&](ZSet& z) {
    EXPECT_EQ(z.encoding(), stmkv::Encoding::kSkiplist);
    ASSERT_EQ(z.size(), static_cast<uint64_t>(kN));
    // Member m<s> has score s and rank s.
    for (int s : {0, 1, 500000, 999999, 123456}) {
      ZElem e = z.at(static_cast<uint64_t>(s));
      EXPECT_EQ(e.score, s);
      uint64_t r;
      ASSERT_TRUE(z.rank(e.member, false, &r));
      EXPECT_EQ(r, static_cast<uint64_t>(s));
      ASSERT_TRUE(z.rank(e.member, true, &r));
      EXPECT_EQ(r, static_cast<uint64_t>(kN - 1 - s));
    }
    double sc;
    ASSERT_TRUE(z.score("m1", &sc));
    EXPECT_EQ(sc, 1);
    EXPECT_EQ(z.count_by_score({1000, 2000, false, true}), 1000u);
    std::vector<double> got;
    z.range_by_score({500000, 1e18, true, false}, false, 10, 3,
                     [&](const ZElem& e) { got.push_back(e.score); });
    EXPECT_EQ(got, (std::vector<double>{500011, 500012, 500013}));
    got.clear();
    z.range_by_rank(0, 2, true, [&](const ZElem& e) { got.push_back(e.score); });
    EXPECT_EQ(got, (std::vector<double>{999999, 999998, 999997}));
  });
  with([&](ZSet& z) { EXPECT_EQ(z.remove_range_by_rank(0, 499999), 500000u); });
  with([&](ZSet& z) {
    EXPECT_EQ(z.size(), 500000u);
    EXPECT_EQ(z.at(0).score, 500000);
    double sc;
    EXPECT_FALSE(z.score("m0", &sc));
    uint64_t n = 0;
    uint64_t cursor = 0;
    do {
      cursor = z.scan(cursor, 100000, [&](const ZElem&) { ++n; });
    } while (cursor != 0);
    EXPECT_EQ(n, 500000u);
  });
}

// --- commands ---

TEST(ZSetFamily, AddRangeScore) {
  Harness h;
  EXPECT_EQ(h.run({"ZADD", "z", "1", "a", "2", "b", "3", "c"}), integer(3));
  EXPECT_EQ(h.run({"ZADD", "z", "1.5", "x", "2", "b", "3", "c"}), integer(1));
  EXPECT_EQ(h.run({"ZRANGE", "z", "0", "-1", "WITHSCORES"}),
            arr({"a", "1", "x", "1.5", "b", "2", "c", "3"}));
  EXPECT_EQ(h.run({"ZRANGEBYSCORE", "z", "(1", "2", "WITHSCORES", "LIMIT", "0", "2"}),
            arr({"x", "1.5", "b", "2"}));
  EXPECT_EQ(h.run({"ZREVRANGEBYSCORE", "z", "2", "-inf"}), arr({"b", "x", "a"}));
  EXPECT_EQ(h.run({"ZRANGEBYLEX", "z", "-", "+", "LIMIT", "1", "2"}), arr({"x", "b"}));
  EXPECT_EQ(h.run({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "2"}), "*0\r\n");
  EXPECT_EQ(h.run({"ZCOUNT", "z", "-inf", "+inf"}), integer(4));
  EXPECT_EQ(h.run({"ZCOUNT", "z", "", ""}), integer(0));
  EXPECT_EQ(h.run({"ZCOUNT", "z", " 1", "3"}), integer(4));
  EXPECT_EQ(h.run({"ZRANK", "z", "c"}), integer(3));
  EXPECT_EQ(h.run({"ZREVRANK", "z", "c"}), integer(0));
  EXPECT_EQ(h.run({"ZRANK", "z", "nope"}), kNil);
  EXPECT_EQ(h.run({"ZSCORE", "z", "x"}), bulk("1.5"));
  EXPECT_EQ(h.run({"ZINCRBY", "z", "0.1", "a"}), bulk("1.1000000000000001"));
  EXPECT_EQ(h.run({"ZMSCORE", "z", "b", "nope"}), "*2\r\n" + bulk("2") + kNil);
  EXPECT_EQ(h.run({"ZMSCORE", "nokey", "a"}), "*1\r\n" + kNil);
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "z"}), bulk("listpack"));
  EXPECT_EQ(h.run({"TYPE", "z"}), "+zset\r\n");
  EXPECT_EQ(h.run({"ZPOPMIN", "z"}), arr({"a", "1.1000000000000001"}));
  EXPECT_EQ(h.run({"ZPOPMAX", "z", "2"}), arr({"c", "3", "b", "2"}));
  EXPECT_EQ(h.run({"ZPOPMIN", "z", "5"}), arr({"x", "1.5"}));
  EXPECT_EQ(h.run({"EXISTS", "z"}), integer(0));
  EXPECT_EQ(h.run({"ZPOPMIN", "nokey"}), "*0\r\n");
}

TEST(ZSetFamily, Errors) {
  Harness h;
  h.run({"SET", "s", "v"});
  h.run({"ZADD", "z", "1", "a"});
  const std::string kWrong =
      error("WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(h.run({"ZADD", "s", "1", "a"}), kWrong);
  EXPECT_EQ(h.run({"ZRANGE", "s", "0", "1"}), kWrong);
  EXPECT_EQ(h.run({"ZSCORE", "s", "a"}), kWrong);
  EXPECT_EQ(h.run({"ZUNIONSTORE", "d", "2", "z", "s"}), kWrong);
  EXPECT_EQ(h.run({"ZADD", "z", "nan", "x"}), error("ERR value is not a valid float"));
  EXPECT_EQ(h.run({"ZADD", "z", "xx", "a", "b"}), error("ERR value is not a valid float"));
  EXPECT_EQ(h.run({"ZADD", "z", "xx", "1"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"ZADD", "z", "1", "a", "incr"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"ZADD", "z"}), error("ERR wrong number of arguments for 'zadd' command"));
  EXPECT_EQ(h.run({"ZADD", "z", "incr", "1", "a", "2", "b"}),
            error("ERR INCR option supports a single increment-element pair"));
  EXPECT_EQ(h.run({"ZADD", "z", "nx", "xx", "1", "a"}),
            error("ERR XX and NX options at the same time are not compatible"));
  EXPECT_EQ(h.run({"ZADD", "z", "gt", "lt", "1", "a"}),
            error("ERR GT, LT, and/or NX options at the same time are not compatible"));
  EXPECT_EQ(h.run({"ZADD", "z", "nx", "gt", "1", "a"}),
            error("ERR GT, LT, and/or NX options at the same time are not compatible"));
  EXPECT_EQ(h.run({"ZINCRBY", "z", "inf", "a"}), bulk("inf"));
  EXPECT_EQ(h.run({"ZINCRBY", "z", "-inf", "a"}),
            error("ERR resulting score is not a number (NaN)"));
  EXPECT_EQ(h.run({"ZINCRBY", "z", "x", "a"}), error("ERR value is not a valid float"));
  EXPECT_EQ(h.run({"ZCOUNT", "z", "1x", "3"}), error("ERR min or max is not a float"));
  EXPECT_EQ(h.run({"ZCOUNT", "z", "nan", "3"}), error("ERR min or max is not a float"));
  EXPECT_EQ(h.run({"ZRANGEBYLEX", "z", "a", "c"}),
            error("ERR min or max not valid string range item"));
  EXPECT_EQ(h.run({"ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"}),
            error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE "
                  "or BYLEX"));
  EXPECT_EQ(h.run({"ZRANGEBYLEX", "z", "-", "+", "WITHSCORES"}),
            error("ERR syntax error, WITHSCORES not supported in combination with BYLEX"));
  EXPECT_EQ(h.run({"ZRANGEBYSCORE", "z", "0", "1", "REV"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"ZRANGESTORE", "d", "z", "0", "-1", "WITHSCORES"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"ZPOPMIN", "z", "-1"}), error("ERR value is out of range, must be positive"));
  EXPECT_EQ(h.run({"ZPOPMIN", "z", "1", "2"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"ZINTERSTORE", "d", "0", "z"}),
            error("ERR at least 1 input key is needed for 'zinterstore' command"));
  EXPECT_EQ(h.run({"ZINTERSTORE", "d", "2", "z"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"ZUNION", "1", "z", "WEIGHTS", "x"}), error("ERR weight value is not a float"));
  EXPECT_EQ(h.run({"ZUNION", "1", "z", "AGGREGATE", "foo"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"ZDIFF", "1", "z", "WEIGHTS", "1"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"ZINTERCARD", "1", "z", "LIMIT", "-1"}), error("ERR LIMIT can't be negative"));
  EXPECT_EQ(h.run({"ZMPOP", "0", "z", "MIN"}), error("ERR numkeys should be greater than 0"));
  EXPECT_EQ(h.run({"ZMPOP", "1", "z", "MIN", "COUNT", "0"}),
            error("ERR count should be greater than 0"));
  EXPECT_EQ(h.run({"ZMPOP", "1", "z", "foo"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"ZMPOP", "1", "nokey", "MIN"}), "*-1\r\n");
  EXPECT_EQ(h.run({"BZPOPMIN", "z", "-1"}), error("ERR timeout is negative"));
  EXPECT_EQ(h.run({"BZPOPMIN", "z", "x"}), error("ERR timeout is not a float or out of range"));
  EXPECT_EQ(h.run({"ZRANDMEMBER", "z", "3", "foo"}), error("ERR syntax error"));
  EXPECT_EQ(h.run({"ZSCAN", "z", "x"}), error("ERR invalid cursor"));
  EXPECT_EQ(h.run({"ZREMRANGEBYRANK", "z", "x", "1"}),
            error("ERR value is not an integer or out of range"));
}

TEST(ZSetFamily, EncodingsAndConversions) {
  Harness h;
  std::vector<std::string> args = {"ZADD", "z"};
  for (int i = 0; i < 128; ++i) {
    args.push_back(std::to_string(i));
    args.push_back("m" + std::to_string(i));
  }
  EXPECT_EQ(h.run(args), integer(128));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "z"}), bulk("listpack"));
  EXPECT_EQ(h.run({"ZADD", "z", "1000", "one-more"}), integer(1));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "z"}), bulk("skiplist"));
  EXPECT_EQ(h.run({"ZCARD", "z"}), integer(129));
  EXPECT_EQ(h.run({"ZRANGE", "z", "-2", "-1"}), arr({"m127", "one-more"}));
  EXPECT_EQ(h.run({"ZREMRANGEBYSCORE", "z", "1", "1000"}), integer(128));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "z"}), bulk("skiplist"));  // never converts back
  EXPECT_EQ(h.run({"ZRANGESTORE", "d", "z", "0", "-1"}), integer(1));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "d"}), bulk("listpack"));
  std::string long_member(65, 'y');
  EXPECT_EQ(h.run({"ZADD", "l", "1", long_member}), integer(1));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "l"}), bulk("skiplist"));
  // listpack stores -0 as 0; a skiplist keeps it.
  EXPECT_EQ(h.run({"ZADD", "n", "-0", "a"}), integer(1));
  EXPECT_EQ(h.run({"ZSCORE", "n", "a"}), bulk("0"));
  EXPECT_EQ(h.run({"ZADD", "l", "-0", "a", "1e17", "b"}), integer(2));
  EXPECT_EQ(h.run({"ZSCORE", "l", "a"}), bulk("-0"));
  EXPECT_EQ(h.run({"ZADD", "n", "1e17", "b"}), integer(1));
  EXPECT_EQ(h.run({"ZSCAN", "n", "0"}),
            "*2\r\n" + bulk("0") + arr({"a", "0", "b", "100000000000000000"}));
  // COPY and RENAME keep the structure.
  EXPECT_EQ(h.run({"COPY", "l", "l2"}), integer(1));
  EXPECT_EQ(h.run({"ZRANGE", "l2", "0", "-1", "WITHSCORES"}),
            h.run({"ZRANGE", "l", "0", "-1", "WITHSCORES"}));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "l2"}), bulk("skiplist"));
  EXPECT_EQ(h.run({"DEL", "l"}), integer(1));
  EXPECT_EQ(h.run({"ZCARD", "l2"}), integer(3));
  EXPECT_EQ(h.run({"CONFIG", "SET", "zset-max-listpack-entries", "0"}), kOk);
  EXPECT_EQ(h.run({"ZADD", "s0", "1", "a"}), integer(1));
  EXPECT_EQ(h.run({"OBJECT", "ENCODING", "s0"}), bulk("skiplist"));
}

TEST(ZSetFamily, SetOperations) {
  Harness h;
  h.run({"ZADD", "a", "1", "x", "2", "y", "3", "z"});
  h.run({"ZADD", "b", "10", "y", "20", "z", "30", "w"});
  EXPECT_EQ(h.run({"ZUNION", "2", "a", "b", "WITHSCORES"}),
            arr({"x", "1", "y", "12", "z", "23", "w", "30"}));
  EXPECT_EQ(h.run({"ZINTER", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES"}),
            arr({"y", "2", "z", "3"}));
  EXPECT_EQ(h.run({"ZINTER", "2", "a", "b", "WEIGHTS", "2", "0.5", "WITHSCORES"}),
            arr({"y", "9", "z", "16"}));
  EXPECT_EQ(h.run({"ZDIFF", "2", "a", "b", "WITHSCORES"}), arr({"x", "1"}));
  EXPECT_EQ(h.run({"ZINTERCARD", "2", "a", "b", "LIMIT", "1"}), integer(1));
  EXPECT_EQ(h.run({"ZUNIONSTORE", "d", "2", "a", "b"}), integer(4));
  EXPECT_EQ(h.run({"ZINTERSTORE", "d", "2", "a", "nokey"}), integer(0));
  EXPECT_EQ(h.run({"EXISTS", "d"}), integer(0));
  EXPECT_EQ(h.run({"ZDIFFSTORE", "a", "2", "a", "b"}), integer(1));
  EXPECT_EQ(h.run({"ZRANGE", "a", "0", "-1"}), arr({"x"}));
}

// Plain sets are inputs with every score 1 (replies are redis-server 7.0.15's).
TEST(ZSetFamily, SetOperationsAcceptSets) {
  Harness h;
  h.run({"ZADD", "a", "1", "x", "2", "y", "3", "z"});
  h.run({"SADD", "s", "y", "q"});
  h.run({"SADD", "si", "1", "2", "3"});
  EXPECT_EQ(h.run({"ZUNION", "2", "a", "s", "WITHSCORES"}),
            arr({"q", "1", "x", "1", "y", "3", "z", "3"}));
  EXPECT_EQ(h.run({"ZINTER", "2", "a", "s", "WEIGHTS", "1", "5", "WITHSCORES"}), arr({"y", "7"}));
  EXPECT_EQ(h.run({"ZDIFF", "2", "s", "a", "WITHSCORES"}), arr({"q", "1"}));
  EXPECT_EQ(h.run({"ZINTERSTORE", "d", "2", "si", "a"}), integer(0));
  EXPECT_EQ(h.run({"ZINTERCARD", "2", "a", "s"}), integer(1));
  EXPECT_EQ(h.run({"ZUNION", "2", "si", "s", "WITHSCORES"}),
            arr({"1", "1", "2", "1", "3", "1", "q", "1", "y", "1"}));
  EXPECT_EQ(h.run({"ZUNIONSTORE", "d", "2", "si", "s"}), integer(5));
  EXPECT_EQ(h.run({"TYPE", "d"}), "+zset\r\n");
  h.run({"SET", "str", "v"});
  EXPECT_EQ(h.run({"ZUNION", "2", "a", "str"}),
            error("WRONGTYPE Operation against a key holding the wrong kind of value"));
}

TEST(ZSetFamily, Resp3Replies) {
  Harness h;
  h.run({"HELLO", "3"});
  h.run({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(h.run({"ZSCORE", "z", "a"}), ",1\r\n");
  EXPECT_EQ(h.run({"ZRANGE", "z", "0", "0", "WITHSCORES"}), "*1\r\n*2\r\n$1\r\na\r\n,1\r\n");
  EXPECT_EQ(h.run({"ZPOPMIN", "z"}), "*2\r\n$1\r\na\r\n,1\r\n");
  EXPECT_EQ(h.run({"ZPOPMIN", "z", "1"}), "*1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
  EXPECT_EQ(h.run({"ZMPOP", "1", "z", "MAX"}), "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nc\r\n,3\r\n");
  EXPECT_EQ(h.run({"ZSCORE", "z", "c"}), "_\r\n");
}

// 4 clients on 4 workers, one thread each: ZINCRBYs on one member (and on members of a big
// skiplist) are never lost.
TEST(ZSetFamily, ConcurrentZincrby) {
  constexpr int kThreads = 4;
  constexpr int kIncrs = 2000;
  Harness h(kThreads, kThreads);
  std::vector<std::string> args = {"ZADD", "big"};
  for (int i = 0; i < 300; ++i) {
    args.push_back("0");
    args.push_back("m" + std::to_string(i));
  }
  h.run(args);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIncrs; ++i) {
        h.run({"ZINCRBY", "small", "1", "m"}, t);
        h.run({"ZINCRBY", "big", "1", "m" + std::to_string((i * 7 + t) % 300)}, t);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(h.run({"ZSCORE", "small", "m"}), bulk(std::to_string(kThreads * kIncrs)));
  // The sum of all scores of big is the number of increments.
  std::string all = h.run({"ZRANGE", "big", "0", "-1", "WITHSCORES"});
  long long sum = 0;
  size_t pos = 0;
  int idx = 0;
  while ((pos = all.find("\r\n$", pos)) != std::string::npos) {
    size_t start = all.find("\r\n", pos + 3) + 2;
    size_t end = all.find("\r\n", start);
    if (idx++ % 2 == 1) sum += std::stoll(all.substr(start, end - start));
    pos = end;
  }
  EXPECT_EQ(sum, kThreads * kIncrs);
  EXPECT_EQ(h.run({"ZCARD", "big"}), integer(300));
}

}  // namespace
