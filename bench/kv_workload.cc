// bench/kv_workload.cc — the workload of kv_workload.h. Compiled twice (see the header): every
// definition lives in kvbench::<abi>, so the engine build and the baseline build link together.
//
// Heap layout:
//   roots.slot[0]  the bucket array (Bucket[nbuckets], kMutable: written by every insert)
//   roots.slot[1]  nbuckets - 1 (a plain number stored in a Ref-sized slot)
//   Bucket         {pad, head}: 16 bytes, one read granule per bucket
//   Entry          {next, key, value, hash}: kMutable (SET rewrites `value`)
//   key / value    Blob {uint32 len; bytes}: kShared, immutable; a SET allocates a new value
//                  and frees the old one. Values start with the key's index (8 bytes), which
//                  GET checks.
#include "stm/stm.h"

#include "bench/kv_workload.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>
#include <thread>
#include <time.h>
#include <vector>

namespace kvbench {
STM_ABI_BEGIN

namespace {

using Clock = std::chrono::steady_clock;

double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) * 1e-9;
}

struct Bucket {
  uint64_t pad;
  stm::RawRef head;
};
static_assert(sizeof(Bucket) == 16);

struct Entry {
  stm::RawRef next;
  stm::RawRef key;
  stm::RawRef value;
  uint64_t hash;
};
static_assert(sizeof(Entry) == 32);

constexpr uint32_t kMinValue = 16, kMaxValue = 64;

// --- Randomness --------------------------------------------------------------------------------

struct Rng {   // xoshiro256**
  uint64_t s[4];
  explicit Rng(uint64_t seed) {
    for (auto& x : s) {   // splitmix64
      seed += 0x9e3779b97f4a7c15ull;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      x = z ^ (z >> 31);
    }
  }
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t next() {
    uint64_t r = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return r;
  }
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }   // [0, 1)
  uint64_t below(uint64_t n) { return uint64_t((unsigned __int128)next() * n >> 64); }
};

uint64_t fnv1a64(uint64_t v) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (int i = 0; i < 8; ++i) {
    h ^= v & 0xff;
    h *= 0x100000001b3ull;
    v >>= 8;
  }
  return h;
}

// YCSB's ZipfianGenerator (Gray et al.), ranks scrambled with FNV as in ScrambledZipfian so
// that the hot keys are spread over the index.
struct Zipf {
  uint64_t n = 1;
  double theta = 0.99, zetan = 1, alpha = 1, eta = 0, half_pow = 0;
  Zipf() = default;
  Zipf(uint64_t items, double th) : n(items), theta(th) {
    zetan = 0;
    for (uint64_t i = 1; i <= n; ++i) zetan += 1.0 / std::pow(double(i), theta);
    double zeta2 = 1.0 + std::pow(0.5, theta);
    alpha = 1.0 / (1.0 - theta);
    eta = (1.0 - std::pow(2.0 / double(n), 1.0 - theta)) / (1.0 - zeta2 / zetan);
    half_pow = std::pow(0.5, theta);
  }
  uint64_t rank(Rng& r) const {
    double u = r.uniform();
    double uz = u * zetan;
    if (uz < 1.0) return 0;
    if (uz < 1.0 + half_pow) return 1;
    uint64_t k = uint64_t(double(n) * std::pow(eta * u - eta + 1.0, alpha));
    return k < n ? k : n - 1;
  }
  uint64_t next(Rng& r) const { return fnv1a64(rank(r)) % n; }
};

// --- Keys and values -----------------------------------------------------------------------------

struct Key {
  char buf[32];
  uint32_t len;
  uint64_t hash;
};

uint64_t hash_bytes(const char* p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; ++i) {
    h ^= uint8_t(p[i]);
    h *= 0x100000001b3ull;
  }
  h ^= h >> 33;   // murmur3 fmix64: spread FNV's low bits over the bucket mask
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

