// Tests of maxmemory (server/eviction.h) and the access clocks (ds/access.h) through the
// command dispatcher: -OOM under noeviction, deny-oom vs other commands, MULTI/EXEC and scripts
// over the limit, which keys each policy evicts, OBJECT IDLETIME / FREQ and TOUCH. Error texts
// were taken from redis-server 7.0.15.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ds/access.h"
#include "ds/keyspace.h"
#include "harness.h"
#include "server/eviction.h"

namespace {

using namespace stmkv_test;
using stmkv::Db;
using stmkv::Entry;

const std::string kOom = "OOM command not allowed when used memory > 'maxmemory'.";
const std::string kQueued = "+QUEUED\r\n";

std::string arr(size_t n) { return "*" + std::to_string(n) + "\r\n"; }

bool exists(Harness& h, const std::string& key) { return h.run({"EXISTS", key}) == integer(1); }

// Sets the access clock of every key of database 0 to idle_ms ago (LRU meaning).
void age_all(Harness& h, int64_t idle_ms) {
  int64_t now = stmkv::now_ms();
  h.server().worker(0).stm->atomically([&](stm::Tx& tx) {
    Db db(tx, 0, now);
    db.for_each([&](stm::Ref<Entry> e) { stmkv::access::set_idle(e.offset(), idle_ms, now); });
  });
}

// The figure maxmemory is compared with: used memory minus what is not counted for eviction.
uint64_t used(Harness& h) {
  stmkv::MemoryUse m = stmkv::memory_use(h.server());
  EXPECT_EQ(m.used, stmkv::used_memory(h.server()));
  return m.used - m.not_counted;
}

// Sets maxmemory so that about `bytes` must be freed before the next command goes ahead.
void squeeze(Harness& h, uint64_t bytes) {
  uint64_t u = used(h);
  ASSERT_GT(u, bytes);
  ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory", std::to_string(u - bytes)}), kOk);
}

uint64_t evicted_keys(Harness& h) {
  std::string info = h.run({"INFO", "stats"});
  size_t p = info.find("evicted_keys:");
  EXPECT_NE(p, std::string::npos);
  return std::stoull(info.substr(p + 13));
}

// Selects a policy, with no time limit on an eviction pass (tests check where it ends).
void policy(Harness& h, const std::string& name) {
  ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory-policy", name}), kOk);
  ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory-eviction-tenacity", "100"}), kOk);
}

void fill(Harness& h, const std::string& prefix, int n, bool ttl = false, int ttl_base = 10000) {
  std::string value(100, 'v');
  for (int i = 0; i < n; ++i) {
    std::vector<std::string> argv = {"SET", prefix + std::to_string(i), value};
    if (ttl) {
      argv.push_back("EX");
      argv.push_back(std::to_string(ttl_base + i));
    }
    ASSERT_EQ(h.run(argv), kOk);
  }
}

TEST(Eviction, ConfigDefaultsAndRanges) {
  Harness h(1, 1);
  EXPECT_EQ(h.run({"CONFIG", "GET", "maxmemory-eviction-tenacity"}),
            arr(2) + bulk("maxmemory-eviction-tenacity") + bulk("10"));
  EXPECT_EQ(h.run({"CONFIG", "GET", "lfu-log-factor"}), arr(2) + bulk("lfu-log-factor") + bulk("10"));
  EXPECT_EQ(h.run({"CONFIG", "GET", "lfu-decay-time"}), arr(2) + bulk("lfu-decay-time") + bulk("1"));
  EXPECT_EQ(h.run({"CONFIG", "SET", "maxmemory-samples", "0"}),
            error("ERR CONFIG SET failed (possibly related to argument 'maxmemory-samples') - "
                  "argument must be between 1 and 2147483647 inclusive"));
  EXPECT_EQ(h.run({"CONFIG", "SET", "lfu-log-factor", "-1"}),
            error("ERR CONFIG SET failed (possibly related to argument 'lfu-log-factor') - "
                  "argument must be between 0 and 2147483647 inclusive"));
  EXPECT_EQ(h.run({"CONFIG", "SET", "maxmemory-eviction-tenacity", "101"}),
            error("ERR CONFIG SET failed (possibly related to argument "
                  "'maxmemory-eviction-tenacity') - argument must be between 0 and 100 inclusive"));
  EXPECT_EQ(h.run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}), kOk);
  std::string info = h.run({"INFO", "memory"});
  EXPECT_NE(info.find("maxmemory:0\r\n"), std::string::npos);
  EXPECT_NE(info.find("maxmemory_human:0B\r\n"), std::string::npos);
  EXPECT_NE(info.find("maxmemory_policy:allkeys-lfu\r\n"), std::string::npos);
  EXPECT_EQ(h.run({"CONFIG", "SET", "maxmemory", "10mb"}), kOk);
  info = h.run({"INFO", "memory"});
  EXPECT_NE(info.find("maxmemory:10485760\r\n"), std::string::npos);
  EXPECT_NE(info.find("maxmemory_human:10.00M\r\n"), std::string::npos);
  info = h.run({"INFO", "stats"});
  EXPECT_NE(info.find("evicted_keys:0\r\n"), std::string::npos);
  EXPECT_NE(info.find("total_eviction_exceeded_time:"), std::string::npos);
  EXPECT_NE(info.find("current_eviction_exceeded_time:0\r\n"), std::string::npos);
}

