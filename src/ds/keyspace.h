// ds/keyspace.h — the databases on the STM heap: a hash index per database whose conflicts
// are per key (per chain), resized incrementally without conflicting with every writer.
//
// A Db is a short-lived handle used inside one transaction (it holds Refs, which must not
// outlive it). Expired keys are absent to every lookup; writers remove them on contact, and the
// active expiry cycle removes the rest.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string_view>

#include "ds/objects.h"
#include "stm/stm.h"

namespace stmkv {

inline constexpr int64_t kNoExpire = -1;
inline constexpr int64_t kKeepTtl = -2;   // for Db::set: keep the existing TTL

// Creates `count` empty databases in the heap's root slots [0, count). Run once at start-up.
void create_databases(stm::Worker& worker, int count);

// Frees a value of any type (deep). Strings are one object; collection types register how to
// free their structure (at start-up, before the workers run).
void free_value(stm::Tx& tx, ObjType type, stm::RawRef value);
using ValueFreer = void (*)(stm::Tx& tx, stm::RawRef value);
void register_value_freer(ObjType type, ValueFreer fn);
// A deep copy of a value of any type (COPY). Strings are one immutable object copied byte for
// byte; collection types register how to copy their structure (at start-up).
stm::RawRef copy_value(stm::Tx& tx, ObjType type, stm::RawRef value);
using ValueCopier = stm::RawRef (*)(stm::Tx& tx, stm::RawRef value);
void register_value_copier(ObjType type, ValueCopier fn);
// A stamp of the in-place writes to a value (collections whose writes do not replace the value
// object nor bump Entry::version, so that writers of different elements do not conflict);
// types without a stamper have none (0). Registered at start-up.
using ValueStamper = uint64_t (*)(stm::Tx& tx, stm::RawRef value);
void register_value_stamper(ObjType type, ValueStamper fn);
// Called inside the transaction for each expired key a Db removes (a writer's contact with it,
// RENAME/MOVE of it, or expire_some), with the database index and the key, before the key is
// freed: the server records it as a DEL (server/effects.h). Set at start-up; none by default.
using ExpiredKeyHook = void (*)(int db, std::string_view key);
void set_expired_key_hook(ExpiredKeyHook hook);
// While paused (AOF loading: Redis's keyIsExpired and checkAlreadyExpired are off while
// server.loading), no key counts as expired: lookups see it, writers and expire_some keep it,
// and commands do not delete a key whose given expire time is past (EXPIRE family, RESTORE).
// The AOF's own DEL records remove keys as they were removed; replaying a record such as
// PERSIST then finds its key as the original command did. Set before the workers serve.
inline std::atomic<bool> g_expiry_paused{false};
inline void set_expiry_paused(bool paused) { g_expiry_paused.store(paused); }
inline bool expiry_paused() { return g_expiry_paused.load(std::memory_order_relaxed); }

class Db {
 public:
  // The database in root slot `index`, as seen by tx at time now_ms.
  Db(stm::Tx& tx, int index, int64_t now_ms);

  int index() const { return index_; }
  stm::Tx& tx() { return tx_; }

  // The live entry of key, or a null Ref (absent or expired). A hit counts as an access of the
  // key (its LRU/LFU clock in ds/access.h); find_no_touch does not (OBJECT, eviction).
  stm::Ref<Entry> find(std::string_view key);
  stm::Ref<Entry> find_no_touch(std::string_view key);
  // A snapshot of an entry's fields (read barrier on the whole entry).
  const Entry& read(stm::Ref<Entry> e) { return *tx_.read(e); }
  // The key bytes of an entry.
  std::string_view key_of(stm::Ref<Entry> e) { return str_view(tx_, tx_.read(e)->key); }

  // Sets key to (type, value, encoding). An existing entry keeps its identity; its old value is
  // freed. expire_ms: absolute time, kNoExpire, or kKeepTtl. Returns the entry.
  stm::Ref<Entry> set(std::string_view key, ObjType type, stm::RawRef value, Encoding enc,
                      int64_t expire_ms);
  // Replaces the value of an existing entry (freeing the old one unless free_old is false).
  void set_value(stm::Ref<Entry> e, ObjType type, stm::RawRef value, Encoding enc,
                 bool free_old = true);
  // Changes an entry's TTL (absolute ms or kNoExpire).
  void set_expire(stm::Ref<Entry> e, int64_t expire_ms);
  // Marks the entry modified (bumps its version) without changing it: for in-place collection
  // writes.
  void touch_write(stm::Ref<Entry> e);
  // WATCH's modification stamp of an entry: changes whenever the entry is written (version) or
  // its value is written in place (the type's ValueStamper).
  uint64_t watch_stamp(stm::Ref<Entry> e);

  // Deletes key if it is live. Returns whether it was.
  bool remove(std::string_view key);
  // Unlinks key's entry without freeing its value (RENAME / MOVE); returns the entry's fields
  // copied out, or false when absent.
  bool detach(std::string_view key, Entry* out);

  // Number of keys (including expired ones not yet removed, as Redis's DBSIZE). Reads every
  // worker's counter: conflicts with concurrent inserts, so keep it off hot paths.
  int64_t size();
  int64_t expires_count();
  // Deletes every key.
  void flush();

  // Redis's SCAN over buckets with a reverse-binary cursor (full iteration guaranteed across
  // resizes). Calls fn for each live entry of the visited buckets; returns the next cursor
  // (0 = done). Visits at least `count` buckets' worth of work.
  uint64_t scan(uint64_t cursor, size_t count, const std::function<void(stm::Ref<Entry>)>& fn);
  // Calls fn for every live entry.
  void for_each(const std::function<void(stm::Ref<Entry>)>& fn);
  // A random live entry (null Ref when empty).
  stm::Ref<Entry> random_entry(uint64_t seed);

  // Removes expired entries from up to `buckets` buckets starting at *cursor (advanced by
  // `buckets`; bucket indexes wrap modulo the table size). Returns the number of keys removed;
  // *with_ttl (optional) receives how many keys with a TTL the visited buckets held.
  int expire_some(uint64_t* cursor, int buckets, int* with_ttl = nullptr);
  // Buckets in the current table (the one new keys go to).
  uint64_t bucket_count();
  // Buckets in the table a resize is migrating from (0 when no resize is pending).
  uint64_t old_bucket_count();

  // Resizing: decide (from the counters) whether the table should grow or shrink and start
  // it; then move up to `buckets` old buckets per call. Returns true while a resize is pending.
  bool resize_step(int buckets);

  // Swaps the contents of two databases (SWAPDB).
  static void swap(stm::Tx& tx, int a, int b);

  // A fresh version stamp for Entry::version (unique across the server).
  uint64_t next_version();

 private:
  struct Slot {
    stm::Ref<stm::RawRef> link;   // where the entry's Ref is stored (bucket head or prev->next)
    stm::Ref<Entry> entry;        // null when the key is absent
  };
  stm::Ref<Bucket> home_bucket(uint64_t hash);
  Slot locate(std::string_view key, uint64_t hash);
  void unlink_and_free(const Slot& s, bool free_value_too);
  void add_count(int64_t keys, int64_t expires);
  bool expired(const Entry& e) const {
    return e.expire_ms >= 0 && e.expire_ms <= now_ms_ && !expiry_paused();
  }

  stm::Tx& tx_;
  int index_;
  int64_t now_ms_;
  stm::Ref<DbRoot> root_;
};

// The hash of a key (64-bit, seeded at start-up).
uint64_t key_hash(std::string_view key);

}  // namespace stmkv