void make_key(uint64_t idx, Key& k) {
  std::memcpy(k.buf, "key:", 4);
  auto res = std::to_chars(k.buf + 4, k.buf + sizeof(k.buf), idx);
  k.len = uint32_t(res.ptr - k.buf);
  k.hash = hash_bytes(k.buf, k.len);
}

// A length-prefixed immutable byte object.
stm::RawRef make_blob(stm::Tx& tx, const char* data, uint32_t len) {
  char* p;
  stm::RawRef r = tx.alloc_raw(4 + len, stm::Hint::kShared, &p);
  std::memcpy(p, &len, 4);
  std::memcpy(p + 4, data, len);
  return r;
}

// A value of `len` bytes for key idx: the index, then filler.
stm::RawRef make_value(stm::Tx& tx, uint64_t idx, uint32_t len, uint8_t fill) {
  char* p;
  stm::RawRef r = tx.alloc_raw(4 + len, stm::Hint::kShared, &p);
  std::memcpy(p, &len, 4);
  std::memcpy(p + 4, &idx, 8);
  std::memset(p + 12, fill, len - 8);
  return r;
}

}  // namespace

// --- The workload ----------------------------------------------------------------------------------

struct Workload {
  Params params;
  std::unique_ptr<stm::Heap> heap;
  Zipf zipf;
  uint64_t nbuckets = 0;

  stm::Ref<stm::RawRef> root_slot(int i) const {
    return stm::Ref<stm::RawRef>(heap->roots().offset() + i * sizeof(stm::RawRef));
  }

  // The entry of key k (and *out its bytes), or null. Reads with barriers: roots, bucket,
  // every chain entry; key bytes without (immutable, reached through a read Ref).
  stm::Ref<Entry> lookup(stm::Tx& tx, const Key& k, const Entry** out) const {
    const char* root = tx.read_bytes(heap->roots(), 0, 2 * sizeof(stm::RawRef));
    stm::RawRef table;
    uint64_t mask;
    std::memcpy(&table, root, sizeof(table));
    std::memcpy(&mask, root + sizeof(table), sizeof(mask));
    stm::Ref<Bucket> b = stm::Ref<Bucket>(table).at(k.hash & mask);
    stm::RawRef e = tx.read(b)->head;
    while (e) {
      const Entry* ep = tx.read(stm::Ref<Entry>(e));
      if (ep->hash == k.hash) {
        const char* kb = tx.read_immutable_bytes(ep->key);
        uint32_t klen;
        std::memcpy(&klen, kb, 4);
        if (klen == k.len && std::memcmp(kb + 4, k.buf, klen) == 0) {
          *out = ep;
          return stm::Ref<Entry>(e);
        }
      }
      e = ep->next;
    }
    return stm::Ref<Entry>();
  }

  // 0 = ok, 1 = miss, 2 = value of another key. Copies the value out (as a server would).
  int get(stm::Tx& tx, uint64_t idx, const Key& k, char* out) const {
    const Entry* ep;
    stm::Ref<Entry> e = lookup(tx, k, &ep);
    if (!e) return 1;
    const char* vb = tx.read_immutable_bytes(ep->value);
    uint32_t vlen;
    std::memcpy(&vlen, vb, 4);
    if (vlen < kMinValue || vlen > kMaxValue) return 2;
    std::memcpy(out, vb + 4, vlen);
    uint64_t owner;
    std::memcpy(&owner, out, 8);
    return owner == idx ? 0 : 2;
  }

  int set(stm::Tx& tx, uint64_t idx, const Key& k, uint32_t vlen, uint8_t fill) const {
    const Entry* ep;
    stm::Ref<Entry> e = lookup(tx, k, &ep);
    if (!e) return 1;
    stm::RawRef old = ep->value;
    stm::RawRef nv = make_value(tx, idx, vlen, fill);
    char* slot = tx.write_bytes(e, offsetof(Entry, value), sizeof(stm::RawRef));
    std::memcpy(slot, &nv, sizeof(nv));
    tx.free(old);
    return 0;
  }