TEST(Eviction, UsedMemoryFollowsTheData) {
  Harness h(1, 1);
  uint64_t before = used(h);
  fill(h, "k", 1000);
  uint64_t after = used(h);
  // 1000 keys of 100 bytes: at least their entries (with the key embedded) and values.
  EXPECT_GE(after, before + 1000 * (64 + 112));
  std::string info = h.run({"INFO", "memory"});
  EXPECT_NE(info.find("used_memory:"), std::string::npos);
  uint64_t live = h.server().heap().live_bytes();
  EXPECT_EQ(h.run({"FLUSHALL"}), kOk);
  EXPECT_LE(h.server().heap().live_bytes(), live - 1000 * (64 + 112));
}

TEST(Eviction, NoevictionRefusesDenyOomCommandsOnly) {
  Harness h(1, 1);
  ASSERT_EQ(h.run({"SET", "a", "1"}), kOk);
  ASSERT_EQ(h.run({"RPUSH", "l", "x"}), integer(1));
  ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory", "1"}), kOk);
  EXPECT_EQ(h.run({"SET", "b", "2"}), error(kOom));
  EXPECT_EQ(h.run({"INCR", "c"}), error(kOom));
  EXPECT_EQ(h.run({"RPUSH", "l", "y"}), error(kOom));
  EXPECT_EQ(h.run({"SET", "a", "3"}), error(kOom));
  // Reads and commands that free memory still run.
  EXPECT_EQ(h.run({"GET", "a"}), bulk("1"));
  EXPECT_EQ(h.run({"LPOP", "l"}), bulk("x"));
  EXPECT_EQ(h.run({"EXPIRE", "a", "100"}), integer(1));
  EXPECT_EQ(h.run({"DEL", "a"}), integer(1));
  EXPECT_EQ(h.run({"PING"}), "+PONG\r\n");
  EXPECT_EQ(evicted_keys(h), 0u);
  ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory", "0"}), kOk);
  EXPECT_EQ(h.run({"SET", "b", "2"}), kOk);
}

TEST(Eviction, MultiOverTheLimit) {
  Harness h(1, 2);
  ASSERT_EQ(h.run({"SET", "a", "1"}), kOk);
  ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory", "1"}), kOk);
  // Out of memory while queueing: every command is refused and flags the block (Redis 7.0).
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"SET", "x", "1"}), error(kOom));
  EXPECT_EQ(h.run({"GET", "a"}), error(kOom));
  EXPECT_EQ(h.run({"EXEC"}),
            error("EXECABORT Transaction discarded because of previous errors."));
  // Queued under the limit, over it at EXEC: a block with a deny-oom command is discarded.
  ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory", "0"}), kOk);
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"SET", "x", "1"}), kQueued);
  ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory", "1"}, 1), kOk);
  EXPECT_EQ(h.run({"EXEC"}), error("EXECABORT Transaction discarded because of: " + kOom));
  EXPECT_EQ(h.run({"EXISTS", "x"}), integer(0));
  EXPECT_EQ(h.run({"DISCARD"}), error("ERR DISCARD without MULTI"));
  // A block of reads runs.
  ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory", "0"}), kOk);
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  EXPECT_EQ(h.run({"GET", "a"}), kQueued);
  ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory", "1"}, 1), kOk);
  EXPECT_EQ(h.run({"EXEC"}), arr(1) + bulk("1"));
  // DISCARD is allowed.
  ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory", "0"}), kOk);
  EXPECT_EQ(h.run({"MULTI"}), kOk);
  ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory", "1"}, 1), kOk);
  EXPECT_EQ(h.run({"DISCARD"}), kOk);
}

