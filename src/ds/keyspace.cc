#include "ds/keyspace.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstring>
#include <functional>

#include "ds/access.h"

namespace stmkv {

namespace {

using stm::RawRef;
using stm::Ref;

constexpr uint64_t kMinBuckets = 16;
constexpr size_t kKeysOff = offsetof(DbRoot, keys);
constexpr size_t kExpiresOff = offsetof(DbRoot, expires);
// Keys up to this size live inside their entry's allocation (Db::set).
constexpr size_t kMaxEmbeddedKey = 64;

ValueFreer g_freers[8] = {};
ValueCopier g_copiers[8] = {};
ValueStamper g_stampers[8] = {};
std::atomic<ExpiredKeyHook> g_expired_hook{nullptr};

// Tells the hook (if any) that the expired entry e of database db is being removed.
void expired_removed(stm::Tx& tx, int db, const Entry& e) {
  if (ExpiredKeyHook hook = g_expired_hook.load(std::memory_order_relaxed)) {
    hook(db, str_view(tx, e.key));
  }
}

// Frees the key object of entry e unless it is embedded in the entry (freed with it).
void free_key(stm::Tx& tx, Ref<Entry> e, RawRef key) {
  if (key.offset() != e.offset() + sizeof(Entry)) tx.free(key);
}

Ref<Bucket> bucket_at(RawRef table, uint64_t i) {
  return Ref<Bucket>(table.offset() + sizeof(TableHeader) + i * sizeof(Bucket));
}

uint64_t table_size(stm::Tx& tx, RawRef table) {
  // The header is written only when the table is created: no barrier needed.
  return tx.read_immutable(Ref<TableHeader>(table))->nbuckets;
}

RawRef new_table(stm::Tx& tx, uint64_t nbuckets) {
  char* p;
  size_t bytes = sizeof(TableHeader) + nbuckets * sizeof(Bucket);
  RawRef t = tx.alloc_raw(bytes, stm::Hint::kMutable, &p);
  std::memset(p, 0, bytes);
  reinterpret_cast<TableHeader*>(p)->nbuckets = nbuckets;
  return t;
}

uint64_t rev_bits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
  v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((v & 0x0F0F0F0F0F0F0F0Full) << 4);
  return __builtin_bswap64(v);
}

// Entry fields by granule.
struct ChainLink {
  RawRef next;
  uint64_t hash;
};

}  // namespace

void register_value_freer(ObjType type, ValueFreer fn) { g_freers[static_cast<int>(type)] = fn; }

void free_value(stm::Tx& tx, ObjType type, RawRef value) {
  if (value.is_null()) return;
  if (ValueFreer f = g_freers[static_cast<int>(type)]; f != nullptr) {
    f(tx, value);
  } else {
    tx.free(value);
  }
}

void register_value_copier(ObjType type, ValueCopier fn) {
  g_copiers[static_cast<int>(type)] = fn;
}

RawRef copy_value(stm::Tx& tx, ObjType type, RawRef value) {
  if (value.is_null()) return value;
  if (ValueCopier f = g_copiers[static_cast<int>(type)]; f != nullptr) return f(tx, value);
  return make_str(tx, str_view(tx, value));
}

void register_value_stamper(ObjType type, ValueStamper fn) {
  g_stampers[static_cast<int>(type)] = fn;
}

void set_expired_key_hook(ExpiredKeyHook hook) {
  g_expired_hook.store(hook, std::memory_order_relaxed);
}

uint64_t Db::watch_stamp(Ref<Entry> e) {
  const Entry& en = read(e);
  uint64_t v = en.version;
  ValueStamper f = g_stampers[en.type & 7];
  if (f == nullptr || en.value.is_null()) return v;
  // Mixed so that a new version with a new value cannot cancel out a stamp difference.
  v ^= v >> 33;
  v *= 0xff51afd7ed558ccdull;
  v ^= v >> 33;
  return v + f(tx_, en.value);
}