  void preload() {
    stm::Worker w(*heap);
    nbuckets = std::bit_ceil(std::max<uint64_t>(params.keys, 16));
    w.atomically([&](stm::Tx& tx) {
      stm::Ref<Bucket> arr = tx.make_array<Bucket>(nbuckets, stm::Hint::kMutable);
      *tx.write(root_slot(0)) = arr;
      *tx.write(root_slot(1)) = stm::RawRef(nbuckets - 1);
    });
    Rng rng(params.seed);
    const uint64_t batch = uint64_t(std::max(1, params.preload_batch));
    for (uint64_t first = 0; first < params.keys; first += batch) {
      uint64_t last = std::min(params.keys, first + batch);
      uint64_t seed = rng.next();
      w.atomically([&](stm::Tx& tx) {
        Rng r(seed);   // same values on a retry
        stm::RawRef table = *tx.read(root_slot(0));
        Key k;
        for (uint64_t i = first; i < last; ++i) {
          make_key(i, k);
          stm::Ref<Bucket> b = stm::Ref<Bucket>(table).at(k.hash & (nbuckets - 1));
          stm::RawRef head = tx.read(b)->head;
          stm::RawRef kr = make_blob(tx, k.buf, k.len);
          uint32_t vlen = kMinValue + uint32_t(r.below(kMaxValue - kMinValue + 1));
          stm::RawRef vr = make_value(tx, i, vlen, uint8_t(i));
          stm::Ref<Entry> e = tx.make<Entry>(stm::Hint::kMutable, head, kr, vr, k.hash);
          tx.write(b)->head = e;
        }
      });
    }
  }
};

Workload* create(const Params& params, double* preload_seconds) {
  auto w = std::make_unique<Workload>();
  w->params = params;
  stm::Config cfg;
  cfg.heap_bytes = params.heap_bytes;
  cfg.max_workers = std::max(1, params.max_threads);
  if (params.marker_bits > 0) cfg.marker_bits = params.marker_bits;
  w->heap = std::make_unique<stm::Heap>(cfg);
  w->zipf = Zipf(std::max<uint64_t>(params.keys, 2), params.zipf_theta);
  auto t0 = Clock::now();
  w->preload();
  if (preload_seconds != nullptr) {
    *preload_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  }
  return w.release();
}

void destroy(Workload* w) { delete w; }

uint64_t heap_bytes_used(Workload* w) { return w->heap->stats(0).heap_bytes_used; }

