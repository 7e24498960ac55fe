// persist/rdb.h — Redis's RDB format (version 10, as Redis 7.0 writes it): values, whole files,
// and DUMP payloads, written from and loaded into the keyspace on the STM heap.
//
// Writing reads the keyspace inside a transaction (normally a read-only one on the snapshot
// segment, see persist/persistence.h) and appends bytes to an RdbOutput. Loading parses bytes
// into LoadedValues (plain C++ containers, no heap access) and then stores them with
// store_loaded_value inside a writing transaction, choosing the encodings Redis 7.0 chooses when
// it loads a file (the same thresholds as the commands).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ds/keyspace.h"
#include "server/config.h"
#include "stm/stm.h"

namespace stmkv::persist {

inline constexpr int kRdbVersion = 10;

// RDB object types and opcodes (Redis's rdb.h).
enum RdbType : uint8_t {
  kRdbString = 0,
  kRdbList = 1,
  kRdbSet = 2,
  kRdbZSet = 3,
  kRdbHash = 4,
  kRdbZSet2 = 5,
  kRdbModulePreGa = 6,
  kRdbModule2 = 7,
  kRdbHashZipmap = 9,
  kRdbListZiplist = 10,
  kRdbSetIntset = 11,
  kRdbZSetZiplist = 12,
  kRdbHashZiplist = 13,
  kRdbListQuicklist = 14,
  kRdbStreamListpacks = 15,
  kRdbHashListpack = 16,
  kRdbZSetListpack = 17,
  kRdbListQuicklist2 = 18,
  kRdbStreamListpacks2 = 19,
  kRdbSetListpack = 20,
};
enum RdbOpcode : uint8_t {
  kOpFunction2 = 245,
  kOpFunctionPreGa = 246,
  kOpModuleAux = 247,
  kOpIdle = 248,
  kOpFreq = 249,
  kOpAux = 250,
  kOpResizeDb = 251,
  kOpExpireTimeMs = 252,
  kOpExpireTime = 253,
  kOpSelectDb = 254,
  kOpEof = 255,
};

// Where written bytes go: a string, or a file descriptor (buffered). Keeps the CRC-64 of
// everything written.
class RdbOutput {
 public:
  explicit RdbOutput(std::string* buf) : str_(buf) {}
  explicit RdbOutput(int fd) : fd_(fd) {}
  ~RdbOutput() { flush(); }
  void write(const void* data, size_t len);
  void put(uint8_t b) { write(&b, 1); }
  // Writes buffered bytes to the file. False (and failed() from then on) on a write error.
  bool flush();
  bool failed() const { return failed_; }
  uint64_t crc() const { return crc_; }
  uint64_t bytes() const { return total_; }

 private:
  std::string* str_ = nullptr;
  int fd_ = -1;
  std::string pending_;
  uint64_t crc_ = 0;
  uint64_t total_ = 0;
  bool failed_ = false;
};

// How values are written.
struct SaveOptions {
  bool compress = true;                 // rdbcompression: LZF for strings over 20 bytes
  bool checksum = true;                 // rdbchecksum: CRC-64 at the end (else 0)
  int64_t list_max_listpack_size = -2;  // quicklist node size (list-max-listpack-size)
  // Function libraries' code, written after the AUX fields (FUNCTION2 opcodes), as Redis 7.0.
  std::vector<std::string> functions;
};

// Primitive encodings.
void write_len(RdbOutput& out, uint64_t len);
// A string with Redis's rdbSaveRawString rules: integer encodings for short canonical
// integers, LZF when compress and longer than 20 bytes and it saves space, else raw.
void write_string(RdbOutput& out, std::string_view s, bool compress);
void write_binary_double(RdbOutput& out, double v);

// Writes the RDB type byte and the serialized value of entry en (as seen by tx).
void write_value(RdbOutput& out, stm::Tx& tx, const Entry& en, const SaveOptions& opt);

// Figures of a written file.
struct SaveStats {
  uint64_t keys = 0;
  uint64_t bytes = 0;
};
// Writes a whole RDB file: header, AUX fields, every non-empty database of the heap as seen by
// tx (databases 0..databases-1), EOF and checksum. now_ms: the transaction's time (expired
// keys are skipped). used_mem: the used-mem AUX field. progress (optional) is called with the
// keys written so far every 1024 keys.
SaveStats write_rdb(RdbOutput& out, stm::Tx& tx, int databases, int64_t now_ms, uint64_t used_mem,
                    const SaveOptions& opt,
                    const std::function<void(uint64_t)>& progress = nullptr);

// A value decoded from RDB bytes.
struct LoadedValue {
  ObjType type = ObjType::kString;
  // string: items[0]; list: elements; set: members; hash: field, value, field, value...
  std::vector<std::string> items;
  std::vector<std::pair<std::string, double>> zset;  // member, score
  // A collection with no element (Redis skips such keys when loading).
  bool empty() const { return type != ObjType::kString && items.empty() && zset.empty(); }
};

// Reads RDB bytes.
class RdbInput {
 public:
  explicit RdbInput(std::string_view data) : data_(data) {}
  bool read(void* dst, size_t len);
  bool read_byte(uint8_t* b);
  // A length; *encoded is set for the special string encodings (then *len is the encoding).
  bool read_len(uint64_t* len, bool* encoded = nullptr);
  bool read_string(std::string* out);
  bool read_binary_double(double* v);
  bool read_string_double(double* v);
  size_t pos() const { return pos_; }
  std::string_view rest() const { return data_.substr(pos_); }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

// Decodes a value of RDB type `type`. On failure returns false with *error set.
bool read_value(RdbInput& in, uint8_t type, LoadedValue* out, std::string* error);

// Limits that decide the encodings of loaded values (the config's thresholds).
struct LoadLimits {
  int64_t hash_max_listpack_entries = 512, hash_max_listpack_value = 64;
  int64_t set_max_intset_entries = 512, set_max_listpack_entries = 128, set_max_listpack_value = 64;
  int64_t zset_max_listpack_entries = 128, zset_max_listpack_value = 64;
  int64_t list_max_listpack_size = -2;
  static LoadLimits from(const ServerConfig& c);
};

// Creates the heap objects of v in tx; *enc receives the encoding. v is left as it was (a
// retried transaction calls this again).
stm::RawRef make_loaded_value(stm::Tx& tx, LoadedValue& v, const LoadLimits& lim, Encoding* enc);

// Parses a whole RDB file, calling on_key(db, key, value, expire_ms or kNoExpire) for each key
// in file order. verify_checksum: check the trailing CRC-64 (unless it is 0, as Redis). Returns
// nullopt, or the error. max_databases: SELECTDB beyond it is an error. on_function (optional)
// receives the code of each function library (FUNCTION2); without it they are skipped.
using KeyFn = std::function<void(int db, std::string key, LoadedValue value, int64_t expire_ms)>;
using FunctionFn = std::function<void(std::string code)>;
std::optional<std::string> parse_rdb(std::string_view data, bool verify_checksum, int max_databases,
                                     const KeyFn& on_key, const FunctionFn& on_function = nullptr);

// DUMP's payload of entry en: value serialization, RDB version (2 bytes LE), CRC-64 (8 bytes LE).
std::string dump_payload(stm::Tx& tx, const Entry& en, const SaveOptions& opt);
// Checks a DUMP payload's footer (version <= ours and CRC, unless skip_crc). False: "ERR DUMP
// payload version or checksum are wrong".
bool verify_dump_payload(std::string_view payload);
// Decodes a verified payload. False: "ERR Bad data format".
bool parse_dump_payload(std::string_view payload, LoadedValue* out);

}  // namespace stmkv::persist