uint64_t key_hash(std::string_view key) {
  uint64_t h = std::hash<std::string_view>()(key);
  // Finalizer (murmur3 fmix64): spreads low bits for the power-of-two masks.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

void create_databases(stm::Worker& worker, int count) {
  stm::Heap& heap = worker.heap();
  worker.atomically([&](stm::Tx& tx) {
    for (int i = 0; i < count; ++i) {
      char* p;
      RawRef root = tx.alloc_raw(sizeof(DbRoot), stm::Hint::kMutable, &p);
      std::memset(p, 0, sizeof(DbRoot));
      reinterpret_cast<DbRoot*>(p)->table = new_table(tx, kMinBuckets);
      *tx.write(heap.roots().cast<RawRef>().at(i)) = root;
    }
  });
}

Db::Db(stm::Tx& tx, int index, int64_t now_ms) : tx_(tx), index_(index), now_ms_(now_ms) {
  root_ = Ref<DbRoot>(*tx.read(tx.heap().roots().cast<RawRef>().at(index)));
}

uint64_t Db::next_version() {
  static thread_local uint64_t counter = 0;
  return ((uint64_t(tx_.segment()) << 40) | ++counter) & ((uint64_t{1} << 48) - 1);   // 48 bits
}

Ref<Bucket> Db::home_bucket(uint64_t hash) {
  const RawRef* tables = reinterpret_cast<const RawRef*>(tx_.read_bytes(root_, 0, 16));
  RawRef table = tables[0], old = tables[1];
  if (!old.is_null()) {
    Ref<Bucket> ob = bucket_at(old, hash & (table_size(tx_, old) - 1));
    if (tx_.read(ob)->moved == 0) return ob;
  }
  return bucket_at(table, hash & (table_size(tx_, table) - 1));
}

Db::Slot Db::locate(std::string_view key, uint64_t hash) {
  Ref<RawRef> link(home_bucket(hash).offset());   // Bucket::head is its first field
  RawRef cur = *tx_.read(link);
  while (!cur.is_null()) {
    Ref<Entry> e(cur);
    ChainLink cl = *tx_.read(e.cast<ChainLink>());
    if (cl.hash == hash) {
      access::prefetch(e.offset());
      RawRef k = *reinterpret_cast<const RawRef*>(tx_.read_bytes(e, offsetof(Entry, key), 8));
      if (str_view(tx_, k) == key) return Slot{link, e};
    }
    link = Ref<RawRef>(e.offset());   // Entry::next is its first field
    cur = cl.next;
  }
  return Slot{link, Ref<Entry>()};
}

Ref<Entry> Db::find(std::string_view key) {
  Slot s = locate(key, key_hash(key));
  if (s.entry.is_null() || expired(read(s.entry))) return Ref<Entry>();
  access::touch(s.entry.offset(), now_ms_);
  return s.entry;
}

Ref<Entry> Db::find_no_touch(std::string_view key) {
  Slot s = locate(key, key_hash(key));
  if (s.entry.is_null() || expired(read(s.entry))) return Ref<Entry>();
  return s.entry;
}

void Db::add_count(int64_t keys, int64_t expires) {
  int seg = tx_.segment();
  if (keys != 0) {
    *reinterpret_cast<int64_t*>(tx_.write_bytes(root_, kKeysOff + 16 * seg, 8)) += keys;
  }
  if (expires != 0) {
    *reinterpret_cast<int64_t*>(tx_.write_bytes(root_, kExpiresOff + 16 * seg, 8)) += expires;
  }
}

void Db::unlink_and_free(const Slot& s, bool free_value_too) {
  Entry e = read(s.entry);
  *tx_.write(s.link) = e.next;
  free_key(tx_, s.entry, e.key);
  if (free_value_too) free_value(tx_, static_cast<ObjType>(e.type), e.value);
  tx_.free(s.entry);
  add_count(-1, e.expire_ms >= 0 ? -1 : 0);
}

Ref<Entry> Db::set(std::string_view key, ObjType type, RawRef value, Encoding enc,
                   int64_t expire_ms) {
  uint64_t h = key_hash(key);
  Slot s = locate(key, h);
  if (!s.entry.is_null()) {
    if (!expired(read(s.entry))) {
      Entry old = read(s.entry);
      // set_value bumps the version: the TTL's granule is written only when it changes.
      if (expire_ms != kKeepTtl && expire_ms != old.expire_ms) set_expire(s.entry, expire_ms);
      set_value(s.entry, type, value, enc, old.value != value);
      return s.entry;
    }
    expired_removed(tx_, index_, read(s.entry));
    unlink_and_free(s, true);
  }
  if (expire_ms == kKeepTtl) expire_ms = kNoExpire;
  Ref<RawRef> head(home_bucket(h).offset());
  RawRef first = *tx_.read(head);
  // A short key is embedded right after its entry (one allocation instead of two, and a
  // lookup finds the key on the entry's next cache line); it is freed with the entry.
  const bool embed = key.size() <= kMaxEmbeddedKey;
  // At least 64 bytes: the access clocks (ds/access.h) have one slot per 64 bytes of heap.
  const size_t bytes =
      std::max<size_t>(64, sizeof(Entry) + (embed ? sizeof(StrHeader) + key.size() : 0));
  char* p;
  Ref<Entry> e(tx_.alloc_raw(bytes, stm::Hint::kMutable, &p));
  Entry ne{};
  ne.next = first;
  ne.hash = h;
  if (embed) {
    StrHeader sh{static_cast<uint32_t>(key.size()), 0};
    std::memcpy(p + sizeof(Entry), &sh, sizeof sh);
    if (!key.empty()) std::memcpy(p + sizeof(Entry) + sizeof(StrHeader), key.data(), key.size());
    ne.key = RawRef(e.offset() + sizeof(Entry));
  } else {
    ne.key = make_str(tx_, key);
  }
  ne.value = value;
  ne.expire_ms = expire_ms;
  ne.version = next_version();
  ne.type = static_cast<uint8_t>(type);
  ne.encoding = static_cast<uint8_t>(enc);
  std::memcpy(p, &ne, sizeof ne);
  access::init_entry(e.offset(), now_ms_);
  *tx_.write(head) = e;
  add_count(1, expire_ms >= 0 ? 1 : 0);
  return e;
}

void Db::set_value(Ref<Entry> e, ObjType type, RawRef value, Encoding enc, bool free_old) {
  // Granules 1-2 only: a chain walk (granule 0) over this entry does not conflict.
  Entry* w = reinterpret_cast<Entry*>(tx_.write_bytes(e, offsetof(Entry, key), 32) -
                                      offsetof(Entry, key));
  if (free_old) free_value(tx_, static_cast<ObjType>(w->type), w->value);
  w->value = value;
  w->type = static_cast<uint8_t>(type);
  w->encoding = static_cast<uint8_t>(enc);
  w->version = next_version();
  access::touch(e.offset(), now_ms_);
}

void Db::set_expire(Ref<Entry> e, int64_t expire_ms) {
  Entry* w = reinterpret_cast<Entry*>(tx_.write_bytes(e, offsetof(Entry, expire_ms), 16) -
                                      offsetof(Entry, expire_ms));
  bool had = w->expire_ms >= 0, has = expire_ms >= 0;
  w->expire_ms = expire_ms;
  w->version = next_version();
  if (had != has) add_count(0, has ? 1 : -1);
}

void Db::touch_write(Ref<Entry> e) {
  Entry* w = reinterpret_cast<Entry*>(tx_.write_bytes(e, offsetof(Entry, expire_ms), 16) -
                                      offsetof(Entry, expire_ms));
  w->version = next_version();
  access::touch(e.offset(), now_ms_);
}

bool Db::remove(std::string_view key) {
  Slot s = locate(key, key_hash(key));
  if (s.entry.is_null()) return false;
  bool live = !expired(read(s.entry));
  if (!live) expired_removed(tx_, index_, read(s.entry));
  unlink_and_free(s, true);
  return live;
}

bool Db::detach(std::string_view key, Entry* out) {
  Slot s = locate(key, key_hash(key));
  if (s.entry.is_null()) return false;
  *out = read(s.entry);
  bool live = !expired(*out);
  if (!live) expired_removed(tx_, index_, *out);
  unlink_and_free(s, !live);
  return live;
}

int64_t Db::size() {
  int64_t n = 0;
  for (int i = 0; i < kMaxSegments; ++i) {
    n += *reinterpret_cast<const int64_t*>(tx_.read_bytes(root_, kKeysOff + 16 * i, 8));
  }
  return n;
}

int64_t Db::expires_count() {
  int64_t n = 0;
  for (int i = 0; i < kMaxSegments; ++i) {
    n += *reinterpret_cast<const int64_t*>(tx_.read_bytes(root_, kExpiresOff + 16 * i, 8));
  }
  return n;
}

void Db::for_each(const std::function<void(Ref<Entry>)>& fn) {
  const RawRef* tables = reinterpret_cast<const RawRef*>(tx_.read_bytes(root_, 0, 16));
  RawRef ts[2] = {tables[0], tables[1]};
  for (RawRef t : ts) {
    if (t.is_null()) continue;
    uint64_t n = table_size(tx_, t);
    for (uint64_t i = 0; i < n; ++i) {
      for (RawRef cur = tx_.read(bucket_at(t, i))->head; !cur.is_null();) {
        Ref<Entry> e(cur);
        const Entry& en = read(e);
        cur = en.next;
        if (!expired(en)) fn(e);
      }
    }
  }
}

void Db::flush() {
  std::vector<Ref<Entry>> all;
  const RawRef* tables = reinterpret_cast<const RawRef*>(tx_.read_bytes(root_, 0, 16));
  RawRef ts[2] = {tables[0], tables[1]};
  for (RawRef t : ts) {
    if (t.is_null()) continue;
    uint64_t n = table_size(tx_, t);
    for (uint64_t i = 0; i < n; ++i) {
      for (RawRef cur = tx_.read(bucket_at(t, i))->head; !cur.is_null();) {
        Ref<Entry> e(cur);
        Entry en = read(e);
        cur = en.next;
        free_key(tx_, e, en.key);
        free_value(tx_, static_cast<ObjType>(en.type), en.value);
        tx_.free(e);
      }
    }
    tx_.free(t);
  }
  DbRoot* w = tx_.write(root_);
  std::memset(static_cast<void*>(w), 0, sizeof(DbRoot));
  w->table = new_table(tx_, kMinBuckets);
}

uint64_t Db::scan(uint64_t cursor, size_t count, const std::function<void(Ref<Entry>)>& fn) {
  const RawRef* tables = reinterpret_cast<const RawRef*>(tx_.read_bytes(root_, 0, 16));
  RawRef t0 = tables[0], t1 = tables[1];
  size_t found = 0;
  auto visit = [&](RawRef t, uint64_t i) {
    for (RawRef cur = tx_.read(bucket_at(t, i))->head; !cur.is_null();) {
      Ref<Entry> e(cur);
      const Entry& en = read(e);
      cur = en.next;
      if (!expired(en)) {
        fn(e);
        ++found;
      }
    }
  };
  uint64_t v = cursor;
  size_t iterations = count > SIZE_MAX / 10 ? SIZE_MAX : count * 10;   // Redis: count * 10
  do {
    if (t1.is_null()) {
      uint64_t m0 = table_size(tx_, t0) - 1;
      visit(t0, v & m0);
      v |= ~m0;
      v = rev_bits(v);
      ++v;
      v = rev_bits(v);
    } else {
      RawRef small = t0, large = t1;
      if (table_size(tx_, small) > table_size(tx_, large)) std::swap(small, large);
      uint64_t m0 = table_size(tx_, small) - 1, m1 = table_size(tx_, large) - 1;
      visit(small, v & m0);
      do {
        visit(large, v & m1);
        v = (((v | m0) + 1) & ~m0) | (v & m0);
      } while (v & (m0 ^ m1));
      v |= ~m0;
      v = rev_bits(v);
      ++v;
      v = rev_bits(v);
    }
  } while (v != 0 && found < count && --iterations > 0);
  return v;
}

Ref<Entry> Db::random_entry(uint64_t seed) {
  const RawRef* tables = reinterpret_cast<const RawRef*>(tx_.read_bytes(root_, 0, 16));
  RawRef t = tables[0];
  uint64_t n = table_size(tx_, t);
  uint64_t x = seed | 1;
  auto next_rand = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  // Random buckets first (cheap when the table is reasonably full), then a full sweep.
  for (int attempt = 0; attempt < 64; ++attempt) {
    std::vector<Ref<Entry>> chain;
    RawRef tb = t;
    uint64_t i = next_rand() & (n - 1);
    if (!tables[1].is_null() && (next_rand() & 1)) {
      tb = tables[1];
      i = next_rand() & (table_size(tx_, tb) - 1);
    }
    for (RawRef cur = tx_.read(bucket_at(tb, i))->head; !cur.is_null();) {
      Ref<Entry> e(cur);
      const Entry& en = read(e);
      cur = en.next;
      if (!expired(en)) chain.push_back(e);
    }
    if (!chain.empty()) return chain[next_rand() % chain.size()];
  }
  std::vector<Ref<Entry>> all;
  for_each([&](Ref<Entry> e) {
    if (all.size() < 1024) all.push_back(e);
  });
  if (all.empty()) return Ref<Entry>();
  return all[next_rand() % all.size()];
}

uint64_t Db::bucket_count() {
  const RawRef* tables = reinterpret_cast<const RawRef*>(tx_.read_bytes(root_, 0, 16));
  return table_size(tx_, tables[0]);
}

uint64_t Db::old_bucket_count() {
  const RawRef* tables = reinterpret_cast<const RawRef*>(tx_.read_bytes(root_, 0, 16));
  return tables[1].is_null() ? 0 : table_size(tx_, tables[1]);
}

int Db::expire_some(uint64_t* cursor, int buckets, int* with_ttl) {
  const RawRef* tables = reinterpret_cast<const RawRef*>(tx_.read_bytes(root_, 0, 16));
  RawRef ts[2] = {tables[0], tables[1]};
  int removed = 0, ttl_keys = 0;
  for (RawRef t : ts) {
    if (t.is_null()) continue;
    uint64_t n = table_size(tx_, t);
    uint64_t visit = std::min<uint64_t>(n, uint64_t(std::max(buckets, 0)));
    for (uint64_t k = 0; k < visit; ++k) {
      uint64_t i = (*cursor + k) & (n - 1);
      Ref<RawRef> link(bucket_at(t, i).offset());
      RawRef cur = *tx_.read(link);
      while (!cur.is_null()) {
        Ref<Entry> e(cur);
        Entry en = read(e);
        if (en.expire_ms >= 0) ++ttl_keys;
        if (expired(en)) {
          expired_removed(tx_, index_, en);
          unlink_and_free(Slot{link, e}, true);
          ++removed;
        } else {
          link = Ref<RawRef>(e.offset());
        }
        cur = en.next;
      }
    }
  }
  *cursor += buckets;
  if (with_ttl != nullptr) *with_ttl = ttl_keys;
  return removed;
}

bool Db::resize_step(int buckets) {
  const RawRef* tables = reinterpret_cast<const RawRef*>(tx_.read_bytes(root_, 0, 16));
  RawRef table = tables[0], old = tables[1];
  if (old.is_null()) {
    int64_t n = size();
    uint64_t nb = table_size(tx_, table);
    uint64_t want = nb;
    if (uint64_t(n) > nb) {
      // As Redis's dict: the next power of two above the size (load between 1/2 and 1; 16
      // bytes per bucket, one granule each so that neighbours never conflict).
      want = std::bit_ceil(uint64_t(n) + 1);
    } else if (nb > kMinBuckets && uint64_t(n) < nb / 8) {
      want = std::max(kMinBuckets, std::bit_ceil(uint64_t(std::max<int64_t>(n, 1)) * 2));
    }
    if (want == nb) return false;
    RawRef* w = reinterpret_cast<RawRef*>(tx_.write_bytes(root_, 0, 32));
    w[0] = new_table(tx_, want);
    w[1] = table;
    reinterpret_cast<uint64_t*>(w)[2] = 0;   // migrate_cursor
    return true;
  }
  uint64_t n_old = table_size(tx_, old), n_new = table_size(tx_, table);
  uint64_t c = *reinterpret_cast<const uint64_t*>(
      tx_.read_bytes(root_, offsetof(DbRoot, migrate_cursor), 8));
  uint64_t end = std::min(n_old, c + uint64_t(buckets));
  for (uint64_t i = c; i < end; ++i) {
    Ref<Bucket> ob = bucket_at(old, i);
    Bucket b = *tx_.read(ob);
    if (b.moved) continue;
    for (RawRef cur = b.head; !cur.is_null();) {
      Ref<Entry> e(cur);
      ChainLink cl = *tx_.read(e.cast<ChainLink>());
      Ref<RawRef> nh(bucket_at(table, cl.hash & (n_new - 1)).offset());
      RawRef first = *tx_.read(nh);
      tx_.write(e.cast<ChainLink>())->next = first;
      *tx_.write(nh) = e;
      cur = cl.next;
    }
    *tx_.write(ob) = Bucket{RawRef(), 1};
  }
  if (end >= n_old) {
    RawRef* w = reinterpret_cast<RawRef*>(tx_.write_bytes(root_, 0, 32));
    w[1] = RawRef();
    reinterpret_cast<uint64_t*>(w)[2] = 0;
    tx_.free(old);
    return false;
  }
  *reinterpret_cast<uint64_t*>(tx_.write_bytes(root_, offsetof(DbRoot, migrate_cursor), 8)) = end;
  return true;
}

void Db::swap(stm::Tx& tx, int a, int b) {
  Ref<RawRef> slots = tx.heap().roots().cast<RawRef>();
  RawRef ra = *tx.read(slots.at(a)), rb = *tx.read(slots.at(b));
  *tx.write(slots.at(a)) = rb;
  *tx.write(slots.at(b)) = ra;
}

}  // namespace stmkv