PhaseResult run_phase(Workload* wl, const Phase& phase) {
  const int n = std::max(1, phase.threads);
  struct alignas(64) PerThread {
    uint64_t ops = 0, gets = 0, sets = 0, misses = 0, errors = 0;
    uint64_t checksum = 0;
    double cpu_s = 0;
  };
  std::vector<PerThread> per(n);
  std::atomic<int> ready{0};
  std::atomic<bool> go{false}, stop{false};
  const uint64_t keys = wl->params.keys;
  const uint64_t read_cut = uint64_t(wl->params.read_fraction * 1024.0);
  const bool zipf = phase.dist == Dist::kZipf;
  static std::atomic<uint64_t> phase_counter{0};
  const uint64_t phase_seed = wl->params.seed * 1315423911ull + phase_counter.fetch_add(1);

  wl->heap->reset_stats();
  std::vector<std::thread> threads;
  threads.reserve(n);
  for (int t = 0; t < n; ++t) {
    threads.emplace_back([&, t] {
      stm::Worker w(*wl->heap);
      Rng rng(phase_seed * 31 + uint64_t(t) * 0x9e3779b97f4a7c15ull + 1);
      PerThread& me = per[t];
      PerThread local;
      char out[kMaxValue];
      Key k;
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      double cpu0 = thread_cpu_seconds();
      while (!stop.load(std::memory_order_relaxed)) {
        uint64_t r = rng.next();
        uint64_t idx = zipf ? wl->zipf.next(rng) : rng.below(keys);
        make_key(idx, k);
        int rc;
        if ((r & 1023) < read_cut) {
          rc = w.atomically([&](stm::Tx& tx) { return wl->get(tx, idx, k, out); });
          ++local.gets;
          if (rc == 0) local.checksum += uint8_t(out[8]);
        } else {
          uint32_t vlen = kMinValue + uint32_t((r >> 10) % (kMaxValue - kMinValue + 1));
          uint8_t fill = uint8_t(r >> 20);
          rc = w.atomically([&](stm::Tx& tx) { return wl->set(tx, idx, k, vlen, fill); });
          ++local.sets;
        }
        if (rc == 1) ++local.misses;
        if (rc == 2) ++local.errors;
        ++local.ops;
      }
      local.cpu_s = thread_cpu_seconds() - cpu0;
      me = local;
    });
  }
  while (ready.load() < n) std::this_thread::yield();
  auto t0 = Clock::now();
  go.store(true, std::memory_order_release);
  std::this_thread::sleep_for(std::chrono::duration<double>(phase.seconds));
  stop.store(true, std::memory_order_relaxed);
  for (auto& th : threads) th.join();
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();

  PhaseResult res;
  res.threads = n;
  res.dist = phase.dist;
  res.seconds = secs;
  for (const PerThread& p : per) {
    res.ops += p.ops;
    res.gets += p.gets;
    res.sets += p.sets;
    res.misses += p.misses;
    res.errors += p.errors;
    res.cpu_seconds += p.cpu_s;
  }
  res.ops_per_s = double(res.ops) / secs;
  res.ops_per_cpu_s = res.cpu_seconds > 0 ? double(res.ops) / res.cpu_seconds : 0.0;
  stm::Stats st = wl->heap->stats(5);
  res.commits = st.total.commits;
  res.readonly_commits = st.total.readonly_commits;
  res.inevitable = st.total.inevitable;
  res.page_switches = st.page_switches;
  for (int c = 0; c < int(stm::AbortCause::kCount); ++c) {
    uint64_t a = st.total.aborts[c];
    res.aborts += a;
    if (a != 0) res.abort_causes.emplace_back(stm::abort_cause_name(stm::AbortCause(c)), a);
  }
  uint64_t attempts = res.commits + res.readonly_commits + res.aborts;
  res.abort_rate = attempts != 0 ? double(res.aborts) / double(attempts) : 0.0;
  for (const stm::ConflictRecord& c : st.top_conflicts) {
    char where[32];
    std::snprintf(where, sizeof where, "@%llu", (unsigned long long)c.offset);
    res.top_conflicts.emplace_back(where, c.count);
  }
  return res;
}

VerifyResult verify(Workload* wl) {
  VerifyResult v;
  stm::Worker w(*wl->heap);
  const uint64_t batch = 1000;
  char out[kMaxValue];
  for (uint64_t first = 0; first < wl->params.keys; first += batch) {
    uint64_t last = std::min(wl->params.keys, first + batch);
    auto [m, e] = w.atomically([&](stm::Tx& tx) {
      uint64_t misses = 0, errors = 0;
      Key k;
      for (uint64_t i = first; i < last; ++i) {
        make_key(i, k);
        int rc = wl->get(tx, i, k, out);
        misses += rc == 1;
        errors += rc == 2;
      }
      return std::pair<uint64_t, uint64_t>(misses, errors);
    });
    v.checked += last - first;
    v.misses += m;
    v.errors += e;
  }
  return v;
}

Result run(const Params& params, const std::vector<Phase>& phases) {
  Result r;
  Workload* w = create(params, &r.preload_s);
  for (const Phase& p : phases) r.phases.push_back(run_phase(w, p));
  r.verify = verify(w);
  r.heap_bytes_used = heap_bytes_used(w);
  destroy(w);
  return r;
}

STM_ABI_END
}  // namespace kvbench
