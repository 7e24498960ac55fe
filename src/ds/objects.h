// ds/objects.h — the objects of the keyspace on the STM heap: immutable byte strings, key
// entries, and the per-database root. All are trivially copyable and reached through stm::Ref.
#pragma once

#include <cstdint>
#include <string_view>

#include "stm/stm.h"

namespace stmkv {

// Redis's value types (OBJECT TYPE order of redis.h).
enum class ObjType : uint8_t { kString = 0, kList = 1, kSet = 2, kZSet = 3, kHash = 4 };
// Encodings reported by OBJECT ENCODING.
enum class Encoding : uint8_t {
  kRaw = 0, kInt, kEmbstr, kListpack, kQuicklist, kHashtable, kIntset, kSkiplist
};
std::string_view type_name(ObjType t);          // "string", "list", ...
std::string_view encoding_name(Encoding e);     // "raw", "int", "embstr", ...

// An immutable byte string: [uint32 len][4 bytes pad][bytes]. Allocated with Hint::kShared and
// never written after the commit that created it (read with tx.read_immutable).
struct StrHeader {
  uint32_t len;
  uint32_t pad;
};
// Creates a string object holding bytes.
stm::RawRef make_str(stm::Tx& tx, std::string_view bytes);
// Creates an uninitialized string of len bytes; *data receives its writable bytes.
stm::RawRef make_str_uninit(stm::Tx& tx, size_t len, char** data);
// The bytes of a string object (valid until the transaction ends).
inline std::string_view str_view(stm::Tx& tx, stm::RawRef s) {
  const char* p = tx.read_immutable_bytes(s);
  return std::string_view(p + sizeof(StrHeader), reinterpret_cast<const StrHeader*>(p)->len);
}

// One key of a database: an element of a hash chain. Allocated with Hint::kMutable. Fields are
// grouped by 16-byte granule so that walking a chain (next, hash) does not conflict with a
// writer of a value (value, version) or a TTL (expire_ms).
struct Entry {
  stm::RawRef next;        // granule 0: chain
  uint64_t hash;
  stm::RawRef key;         // granule 1: key (immutable StrObj, embedded after the entry when
  stm::RawRef value;       //            short: Db::set) and value
  int64_t expire_ms;       // granule 2: absolute ms, or -1 for none;
  uint64_t version : 48;   //   modification stamp (WATCH): unique per write;
  uint64_t type : 8;       //   ObjType and Encoding, written with the value
  uint64_t encoding : 8;
};
static_assert(sizeof(Entry) == 48);

inline constexpr int kMaxSegments = 64;

// A hash table: [header][Bucket x nbuckets]; nbuckets a power of two.
struct Bucket {
  stm::RawRef head;
  uint64_t moved;        // 1 once a resize moved this bucket's chain to the new table
};
struct TableHeader {
  uint64_t nbuckets;
  uint64_t pad;
};

// The root of one database (slot `db` of the heap's root block).
struct DbRoot {
  stm::RawRef table;        // granule 0: the current table
  stm::RawRef old_table;    // the table being migrated from during a resize, else null
  uint64_t migrate_cursor;  // granule 1: next old bucket to move (resize only)
  uint64_t pad;
  // Per-segment counters at a 16-byte stride, so writers on different workers never share a
  // granule: keys[2*seg], expires[2*seg] (keys with a TTL).
  int64_t keys[2 * kMaxSegments];
  int64_t expires[2 * kMaxSegments];
};

}  // namespace stmkv