TEST(Eviction, ScriptsOverTheLimit) {
  Harness h(1, 1);
  ASSERT_EQ(h.run({"SET", "a", "1"}), kOk);
  ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory", "1"}), kOk);
  // A script without a shebang starts; its first deny-oom call fails (Redis 7.0).
  std::string r = h.run({"EVAL", "return redis.call('set','k','v')", "0"});
  EXPECT_EQ(r.rfind("-" + kOom + " script: ", 0), 0u) << r;
  EXPECT_EQ(h.run({"EVAL", "return redis.pcall('set','k','v')", "0"}), error(kOom));
  EXPECT_EQ(h.run({"EVAL", "return redis.call('get','a')", "0"}), bulk("1"));
  EXPECT_EQ(h.run({"EVAL", "return redis.call('del','a')", "0"}), integer(1));
  // allow-oom scripts may write; a script that already wrote goes on (Redis 7.0).
  EXPECT_EQ(h.run({"EVAL", "#!lua flags=allow-oom\nreturn redis.call('set','k','v')", "0"}), kOk);
  EXPECT_EQ(h.run({"EVAL", "#!lua flags=no-writes\nreturn redis.call('get','k')", "0"}),
            bulk("v"));
  ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory", "0"}), kOk);
  EXPECT_EQ(h.run({"EVAL", "return redis.call('set','k','v')", "0"}), kOk);
}

TEST(Eviction, AllkeysRandomEvictsUntilUnderTheLimit) {
  Harness h(1, 1);
  fill(h, "k", 2000);
  policy(h, "allkeys-random");
  squeeze(h, 300 * 250);
  ASSERT_EQ(h.run({"SET", "new", "1"}), kOk);
  uint64_t n = evicted_keys(h);
  EXPECT_GT(n, 100u);
  EXPECT_LT(n, 1500u);
  EXPECT_LE(used(h), std::stoull(h.run({"CONFIG", "GET", "maxmemory"}).substr(23)) + 4096);
  EXPECT_EQ(h.run({"DBSIZE"}), integer(2001 - int64_t(n)));
}

TEST(Eviction, VolatilePoliciesNeverEvictKeysWithoutTtl) {
  for (const char* name : {"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"}) {
    SCOPED_TRACE(name);
    Harness h(1, 1);
    fill(h, "p", 300);
    fill(h, "v", 100, true);
    policy(h, name);
    squeeze(h, 50 * 250);
    ASSERT_EQ(h.run({"SET", "x", "1"}), kOk);
    EXPECT_GT(evicted_keys(h), 0u);
    // Squeeze more than the volatile keys can give: they all go, then -OOM.
    squeeze(h, 400 * 250);
    EXPECT_EQ(h.run({"SET", "y", "1"}), error(kOom));
    for (int i = 0; i < 300; ++i) ASSERT_TRUE(exists(h, "p" + std::to_string(i))) << i;
    int left = 0;
    for (int i = 0; i < 100; ++i) left += exists(h, "v" + std::to_string(i));
    EXPECT_EQ(left, 0);
    EXPECT_EQ(evicted_keys(h), 100u);
    // Reads and deletions still work; a write works again once memory is freed.
    EXPECT_EQ(h.run({"DEL", "p0", "p1"}), integer(2));
    ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory", "0"}), kOk);
    EXPECT_EQ(h.run({"SET", "y", "1"}), kOk);
  }
}

TEST(Eviction, VolatileTtlEvictsTheNearestExpiryFirst) {
  Harness h(1, 1);
  fill(h, "v", 400, true, 10000);   // v0 expires first, v399 last
  policy(h, "volatile-ttl");
  squeeze(h, 80 * 250);
  ASSERT_EQ(h.run({"SET", "x", "1"}), kOk);
  uint64_t n = evicted_keys(h);
  ASSERT_GT(n, 20u);
  int early = 0, late = 0;
  std::string gone;
  for (int i = 0; i < 400; ++i) {
    if (exists(h, "v" + std::to_string(i))) continue;
    gone += std::to_string(i) + " ";
    (i < 200 ? early : late) += 1;
  }
  // Sampling is approximate (as Redis's): most evicted keys are among the nearest expiries.
  EXPECT_GE(early, 4 * late) << early << " " << late << ": " << gone;
}

