#include "server/maintenance.h"

#include <algorithm>
#include <vector>

#include "ds/keyspace.h"
#include "server/effects.h"

namespace stmkv {

namespace {

constexpr int kExpireBucketsPerTx = 32;
constexpr int64_t kExpireBudgetUs = 1000;
constexpr int kExpireSampleKeys = 20;       // TTL keys per sample (Redis's keys_per_loop)
constexpr int kExpireAcceptableStale = 10;  // % expired in a sample below which we move on
constexpr int kResizeBucketsPerTx = 256;
constexpr int64_t kResizeBudgetUs = 2000;
// While a growing table's old half holds more than 2 keys per bucket, every lookup there walks
// long chains: resizing then gets up to 20 ms per call so that it keeps pace with inserts.
constexpr int64_t kResizeUrgentBudgetUs = 20000;
constexpr int64_t kResizeUrgentLoad = 2;
// A worker that served no command since its last tick resizes with the urgent budget too: a
// pending resize rewrites the chain links of every migrated entry, which keeps their pages
// private in every view (they are re-shared only 2 s after their last write), so an idle
// server finishes it quickly instead of holding twice the memory for minutes (measured: 1M
// keys took > 10 s of idle ticks at 2 ms per tick).

struct ExpireResult {
  int removed = 0;
  int with_ttl = 0;
  uint64_t nbuckets = 0;
};

// Sweeps database d from w's cursor until a stop condition; returns false when the time
// budget ran out.
bool expire_db(WorkerContext& w, int d, int64_t now, int64_t deadline_us) {
  uint64_t& cursor = w.expire_cursors[d];
  const uint64_t step = uint64_t(kExpireBucketsPerTx) * uint64_t(w.server->nworkers());
  uint64_t visited = 0;
  int sample_ttl = 0, sample_removed = 0;
  for (;;) {
    Effects& fx = Effects::current();  // the DELs of the removed keys (server/effects.h)
    ExpireResult r = w.stm->atomically([&](stm::Tx& tx) {
      fx.reset();
      Db db(tx, d, now);
      ExpireResult res;
      uint64_t c = cursor;
      res.removed = db.expire_some(&c, kExpireBucketsPerTx, &res.with_ttl);
      res.nbuckets = db.bucket_count();
      fx.deliver_at_commit(tx);
      return res;
    });
    if (r.removed != 0) CommandCounters::bump(w.expired_keys, uint64_t(r.removed));
    cursor += step;
    visited += kExpireBucketsPerTx;
    sample_ttl += r.with_ttl;
    sample_removed += r.removed;
    uint64_t share =
        std::max<uint64_t>(r.nbuckets / uint64_t(w.server->nworkers()), kExpireBucketsPerTx);
    if (visited >= share) return true;
    if (now_us() >= deadline_us) return false;
    if (sample_ttl >= kExpireSampleKeys) {
      if (sample_removed * 100 <= sample_ttl * kExpireAcceptableStale) return true;
      sample_ttl = sample_removed = 0;
    }
  }
}

// Migrates buckets of the databases w drives until the deadline; returns true if a resize is
// still pending then.
bool resize_until(WorkerContext& w, int64_t now, int64_t deadline) {
  const int ndb = static_cast<int>(w.server->config().databases);
  const int nw = w.server->nworkers();
  for (int d = w.index % nw; d < ndb; d += nw) {
    while (w.stm->atomically(
        [&](stm::Tx& tx) { return Db(tx, d, now).resize_step(kResizeBucketsPerTx); })) {
      if (now_us() >= deadline) return true;
    }
  }
  return false;
}

// The commands w had processed at the end of the last maintenance or idle slice (worker-private).
thread_local uint64_t t_commands_seen = 0;

}  // namespace

bool run_idle_resize(WorkerContext& w, int64_t budget_us) {
  uint64_t processed = w.commands_processed.load(std::memory_order_relaxed);
  if (processed != t_commands_seen) {
    t_commands_seen = processed;
    return false;
  }
  return resize_until(w, now_ms(), now_us() + budget_us);
}

bool run_maintenance(WorkerContext& w) {
  Server& server = *w.server;
  const int ndb = static_cast<int>(server.config().databases);
  const int nw = server.nworkers();
  if (ndb <= 0) return false;
  if (w.expire_cursors.size() != size_t(ndb)) {
    w.expire_cursors.assign(size_t(ndb), uint64_t(w.index) * kExpireBucketsPerTx);
  }
  int64_t now = now_ms();

  // (a) Active expiry (unless DEBUG SET-ACTIVE-EXPIRE 0), starting where the last call's budget ran
  // out (w.expire_cursor holds the next database) so that no database starves.
  std::vector<char> has_ttl(size_t(ndb), 0);
  if (server.active_expire_enabled.load(std::memory_order_relaxed)) {
    has_ttl = w.stm->atomically([&](stm::Tx& tx) {
      std::vector<char> v(size_t(ndb), 0);
      for (int d = 0; d < ndb; ++d) v[d] = Db(tx, d, now).expires_count() > 0;
      return v;
    });
  }
  int64_t deadline = now_us() + kExpireBudgetUs;
  int first = static_cast<int>(w.expire_cursor % uint64_t(ndb));
  for (int k = 0; k < ndb; ++k) {
    int d = (first + k) % ndb;
    if (!has_ttl[d]) continue;
    if (!expire_db(w, d, now, deadline)) {
      w.expire_cursor = uint64_t(d);
      break;
    }
    w.expire_cursor = uint64_t(d + 1);
  }

  // (b) Incremental resizing of the databases this worker drives.
  uint64_t processed = w.commands_processed.load(std::memory_order_relaxed);
  bool idle = processed == t_commands_seen;
  t_commands_seen = processed;
  int64_t start = now_us();
  deadline = start + (idle ? kResizeUrgentBudgetUs : kResizeBudgetUs);
  bool urgent_checked = false;
  for (int d = w.index % nw; d < ndb; d += nw) {
    while (w.stm->atomically(
        [&](stm::Tx& tx) { return Db(tx, d, now).resize_step(kResizeBucketsPerTx); })) {
      if (now_us() < deadline) continue;
      if (urgent_checked) return idle;   // pending: idle slices follow (run_idle_resize)
      urgent_checked = true;
      bool urgent = w.stm->atomically([&](stm::Tx& tx) {
        Db db(tx, d, now);
        uint64_t old = db.old_bucket_count();
        return old != 0 && db.size() > kResizeUrgentLoad * int64_t(old);
      });
      if (!urgent) return idle;
      deadline = start + kResizeUrgentBudgetUs;
    }
  }
  return false;
}

}  // namespace stmkv
