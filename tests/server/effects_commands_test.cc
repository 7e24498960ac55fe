// What each command writes to the AOF (server/effects.h): per rewrite, the exact records (as
// redis-server 7.0.15 writes them in its incremental AOF for the same commands, see
// tests/integration/test_aof_effects.py), and a replay check: the records, run in a fresh
// server, rebuild the same data (DUMP and PEXPIRETIME of every key of every database).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "ds/keyspace.h"
#include "harness.h"
#include "server/effects.h"
#include "server/maintenance.h"

namespace {

using stmkv_test::Harness;
using Argv = std::vector<std::string>;

std::string g_log;
int g_db = 0;
void capture(const stmkv::Effects& fx, uint64_t) { fx.write_resp(g_log, &g_db); }

// The RESP arrays of a log.
std::vector<Argv> parse_log(const std::string& s) {
  std::vector<Argv> out;
  size_t i = 0;
  auto number = [&] {
    size_t e = s.find("\r\n", i);
    long long v = std::stoll(s.substr(i + 1, e - i - 1));
    i = e + 2;
    return v;
  };
  while (i < s.size()) {
    EXPECT_EQ(s[i], '*');
    long long n = number();
    Argv a;
    for (long long k = 0; k < n; ++k) {
      long long len = number();
      a.push_back(s.substr(i, size_t(len)));
      i += size_t(len) + 2;
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::string join(const Argv& a) {
  std::string s;
  for (const std::string& x : a) s += (s.empty() ? "" : " ") + x;
  return s;
}

// The integer of a RESP integer reply.
long long int_of(const std::string& reply) { return std::stoll(reply.substr(1)); }

std::vector<std::string> bulks_of(const std::string& reply) {
  std::vector<std::string> out;
  size_t i = reply.find("\r\n") + 2;
  while (i < reply.size()) {
    size_t e = reply.find("\r\n", i);
    if (reply[i] != '$') break;
    long long len = std::stoll(reply.substr(i + 1, e - i - 1));
    out.push_back(reply.substr(e + 2, size_t(len)));
    i = e + 2 + size_t(len) + 2;
  }
  return out;
}

// Every key of every database with its DUMP payload and PEXPIRETIME, as text.
std::string snapshot(Harness& x, int client) {
  std::string out;
  for (int db = 0; db < 16; ++db) {
    x.run({"SELECT", std::to_string(db)}, client);
    std::vector<std::string> keys = bulks_of(x.run({"KEYS", "*"}, client));
    std::sort(keys.begin(), keys.end());
    for (const std::string& k : keys) {
      // A set's members (a listpack's order depends on how the set was built), else DUMP.
      std::string value;
      if (x.run({"TYPE", k}, client) == "+set\r\n") {
        std::vector<std::string> m = bulks_of(x.run({"SMEMBERS", k}, client));
        std::sort(m.begin(), m.end());
        for (const std::string& s : m) value += s + ",";
      } else {
        value = x.run({"DUMP", k}, client);
      }
      out += std::to_string(db) + " " + k + " " + value + " " + x.run({"PEXPIRETIME", k}, client) +
             "\n";
    }
  }
  return out;
}

class EffectsCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    g_log.clear();
    g_db = 0;
    stmkv::set_effects_sink(capture);
  }
  void TearDown() override { stmkv::set_effects_sink(nullptr); }

  std::string run(Argv argv, int client = 0) { return h.run(std::move(argv), client); }
  // The records since the last call, one line each ("SET k v PXAT 123").
  std::vector<std::string> records() {
    std::vector<std::string> out;
    for (const Argv& a : parse_log(g_log.substr(seen_))) out.push_back(join(a));
    seen_ = g_log.size();
    return out;
  }
  std::string pexpiretime(const std::string& key) {
    return std::to_string(int_of(run({"PEXPIRETIME", key}, 1)));
  }
  // Replays the whole log in a fresh server (a few ms later, so that a relative TTL replayed
  // as such would differ) and returns its data; expiry paused as the AOF loader does.
  std::string replay(bool paused, int delay_ms) {
    std::string log = g_log;
    stmkv::set_effects_sink(nullptr);
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    Harness fresh{1, 2};
    stmkv::set_expiry_paused(paused);
    for (const Argv& a : parse_log(log)) {
      std::string reply = fresh.run(a);
      EXPECT_NE(reply[0], '-') << join(a) << " -> " << reply;
    }
    stmkv::set_expiry_paused(false);
    stmkv::set_effects_sink(capture);
    return snapshot(fresh, 1);
  }
  void expect_replay_same() {
    std::string original = snapshot(h, 1);
    EXPECT_EQ(replay(false, 3), original);
    EXPECT_EQ(replay(true, 0), original);
  }

  Harness h{1, 2};
  size_t seen_ = 0;
};

using V = std::vector<std::string>;

TEST_F(EffectsCommandsTest, SetWithExpireIsSetPxat) {
  run({"SET", "k", "v", "EX", "100"});
  EXPECT_EQ(records(), V{"SET k v PXAT " + pexpiretime("k")});
  run({"set", "k", "v", "px", "100000", "NX"});  // not set: nothing
  run({"SET", "k", "v2", "PX", "100000", "XX", "GET"});
  EXPECT_EQ(records(), V{"SET k v2 PXAT " + pexpiretime("k")});
  run({"SET", "k", "v3", "EXAT", "4000000000"});
  run({"SET", "k", "v4", "PXAT", "4000000000123"});
  run({"SET", "k", "v5", "KEEPTTL"});
  run({"SET", "k", "v6", "KEEPTTL", "GET"});
  run({"SET", "n", "v", "NX", "GET"});
  run({"SET", "k", "v7", "GET", "XX", "get"});
  EXPECT_EQ(records(), (V{"SET k v3 PXAT 4000000000000", "SET k v4 PXAT 4000000000123",
                          "SET k v5 KEEPTTL", "SET k v6 KEEPTTL", "SET n v NX", "SET k v7 XX"}));
  run({"SETEX", "a", "100", "x"});
  std::string a = pexpiretime("a");
  run({"PSETEX", "b", "100000", "y"});
  EXPECT_EQ(records(), (V{"SET a x PXAT " + a, "SET b y PXAT " + pexpiretime("b")}));
  run({"SET", "gone", "v", "EXAT", "1"});  // stored already expired, as Redis
  EXPECT_EQ(records(), V{"SET gone v PXAT 1000"});
  expect_replay_same();
}

TEST_F(EffectsCommandsTest, GetexGetdelGetset) {
  run({"SET", "k", "v"});
  records();
  run({"GETEX", "k", "EX", "100"});
  std::string t1 = pexpiretime("k");
  run({"GETEX", "k", "PXAT", "4000000000000"});
  run({"GETEX", "k"});  // no option: nothing
  run({"GETEX", "k", "PERSIST"});
  run({"GETEX", "k", "PERSIST"});  // had no TTL: nothing
  run({"GETEX", "missing", "EX", "100"});
  EXPECT_EQ(records(), (V{"PEXPIREAT k " + t1, "PEXPIREAT k 4000000000000", "PERSIST k"}));
  run({"GETEX", "k", "EXAT", "1"});
  EXPECT_EQ(records(), V{"DEL k"});
  run({"SET", "k", "v"});
  run({"GETSET", "k", "w"});
  run({"GETDEL", "k"});
  run({"GETDEL", "k"});
  EXPECT_EQ(records(), (V{"SET k v", "SET k w", "DEL k"}));
  expect_replay_same();
}

TEST_F(EffectsCommandsTest, ExpireFamilyIsPexpireat) {
  run({"SET", "k", "v"});
  records();
  run({"EXPIRE", "k", "100"});
  std::string t1 = pexpiretime("k");
  run({"PEXPIRE", "k", "200000", "GT"});
  std::string t2 = pexpiretime("k");
  run({"EXPIRE", "k", "100", "NX"});  // not applied: nothing
  run({"EXPIREAT", "k", "4000000000"});
  run({"pexpireat", "k", "4000000000001"});
  EXPECT_EQ(records(), (V{"PEXPIREAT k " + t1, "PEXPIREAT k " + t2 + " GT",
                          "PEXPIREAT k 4000000000000", "pexpireat k 4000000000001"}));
  run({"PERSIST", "k"});
  run({"PERSIST", "k"});
  run({"EXPIRE", "k", "-1"});
  run({"SET", "k", "v"});
  run({"PEXPIREAT", "k", "1"});
  EXPECT_EQ(records(), (V{"PERSIST k", "DEL k", "SET k v", "DEL k"}));
  run({"SET", "t", "v"});
  run({"EXPIRE", "t", "1000"});
  expect_replay_same();
}

TEST_F(EffectsCommandsTest, FloatIncrementsAreTheirResults) {
  run({"SET", "f", "1.5"});
  run({"EXPIRE", "f", "100"});
  records();
  run({"INCRBYFLOAT", "f", "2.25"});
  run({"INCRBYFLOAT", "new", "0.1"});
  run({"HINCRBYFLOAT", "h", "x", "1.5"});
  run({"HINCRBYFLOAT", "h", "x", "1e3"});
  run({"INCRBYFLOAT", "h", "1"});  // WRONGTYPE: nothing
  EXPECT_EQ(records(),
            (V{"SET f 3.75 KEEPTTL", "SET new 0.1 KEEPTTL", "HSET h x 1.5", "HSET h x 1001.5"}));
  expect_replay_same();
}

TEST_F(EffectsCommandsTest, SpopIsSremOrDel) {
  run({"SADD", "s", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j"});
  records();
  std::string reply = run({"SPOP", "s"});
  std::string m = reply.substr(reply.find("\r\n") + 2, 1);
  EXPECT_EQ(records(), V{"SREM s " + m});
  std::vector<std::string> popped = bulks_of(run({"SPOP", "s", "3"}));
  ASSERT_EQ(popped.size(), 3u);
  V expect{"MULTI"};
  for (const std::string& p : popped) expect.push_back("SREM s " + p);
  expect.push_back("EXEC");
  EXPECT_EQ(records(), expect);
  popped = bulks_of(run({"SPOP", "s", "5"}));  // CASE 3: most of the set
  expect = {"MULTI"};
  for (const std::string& p : popped) expect.push_back("SREM s " + p);
  expect.push_back("EXEC");
  EXPECT_EQ(records(), expect);
  run({"SRANDMEMBER", "s", "2"});
  run({"SPOP", "s", "0"});
  run({"SPOP", "missing"});
  EXPECT_EQ(records(), V{});
  expect_replay_same();
  run({"SPOP", "s", "10"});
  EXPECT_EQ(records(), V{"DEL s"});
  run({"SADD", "one", "x"});
  run({"SPOP", "one"});
  EXPECT_EQ(records(), (V{"SADD one x", "SREM one x"}));
  expect_replay_same();
}

TEST_F(EffectsCommandsTest, ListPopsAndBlockingFormsAreNonBlocking) {
  run({"RPUSH", "l", "a", "b", "c", "d", "e", "f", "g", "h"});
  records();
  run({"LMPOP", "1", "l", "RIGHT", "COUNT", "2"});
  run({"LMPOP", "2", "none", "l", "LEFT"});
  run({"BLPOP", "none", "l", "0"});
  run({"BRPOP", "l", "0"});
  run({"BLMOVE", "l", "dst", "left", "RIGHT", "0"});
  run({"BRPOPLPUSH", "l", "dst", "0"});
  run({"BLMPOP", "0", "1", "l", "LEFT", "COUNT", "10"});
  run({"LMPOP", "1", "l", "LEFT"});  // empty: nothing
  EXPECT_EQ(records(), (V{"RPOP l 2", "LPOP l 1", "LPOP l", "RPOP l", "LMOVE l dst left RIGHT",
                          "RPOPLPUSH l dst", "LPOP l 1"}));
  run({"LPOP", "dst", "5"});  // as given
  EXPECT_EQ(records(), V{"LPOP dst 5"});
  expect_replay_same();
}

// A blocked client served later: the connection re-runs its command with block_retry set
// (net/connection.cc retry_blocked); the pop is recorded in its non-blocking form.
TEST_F(EffectsCommandsTest, BlockedClientServedOnWakeUp) {
  run({"BLPOP", "bl", "0"});
  run({"BZPOPMIN", "bz", "0"});
  EXPECT_EQ(records(), V{});
  run({"RPUSH", "bl", "x", "y"}, 1);
  run({"ZADD", "bz", "1", "m", "2", "n"}, 1);
  stmkv::ClientState& c = h.client(0);
  c.block_retry = true;
  run({"BLPOP", "bl", "0"});
  run({"BZPOPMIN", "bz", "0"});
  run({"BLMPOP", "0", "1", "bl", "RIGHT", "COUNT", "3"});
  run({"BZMPOP", "0", "1", "bz", "MAX", "COUNT", "3"});
  c.block_retry = false;
  EXPECT_EQ(records(), (V{"RPUSH bl x y", "ZADD bz 1 m 2 n", "LPOP bl", "ZPOPMIN bz", "RPOP bl 1",
                          "ZPOPMAX bz 1"}));
  expect_replay_same();
}

TEST_F(EffectsCommandsTest, SortedSetPops) {
  run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"});
  records();
  run({"BZPOPMIN", "z", "0"});
  run({"BZPOPMAX", "none", "z", "0"});
  run({"ZMPOP", "1", "z", "MIN"});
  run({"BZMPOP", "0", "1", "z", "MAX", "COUNT", "5"});
  run({"ZPOPMIN", "z", "3"});  // empty now: nothing
  EXPECT_EQ(records(), (V{"ZPOPMIN z", "ZPOPMAX z", "ZPOPMIN z 1", "ZPOPMAX z 2"}));
  run({"ZADD", "z", "1", "a", "2", "b"});
  run({"ZPOPMAX", "z", "5"});
  EXPECT_EQ(records(), (V{"ZADD z 1 a 2 b", "ZPOPMAX z 5"}));
  expect_replay_same();
}

TEST_F(EffectsCommandsTest, RestoreWithTtlIsAbsttl) {
  run({"RPUSH", "src", "a", "b"});
  std::string dump = bulks_of("*1\r\n" + run({"DUMP", "src"}))[0];
  records();
  run({"RESTORE", "r1", "0", dump});
  run({"RESTORE", "r2", "100000", dump});
  std::string t2 = pexpiretime("r2");
  run({"RESTORE", "r3", "4000000000000", dump, "ABSTTL"});
  run({"RESTORE", "r2", "200000", dump, "REPLACE", "IDLETIME", "10"});
  std::string t2b = pexpiretime("r2");
  run({"RESTORE", "r4", "1", dump, "ABSTTL"});             // expired, nothing replaced: nothing
  run({"RESTORE", "r3", "5", dump, "REPLACE", "ABSTTL"});  // expired: the old key goes
  EXPECT_EQ(records(),
            (V{"RESTORE r1 0 " + dump, "RESTORE r2 " + t2 + " " + dump + " ABSTTL",
               "RESTORE r3 4000000000000 " + dump + " ABSTTL",
               "RESTORE r2 " + t2b + " " + dump + " REPLACE IDLETIME 10 ABSTTL", "DEL r3"}));
  expect_replay_same();
}

TEST_F(EffectsCommandsTest, PfcountThatCachesIsRecorded) {
  run({"PFADD", "hll", "a", "b", "c"});
  run({"PFADD", "hll", "a"});  // unchanged: nothing
  run({"PFCOUNT", "hll"});     // writes the cached cardinality
  run({"PFCOUNT", "hll"});     // cache valid: nothing
  run({"PFADD", "hll2", "z"});
  run({"PFCOUNT", "hll", "hll2"});  // union: nothing written
  run({"PFMERGE", "hll3", "hll", "hll2"});
  EXPECT_EQ(records(),
            (V{"PFADD hll a b c", "PFCOUNT hll", "PFADD hll2 z", "PFMERGE hll3 hll hll2"}));
  expect_replay_same();
}

TEST_F(EffectsCommandsTest, KeyspaceCommandsAsGiven) {
  run({"SET", "a", "1", "PX", "100000"});
  run({"RPUSH", "l", "3", "1", "2"});
  records();
  run({"RENAME", "a", "b"});
  run({"RENAME", "nokey", "x"});  // error: nothing
  run({"COPY", "b", "c", "DB", "4"});
  run({"MOVE", "c", "4"});  // exists there: nothing
  run({"MOVE", "b", "5"});
  run({"SWAPDB", "4", "6"});
  run({"SORT", "l"});  // no STORE: nothing
  run({"SORT", "l", "STORE", "sorted"});
  run({"DEL", "nokey", "l"});
  run({"DEL", "nokey"});
  EXPECT_EQ(records(), (V{"RENAME a b", "COPY b c DB 4", "MOVE b 5", "SWAPDB 4 6",
                          "SORT l STORE sorted", "DEL nokey l"}));
  expect_replay_same();
  run({"FLUSHDB"});
  run({"FLUSHALL"});
  run({"FLUSHALL", "ASYNC"});  // empty databases: still recorded, as Redis 7.0
  EXPECT_EQ(records(), (V{"FLUSHDB", "FLUSHALL", "FLUSHALL ASYNC"}));
  expect_replay_same();
}

// Expired keys deleted by a writer that comes across them, by active expiry, or by a delete:
// a DEL in the key's database (Redis 7.0 writes the same DEL). A read deletes nothing here
// (active expiry does it later).
TEST_F(EffectsCommandsTest, ExpiredKeysAreDeletedAsDel) {
  run({"SELECT", "2"});
  run({"SET", "e1", "v", "PX", "1"});
  run({"SET", "e2", "v", "PX", "1"});
  run({"SET", "e3", "v", "PX", "1"});
  run({"SET", "e4", "v", "PX", "1"});
  run({"SELECT", "0"});
  records();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  run({"SELECT", "2"});
  run({"GET", "e1"});
  EXPECT_EQ(records(), V{});
  run({"APPEND", "e1", "x"});
  run({"RENAME", "e2", "z"});  // "no such key"; the expired key stays for active expiry
  run({"DEL", "e3"});
  EXPECT_EQ(records(), (V{"DEL e1", "APPEND e1 x", "DEL e3"}));  // as Redis: not a block
  run({"SELECT", "0"});
  stmkv::run_maintenance(h.server().worker(0));
  std::vector<std::string> dels = records();  // independent DELs, in bucket order
  std::sort(dels.begin(), dels.end());
  EXPECT_EQ(dels, (V{"DEL e2", "DEL e4"}));
  expect_replay_same();
}

// Replayed after the TTLs have passed (as an AOF loaded later), the records rebuild the data
// only if keys do not expire during the replay (Redis's loading): PERSIST must find its key,
// and a SETNX that failed (recorded inside a block) must fail again.
TEST_F(EffectsCommandsTest, ReplayAfterTheTtlsPassedNeedsExpiryPaused) {
  run({"SET", "k", "5", "PX", "40"});
  run({"SET", "j", "1", "PX", "40"});
  run({"MULTI"});
  run({"SET", "a", "1"});
  run({"SETNX", "j", "x"});
  run({"EXEC"});
  run({"PERSIST", "k"});
  run({"PERSIST", "j"});
  EXPECT_EQ(run({"GET", "j"}), "$1\r\n1\r\n");
  EXPECT_EQ(run({"PTTL", "k"}), ":-1\r\n");
  std::string original = snapshot(h, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(replay(true, 0), original);
  EXPECT_NE(replay(false, 0), original);  // keys expiring mid-replay: k lost, j overwritten
}

TEST_F(EffectsCommandsTest, ExecBlockRecordsRewrites) {
  run({"SADD", "s", "only"});
  records();
  run({"MULTI"});
  run({"SPOP", "s"});
  run({"SETEX", "k", "100", "v"});
  run({"GET", "k"});
  run({"EXEC"});
  EXPECT_EQ(records(), (V{"MULTI", "SREM s only", "SET k v PXAT " + pexpiretime("k"), "EXEC"}));
  expect_replay_same();
}

TEST_F(EffectsCommandsTest, ScriptsRecordTheirCommands) {
  run({"EVAL", "return redis.call('set', 'a', '1')", "0"});
  EXPECT_EQ(records(), V{"set a 1"});
  run({"EVAL", "redis.call('set', 'b', '1'); redis.call('incr', 'b'); return 1", "0"});
  EXPECT_EQ(records(), (V{"MULTI", "set b 1", "incr b", "EXEC"}));
  run({"EVAL", "redis.call('get', 'a'); return 1", "0"});
  EXPECT_EQ(records(), V{});
  run({"EVAL", "redis.call('set', 'x', '1', 'EX', 100); redis.call('spop', 'nothing'); return 1",
       "0"});
  EXPECT_EQ(records(), V{"SET x 1 PXAT " + pexpiretime("x")});
  run({"EVAL",
       "redis.call('set', 'y', '1'); redis.call('select', '3'); "
       "redis.call('set', 'x', '1'); return 1",
       "0"});
  EXPECT_EQ(records(), (V{"MULTI", "set y 1", "SELECT 3", "set x 1", "EXEC"}));
  run({"SCRIPT", "LOAD", "return 1"});
  EXPECT_EQ(records(), V{});
  expect_replay_same();
}

TEST_F(EffectsCommandsTest, FunctionsAreRecordedAndReplay) {
  const std::string lib =
      "#!lua name=lib\nredis.register_function('f', function(keys, args) return "
      "redis.call('set', keys[1], args[1]) end)";
  run({"FUNCTION", "LOAD", lib});
  run({"FCALL", "f", "1", "fk", "fv"});
  EXPECT_EQ(records(), (V{"FUNCTION LOAD " + lib, "set fk fv"}));
  expect_replay_same();
  run({"FUNCTION", "DELETE", "lib"});
  run({"FUNCTION", "DELETE", "lib"});  // error: nothing
  run({"FUNCTION", "FLUSH"});
  EXPECT_EQ(records(), (V{"FUNCTION DELETE lib", "FUNCTION FLUSH"}));
}

}  // namespace