TEST(Eviction, AllkeysLruKeepsRecentlyReadKeys) {
  Harness h(1, 1);
  fill(h, "k", 1000);
  age_all(h, 1000 * 1000);   // every key idle for 1000 s
  for (int i = 0; i < 100; ++i) ASSERT_EQ(h.run({"GET", "k" + std::to_string(i)}).size(), 108u);
  policy(h, "allkeys-lru");
  squeeze(h, 500 * 250);
  ASSERT_EQ(h.run({"SET", "x", "1"}), kOk);
  ASSERT_GT(evicted_keys(h), 200u);
  int hot = 0, cold = 0;
  for (int i = 0; i < 1000; ++i) (i < 100 ? hot : cold) += exists(h, "k" + std::to_string(i));
  EXPECT_GE(hot, 95);
  EXPECT_LT(double(cold) / 900, 0.8 * hot / 100.0) << hot << " " << cold;
}

TEST(Eviction, AllkeysLfuKeepsFrequentlyReadKeys) {
  Harness h(1, 1);
  policy(h, "allkeys-lfu");
  ASSERT_EQ(h.run({"CONFIG", "SET", "lfu-log-factor", "0"}), kOk);   // every access counts
  fill(h, "k", 1000);
  EXPECT_EQ(h.run({"OBJECT", "FREQ", "k0"}), integer(5));   // LFU_INIT_VAL
  for (int r = 0; r < 10; ++r) {
    for (int i = 0; i < 100; ++i) ASSERT_EQ(h.run({"GET", "k" + std::to_string(i)}).size(), 108u);
  }
  EXPECT_EQ(h.run({"OBJECT", "FREQ", "k0"}), integer(15));
  EXPECT_EQ(h.run({"OBJECT", "FREQ", "k500"}), integer(5));
  EXPECT_EQ(h.run({"OBJECT", "IDLETIME", "k0"}),
            error("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note "
                  "that when switching between policies at runtime LRU and LFU data will take "
                  "some time to adjust."));
  squeeze(h, 500 * 250);
  ASSERT_EQ(h.run({"SET", "x", "1"}), kOk);
  ASSERT_GT(evicted_keys(h), 200u);
  int hot = 0, cold = 0;
  for (int i = 0; i < 1000; ++i) (i < 100 ? hot : cold) += exists(h, "k" + std::to_string(i));
  EXPECT_GE(hot, 95);
  EXPECT_LT(double(cold) / 900, 0.8 * hot / 100.0) << hot << " " << cold;
}

TEST(Eviction, ObjectIdletimeAndTouch) {
  Harness h(1, 1);
  ASSERT_EQ(h.run({"SET", "a", "1"}), kOk);
  EXPECT_EQ(h.run({"OBJECT", "IDLETIME", "a"}), integer(0));
  EXPECT_EQ(h.run({"OBJECT", "IDLETIME", "nokey"}), kNil);
  EXPECT_EQ(h.run({"OBJECT", "FREQ", "a"}),
            error("ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
                  "Please note that when switching between policies at runtime LRU and LFU data "
                  "will take some time to adjust."));
  age_all(h, 50 * 1000);
  EXPECT_EQ(h.run({"OBJECT", "IDLETIME", "a"}), integer(50));
  // OBJECT, EXISTS and TYPE do not count as accesses; GET, TOUCH and writes do.
  EXPECT_EQ(h.run({"EXISTS", "a"}), integer(1));
  EXPECT_EQ(h.run({"TYPE", "a"}), "+string\r\n");
  EXPECT_EQ(h.run({"OBJECT", "IDLETIME", "a"}), integer(50));
  EXPECT_EQ(h.run({"TOUCH", "a", "nokey"}), integer(1));
  EXPECT_EQ(h.run({"OBJECT", "IDLETIME", "a"}), integer(0));
  age_all(h, 50 * 1000);
  EXPECT_EQ(h.run({"GET", "a"}), bulk("1"));
  EXPECT_EQ(h.run({"OBJECT", "IDLETIME", "a"}), integer(0));
  age_all(h, 50 * 1000);
  EXPECT_EQ(h.run({"APPEND", "a", "2"}), integer(2));
  EXPECT_EQ(h.run({"OBJECT", "IDLETIME", "a"}), integer(0));
}

