#include "server/eviction.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "ds/access.h"
#include "ds/keyspace.h"
#include "server/command.h"
#include "server/effects.h"
#include "server/multi.h"
#include "server/server.h"
#include "stm/stm.h"

namespace stmkv {

namespace {

using stm::Ref;

enum class Policy : int {
  kNoEviction = 0,
  kAllkeysLru,
  kAllkeysLfu,
  kAllkeysRandom,
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
};

Policy parse_policy(std::string_view s) {
  if (s == "allkeys-lru") return Policy::kAllkeysLru;
  if (s == "allkeys-lfu") return Policy::kAllkeysLfu;
  if (s == "allkeys-random") return Policy::kAllkeysRandom;
  if (s == "volatile-lru") return Policy::kVolatileLru;
  if (s == "volatile-lfu") return Policy::kVolatileLfu;
  if (s == "volatile-random") return Policy::kVolatileRandom;
  if (s == "volatile-ttl") return Policy::kVolatileTtl;
  return Policy::kNoEviction;
}

bool is_volatile(Policy p) {
  return p == Policy::kVolatileLru || p == Policy::kVolatileLfu || p == Policy::kVolatileRandom ||
         p == Policy::kVolatileTtl;
}
bool is_random(Policy p) { return p == Policy::kAllkeysRandom || p == Policy::kVolatileRandom; }
bool is_lfu(Policy p) { return p == Policy::kAllkeysLfu || p == Policy::kVolatileLfu; }

// The eviction settings, copied from the configuration by sync_eviction_config.
// The server the settings come from (by run id: a later server may reuse the address).
std::atomic<uint64_t> g_server{0};
std::atomic<uint64_t> g_maxmemory{0};
std::atomic<int> g_policy{0};
std::atomic<int> g_samples{5};
std::atomic<int> g_tenacity{10};
std::atomic<int> g_databases{16};
std::atomic<uint64_t> g_generation{0};   // bumped at every sync: pools drop old candidates
std::mutex g_sync_mu;

// Statistics.
std::atomic<uint64_t> g_evicted{0};
std::atomic<int64_t> g_exceeded_since{0};   // ms when used memory went over the limit; 0 = not
std::atomic<uint64_t> g_exceeded_total{0};

thread_local bool t_oom_at_start = false;

constexpr size_t kPoolSize = 16;   // Redis's EVPOOL_SIZE
// Sampling found no key with a TTL in a database that has some: walk it whole when it holds at
// most this many keys (bigger ones rely on sampling: a few TTL keys among many may be missed).
constexpr int64_t kMaxWalk = 65536;

// One candidate of the eviction pool: higher idle = better candidate.
struct Candidate {
  uint64_t idle;
  int db;
  std::string key;
};
struct Pool {
  uint64_t generation = ~uint64_t{0};
  std::vector<Candidate> items;   // ascending idle; the best candidate last
};
thread_local Pool t_pool;

std::minstd_rand& rng() {
  thread_local std::minstd_rand r(std::random_device{}());
  return r;
}
uint64_t rand64() { return (uint64_t(rng()()) << 33) ^ (uint64_t(rng()()) << 11) ^ rng()(); }

// Redis's evictionTimeLimitUs.
uint64_t time_limit_us(int tenacity) {
  if (tenacity <= 10) return 50u * uint64_t(tenacity);
  if (tenacity < 100) return uint64_t(500.0 * std::pow(1.15, tenacity - 10.0));
  return UINT64_MAX;
}

// Redis's evictionPoolPopulate: the idle score of a sampled entry by policy.
uint64_t score(Policy p, const Entry& en, uint64_t off, int64_t now_ms) {
  switch (p) {
    case Policy::kAllkeysLru:
    case Policy::kVolatileLru:
      return access::idle_ms(off, now_ms);
    case Policy::kAllkeysLfu:
    case Policy::kVolatileLfu:
      return 255 - access::lfu_counter(off, now_ms);
    case Policy::kVolatileTtl:
      return UINT64_MAX - uint64_t(en.expire_ms);
    default:
      return 0;
  }
}

void pool_insert(Pool& pool, Candidate c) {
  for (const Candidate& x : pool.items) {
    if (x.db == c.db && x.key == c.key) return;
  }
  auto it = std::upper_bound(pool.items.begin(), pool.items.end(), c.idle,
                             [](uint64_t idle, const Candidate& x) { return idle < x.idle; });
  pool.items.insert(it, std::move(c));
  if (pool.items.size() > kPoolSize) pool.items.erase(pool.items.begin());   // the worst goes
}

// Samples up to n live keys of db (with a TTL only if volatile_only) from a random place of its
// table, as dictGetSomeKeys: contiguous buckets (in SCAN order) from a random cursor. Whole
// chains are visited and n keys drawn among them at random (a chain lists the newest keys first:
// taking its head would favour them while a resize is pending).
template <class Fn>
int sample_db(Db& db, int n, bool volatile_only, Fn&& fn) {
  std::vector<Ref<Entry>> seen;
  uint64_t cursor = rand64();
  for (int round = 0; round < (volatile_only ? 8 : 2) && int(seen.size()) < n; ++round) {
    cursor = db.scan(cursor, size_t(n), [&](Ref<Entry> e) {
      if (volatile_only && db.read(e).expire_ms < 0) return;
      if (seen.size() < 1024) seen.push_back(e);
    });
    if (cursor == 0) cursor = rand64();
  }
  int taken = 0;
  for (size_t i = 0; i < seen.size() && taken < n; ++i, ++taken) {
    std::swap(seen[i], seen[i + rand64() % (seen.size() - i)]);
    fn(seen[i], db.read(seen[i]));
  }
  return taken;
}

struct Pick {
  int db = -1;
  std::string key;
};

// Chooses the next key to evict (Redis's performEvictions selection); db = -1 when none.
Pick select_key(WorkerContext& worker, Policy p, int64_t now_ms) {
  const int ndb = g_databases.load(std::memory_order_relaxed);
  const bool vol = is_volatile(p);
  Pick pick;
  if (is_random(p)) {
    thread_local int next_db = 0;
    worker.stm->atomically([&](stm::Tx& tx) {
      pick = Pick{};
      for (int i = 0; i < ndb && pick.db < 0; ++i) {
        int j = (next_db + i) % ndb;
        Db db(tx, j, now_ms);
        Ref<Entry> e;
        if (!vol) {
          e = db.random_entry(rand64());
        } else {
          std::vector<Ref<Entry>> got;
          sample_db(db, 16, true, [&](Ref<Entry> x, const Entry&) { got.push_back(x); });
          if (got.empty() && db.expires_count() > 0 && db.size() <= kMaxWalk) {
            // A sparse table: look at every key (bounded by the number of keys with a TTL).
            db.for_each([&](Ref<Entry> x) {
              if (got.size() < 64 && db.read(x).expire_ms >= 0) got.push_back(x);
            });
          }
          if (!got.empty()) e = got[rand64() % got.size()];
        }
        if (!e.is_null()) {
          pick.db = j;
          pick.key = std::string(db.key_of(e));
        }
      }
    });
    next_db = pick.db < 0 ? next_db : (pick.db + 1) % ndb;
    return pick;
  }
  Pool& pool = t_pool;
  uint64_t gen = g_generation.load(std::memory_order_relaxed);
  if (pool.generation != gen) {
    pool.items.clear();
    pool.generation = gen;
  }
  const int samples = g_samples.load(std::memory_order_relaxed);
  // Databases found empty are skipped for up to 100 ms (their size reads every worker's counter:
  // too dear for every eviction); a round that finds no candidate looks at them all again.
  thread_local uint64_t empty_mask = 0;   // bit i: database i had no (volatile) keys
  thread_local int64_t mask_at_ms = 0;
  thread_local uint64_t mask_gen = ~uint64_t{0};
  if (now_ms - mask_at_ms > 100 || mask_gen != gen) {
    empty_mask = 0;
    mask_at_ms = now_ms;
    mask_gen = gen;
  }
  for (int round = 0; round < 2; ++round) {
    // Populate: maxmemory-samples keys from every database that has keys.
    std::vector<Candidate> fresh;
    uint64_t found_empty = 0;
    worker.stm->atomically([&](stm::Tx& tx) {
      fresh.clear();
      found_empty = 0;
      for (int i = 0; i < ndb; ++i) {
        if (i < 64 && ((empty_mask >> i) & 1)) continue;
        Db db(tx, i, now_ms);
        int n = sample_db(db, samples, vol, [&](Ref<Entry> e, const Entry& en) {
          fresh.push_back(Candidate{score(p, en, e.offset(), now_ms), i, std::string(db.key_of(e))});
        });
        if (n != 0) continue;
        if (!(vol ? db.expires_count() > 0 : db.size() > 0)) {
          if (i < 64) found_empty |= uint64_t{1} << i;
        } else if (!vol || db.size() <= kMaxWalk) {
          // Sampling missed a sparse table: take the first few keys found by a full walk.
          int taken = 0;
          db.for_each([&](Ref<Entry> e) {
            const Entry& en = db.read(e);
            if (taken >= samples || (vol && en.expire_ms < 0)) return;
            ++taken;
            fresh.push_back(Candidate{score(p, en, e.offset(), now_ms), i,
                                      std::string(db.key_of(e))});
          });
        }
      }
    });
    empty_mask |= found_empty;
    for (Candidate& c : fresh) pool_insert(pool, std::move(c));
    if (!pool.items.empty()) {
      // The best candidate (the pool may hold keys deleted since: evict_key skips them).
      Candidate best = std::move(pool.items.back());
      pool.items.pop_back();
      pick.db = best.db;
      pick.key = std::move(best.key);
      return pick;
    }
    if (empty_mask == found_empty) return pick;   // every database was looked at: no keys
    empty_mask = 0;
  }
  return pick;
}

// Evicts pick in its own transaction. Returns whether a key was deleted.
bool evict_one(WorkerContext& worker, const Pick& pick, bool volatile_only, int64_t now_ms) {
  bool evicted = false;
  worker.stm->atomically([&](stm::Tx& tx) {
    evicted = false;
    // A conflict means a client transaction committed a write to what we read (the key, its
    // chain) since our snapshot: the client wins, the key was just used; pick another one.
    if (tx.attempt() > 1) return;
    evicted = evict_key(tx, pick.db, pick.key, volatile_only, now_ms);
  });
  if (evicted) g_evicted.fetch_add(1, std::memory_order_relaxed);
  return evicted;
}

void note_exceeded(bool over, int64_t now_ms) {
  int64_t since = g_exceeded_since.load(std::memory_order_relaxed);
  if (over) {
    if (since == 0) g_exceeded_since.compare_exchange_strong(since, std::max<int64_t>(now_ms, 1));
  } else if (since != 0 && g_exceeded_since.compare_exchange_strong(since, 0)) {
    g_exceeded_total.fetch_add(uint64_t(std::max<int64_t>(0, now_ms - since)),
                               std::memory_order_relaxed);
  }
}

}  // namespace

MemoryUse memory_use(Server& server) {
  stm::Heap& heap = server.heap();
  int64_t priv = heap.private_pages.load(std::memory_order_relaxed);
  MemoryUse m;
  m.not_counted = uint64_t(std::max<int64_t>(priv, 0)) * stm::detail::kPageSize;
  m.used = heap.live_bytes() + m.not_counted;
  return m;
}

uint64_t used_memory(Server& server) { return memory_use(server).used; }

namespace {
// What the limit is compared with (Redis's getMaxmemoryState: used minus not counted).
uint64_t counted_memory(Server& server) {
  MemoryUse m = memory_use(server);
  return m.used - m.not_counted;
}
}  // namespace

void sync_eviction_config(Server& server) {
  std::lock_guard<std::mutex> g(g_sync_mu);
  uint64_t maxmemory;
  std::string policy;
  int64_t samples, tenacity, log_factor, decay, dbs, heap_size;
  {
    std::lock_guard<std::mutex> c(server.config_lock());
    const ServerConfig& cfg = server.config();
    maxmemory = cfg.maxmemory;
    policy = cfg.maxmemory_policy;
    samples = cfg.maxmemory_samples;
    tenacity = cfg.maxmemory_eviction_tenacity;
    log_factor = cfg.lfu_log_factor;
    decay = cfg.lfu_decay_time;
    dbs = cfg.databases;
    heap_size = cfg.heap_size;
  }
  if (g_server.load() != server.run_id_hash()) {
    access::init(size_t(heap_size));
    reset_eviction_stats();
  }
  Policy p = parse_policy(policy);
  g_maxmemory.store(maxmemory);
  g_policy.store(int(p));
  g_samples.store(int(std::clamp<int64_t>(samples, 1, 1024)));
  g_tenacity.store(int(std::clamp<int64_t>(tenacity, 0, 100)));
  g_databases.store(int(std::max<int64_t>(dbs, 1)));
  g_generation.fetch_add(1);
  access::configure(is_lfu(p), log_factor, decay);
  g_server.store(server.run_id_hash());
}

bool evict_key(stm::Tx& tx, int db, std::string_view key, bool volatile_only, int64_t now_ms) {
  Db d(tx, db, now_ms);
  Ref<Entry> e = d.find_no_touch(key);
  if (e.is_null()) return false;
  if (volatile_only && d.read(e).expire_ms < 0) return false;
  d.remove(key);
  // The AOF (server/effects.h) writes the eviction as a DEL in commit order.
  Effects& fx = Effects::current();
  fx.reset();
  fx.add(db, {std::string_view("DEL"), key});
  fx.deliver_at_commit(tx);
  return true;
}

EvictResult perform_evictions(WorkerContext& worker, int64_t now_ms) {
  Server& server = *worker.server;
  uint64_t maxmemory = g_maxmemory.load(std::memory_order_relaxed);
  if (maxmemory == 0) return EvictResult::kOk;
  // Far below the limit, a figure up to 1 ms old will do (reading every worker's counter costs
  // a cache miss each on a big machine); within 1/8 of the limit it is read fresh every time.
  thread_local uint64_t cached = 0;
  thread_local int64_t cached_at_us = 0;
  int64_t t = now_us();
  if (t - cached_at_us > 1000 || cached >= maxmemory - maxmemory / 8) {
    cached = counted_memory(server);
    cached_at_us = t;
  }
  if (cached <= maxmemory) {
    note_exceeded(false, now_ms);
    return EvictResult::kOk;
  }
  note_exceeded(true, now_ms);
  Policy p = Policy(g_policy.load(std::memory_order_relaxed));
  if (p == Policy::kNoEviction) return EvictResult::kFail;
  const uint64_t limit_us = time_limit_us(g_tenacity.load(std::memory_order_relaxed));
  const int64_t start = now_us();
  uint64_t evicted = 0, misses = 0;
  while (counted_memory(server) > maxmemory) {
    Pick pick = select_key(worker, p, now_ms);
    if (pick.db < 0) return EvictResult::kFail;   // nothing left to evict
    if (evict_one(worker, pick, is_volatile(p), now_ms)) {
      ++evicted;
      if (evicted % 16 != 0) continue;
    } else if (++misses % 16 != 0) {
      continue;
    }
    if (uint64_t(now_us() - start) > limit_us) return EvictResult::kRunning;
  }
  cached = counted_memory(server);
  note_exceeded(false, now_ms);
  return EvictResult::kOk;
}

bool eviction_admit(WorkerContext& worker, ClientState& client, const CommandSpec& spec,
                    protocol::ReplyWriter& out) {
  Server& server = *worker.server;
  if (g_server.load(std::memory_order_relaxed) != server.run_id_hash()) {
    sync_eviction_config(server);
  }
  t_oom_at_start = false;
  if (g_maxmemory.load(std::memory_order_relaxed) == 0) return true;
  bool oom = perform_evictions(worker, now_ms()) == EvictResult::kFail;
  t_oom_at_start = oom;
  if (!oom) return true;
  const std::string& name = spec.full_name;
  bool is_exec = name == "exec";
  bool reject = (spec.flags & kCmdDenyOom) != 0;
  if (is_exec && client.multi.active) {
    for (const QueuedCommand& q : client.multi.queue) {
      if (q.spec != nullptr && (q.spec->flags & kCmdDenyOom)) reject = true;
    }
  }
  // In MULTI, queueing itself may use unbounded memory: everything but EXEC, DISCARD, QUIT and
  // RESET is refused (Redis 7.0's processCommand).
  if (client.multi.active && !is_exec && name != "discard" && name != "quit" && name != "reset") {
    reject = true;
  }
  if (!reject) return true;
  if (is_exec && client.multi.active) {
    multi_discard(client);
    out.add_error(std::string("EXECABORT Transaction discarded because of: ") +
                  std::string(kOomError));
  } else {
    out.add_error(kOomError);
  }
  return false;
}

bool oom_at_command_start() { return t_oom_at_start; }

EvictionStats eviction_stats(int64_t now_ms) {
  EvictionStats s;
  s.evicted_keys = g_evicted.load(std::memory_order_relaxed);
  int64_t since = g_exceeded_since.load(std::memory_order_relaxed);
  s.current_exceeded_ms = since != 0 ? uint64_t(std::max<int64_t>(0, now_ms - since)) : 0;
  s.total_exceeded_ms = g_exceeded_total.load(std::memory_order_relaxed) + s.current_exceeded_ms;
  return s;
}

void reset_eviction_stats() {
  g_evicted.store(0);
  g_exceeded_total.store(0);
  if (g_exceeded_since.load() != 0) g_exceeded_since.store(now_ms());
}

}  // namespace stmkv