// A CONFIG SET inside an EXEC block applies as soon as the block ends.
TEST(Eviction, ConfigSetInExecApplies) {
  Harness h(1, 1);
  ASSERT_EQ(h.run({"MULTI"}), kOk);
  ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory", "1"}), "+QUEUED\r\n");
  ASSERT_EQ(h.run({"EXEC"}), "*1\r\n+OK\r\n");
  EXPECT_EQ(h.run({"SET", "a", "1"}), error(kOom));
  ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory", "0"}), kOk);
  EXPECT_EQ(h.run({"SET", "a", "1"}), kOk);
}

// RESTORE IDLETIME / FREQ set the clock of the current policy (Redis's objectSetLRUOrLFU).
TEST(Eviction, RestoreIdletimeAndFreq) {
  Harness h(1, 1);
  ASSERT_EQ(h.run({"SET", "a", "1"}), kOk);
  std::string dump = h.run({"DUMP", "a"});
  std::string payload = dump.substr(dump.find("\r\n") + 2);
  payload.resize(payload.size() - 2);
  EXPECT_EQ(h.run({"RESTORE", "b", "0", payload, "IDLETIME", "1000"}), kOk);
  EXPECT_EQ(h.run({"OBJECT", "IDLETIME", "b"}), integer(1000));
  ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}), kOk);
  EXPECT_EQ(h.run({"RESTORE", "c", "0", payload, "FREQ", "77"}), kOk);
  EXPECT_EQ(h.run({"OBJECT", "FREQ", "c"}), integer(77));
}

TEST(Eviction, LfuCounterDecaysByMinutes) {
  Harness h(1, 1);
  ASSERT_EQ(h.run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}), kOk);
  ASSERT_EQ(h.run({"SET", "a", "1"}), kOk);
  int64_t now = stmkv::now_ms();
  uint64_t off = 0;
  h.server().worker(0).stm->atomically(
      [&](stm::Tx& tx) { off = Db(tx, 0, now).find_no_touch("a").offset(); });
  // Counter 10, last decremented 3 minutes ago: LFUDecrAndReturn gives 10 - 3 / decay-time.
  uint32_t ldt = (stmkv::access::lfu_minutes(now) + 65536 - 3) & 65535;
  stmkv::access::set(off, (ldt << 8) | 10);
  EXPECT_EQ(h.run({"OBJECT", "FREQ", "a"}), integer(7));
  ASSERT_EQ(h.run({"CONFIG", "SET", "lfu-decay-time", "2"}), kOk);
  EXPECT_EQ(h.run({"OBJECT", "FREQ", "a"}), integer(9));
  ASSERT_EQ(h.run({"CONFIG", "SET", "lfu-decay-time", "0"}), kOk);
  EXPECT_EQ(h.run({"OBJECT", "FREQ", "a"}), integer(10));
  // An access decays, then increments (probability 1 at log factor 0), and stamps the minute.
  ASSERT_EQ(h.run({"CONFIG", "SET", "lfu-log-factor", "0"}), kOk);
  ASSERT_EQ(h.run({"CONFIG", "SET", "lfu-decay-time", "1"}), kOk);
  EXPECT_EQ(h.run({"GET", "a"}), bulk("1"));
  EXPECT_EQ(h.run({"OBJECT", "FREQ", "a"}), integer(8));
}

TEST(Eviction, EvictKeyDeletesOnlyLiveKeysOfItsKind) {
  Harness h(1, 1);
  ASSERT_EQ(h.run({"SET", "p", "1"}), kOk);
  ASSERT_EQ(h.run({"SET", "v", "1", "EX", "100"}), kOk);
  int64_t now = stmkv::now_ms();
  bool r1 = true, r2 = false, r3 = true;
  h.server().worker(0).stm->atomically([&](stm::Tx& tx) {
    r1 = stmkv::evict_key(tx, 0, "p", /*volatile_only=*/true, now);
    r2 = stmkv::evict_key(tx, 0, "v", true, now);
    r3 = stmkv::evict_key(tx, 0, "nokey", false, now);
  });
  EXPECT_FALSE(r1);
  EXPECT_TRUE(r2);
  EXPECT_FALSE(r3);
  EXPECT_EQ(h.run({"EXISTS", "p", "v"}), integer(1));
}

}  // namespace
